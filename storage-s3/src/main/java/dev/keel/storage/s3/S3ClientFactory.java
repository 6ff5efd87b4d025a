package dev.keel.storage.s3;

import dev.keel.core.Redactor;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.util.Collections;
import java.util.function.UnaryOperator;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpConfigurationOption;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.regions.providers.DefaultAwsRegionProviderChain;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.utils.AttributeMap;

/** Builds the AWS SDK client for one S3 replica: credentials, region, endpoint, TLS and timeouts. */
final class S3ClientFactory {
    static final String DEFAULT_REGION = "us-east-1";

    private S3ClientFactory() {
    }

    /** A client of its own for one replica's settings (tests look behind the replica client with it). */
    static S3Client create(ReplicaStorage.S3 storage, S3Options options, UnaryOperator<String> env) {
        return create(storage, options, httpClient(storage, options, env), credentials(storage, env), region(storage, env));
    }

    /** The SDK client on a shared HTTP client (which the caller closes: the SDK leaves a given one open). */
    static S3Client create(ReplicaStorage.S3 storage, S3Options options, SdkHttpClient http, AwsCredentialsProvider credentials, String region) {
        var builder = S3Client.builder()
                .httpClient(http)
                .credentialsProvider(credentials)
                .region(Region.of(region))
                .forcePathStyle(storage.forcePathStyle())
                // S3-compatible servers (GCS, older MinIO, B2) reject the SDK's newer default trailing checksums.
                .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
                .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
                .overrideConfiguration(o -> o.retryStrategy(r -> r.maxAttempts(options.maxAttempts())));
        URI endpoint = endpoint(storage.endpoint());
        if (endpoint != null) {
            builder.endpointOverride(endpoint);
        } else {
            builder.crossRegionAccessEnabled(true); // a bucket in another region than configured still works
        }
        return builder.build();
    }

    static SdkHttpClient httpClient(ReplicaStorage.S3 storage, S3Options options, UnaryOperator<String> env) {
        URI endpoint = endpoint(storage.endpoint());
        if (endpoint != null && "http".equalsIgnoreCase(endpoint.getScheme())
                && !present(env.apply("HTTP_PROXY")) && !present(env.apply("http_proxy"))) {
            // A plain-HTTP endpoint (a local MinIO or gateway) never uses TLS, but the SDK's builder sets
            // TLS up anyway (trust store, SSL context), which costs a restore ~80 ms of its start.
            return UrlConnectionHttpClient.create(uri -> plainConnection(uri, options));
        }
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(options.connectTimeout())
                .socketTimeout(options.socketTimeout());
        if (!storage.skipVerify()) return http.build();
        // Only when the user asked for it: self-signed certificates on a private endpoint.
        return http.buildWithDefaults(AttributeMap.builder()
                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build());
    }

    private static HttpURLConnection plainConnection(URI uri, S3Options options) {
        try {
            HttpURLConnection connection = (HttpURLConnection) uri.toURL().openConnection();
            connection.setConnectTimeout((int) Math.min(Integer.MAX_VALUE, options.connectTimeout().toMillis()));
            connection.setReadTimeout((int) Math.min(Integer.MAX_VALUE, options.socketTimeout().toMillis()));
            return connection;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The replica's keys, else LITESTREAM_*, else AWS_* and the SDK's default chain (profiles, instance roles). */
    static AwsCredentialsProvider credentials(ReplicaStorage.S3 storage, UnaryOperator<String> env) {
        if (present(storage.accessKeyId()) && present(storage.secretAccessKey())) {
            return StaticCredentialsProvider.create(AwsBasicCredentials.create(storage.accessKeyId(), storage.secretAccessKey()));
        }
        for (String prefix : new String[] {"LITESTREAM_", "AWS_"}) {
            String id = env.apply(prefix + "ACCESS_KEY_ID");
            String secret = env.apply(prefix + "SECRET_ACCESS_KEY");
            if (present(id) && present(secret)) {
                return StaticCredentialsProvider.create(AwsBasicCredentials.create(id, secret));
            }
        }
        return DefaultCredentialsProvider.builder().build();
    }

    /**
     * What this client's messages must hide: URL passwords (the endpoint's user info) and credential
     * parameters, plus the secret key when it is known without asking the SDK's chain.
     */
    static Redactor redactor(AwsCredentialsProvider credentials) {
        if (!(credentials instanceof StaticCredentialsProvider known)) return Redactor.URLS;
        return Redactor.URLS.with(Collections.singletonList(known.resolveCredentials().secretAccessKey()));
    }

    /** The configured region; with a custom endpoint us-east-1 (what S3-compatible servers expect). */
    static String region(ReplicaStorage.S3 storage, UnaryOperator<String> env) {
        if (present(storage.region())) return storage.region();
        if (present(storage.endpoint())) return DEFAULT_REGION;
        String fromEnv = env.apply("AWS_REGION");
        if (present(fromEnv)) return fromEnv;
        try {
            return new DefaultAwsRegionProviderChain().getRegion().id();
        } catch (RuntimeException none) {
            return DEFAULT_REGION;
        }
    }

    /** "host:port" without a scheme means https, as in Litestream. */
    static URI endpoint(String endpoint) {
        if (!present(endpoint)) return null;
        return URI.create(endpoint.contains("://") ? endpoint : "https://" + endpoint);
    }

    static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
