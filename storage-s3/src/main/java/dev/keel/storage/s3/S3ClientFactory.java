package dev.keel.storage.s3;

import dev.keel.replication.spi.ReplicaStorage;
import java.net.URI;
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

    static S3Client create(ReplicaStorage.S3 storage, S3Options options, UnaryOperator<String> env) {
        var builder = S3Client.builder()
                .httpClient(httpClient(storage, options))
                .credentialsProvider(credentials(storage, env))
                .region(Region.of(region(storage, env)))
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

    private static SdkHttpClient httpClient(ReplicaStorage.S3 storage, S3Options options) {
        var http = UrlConnectionHttpClient.builder()
                .connectionTimeout(options.connectTimeout())
                .socketTimeout(options.socketTimeout());
        if (!storage.skipVerify()) return http.build();
        // Only when the user asked for it: self-signed certificates on a private endpoint.
        return http.buildWithDefaults(AttributeMap.builder()
                .put(SdkHttpConfigurationOption.TRUST_ALL_CERTIFICATES, Boolean.TRUE).build());
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
