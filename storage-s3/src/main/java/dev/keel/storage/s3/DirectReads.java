package dev.keel.storage.s3;

import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import javax.xml.stream.XMLInputFactory;
import javax.xml.stream.XMLStreamConstants;
import javax.xml.stream.XMLStreamException;
import javax.xml.stream.XMLStreamReader;
import software.amazon.awssdk.auth.credentials.AwsCredentialsProvider;
import software.amazon.awssdk.awscore.endpoints.AwsEndpointAttribute;
import software.amazon.awssdk.awscore.endpoints.authscheme.EndpointAuthScheme;
import software.amazon.awssdk.awscore.endpoints.authscheme.SigV4AuthScheme;
import software.amazon.awssdk.endpoints.Endpoint;
import software.amazon.awssdk.http.AbortableInputStream;
import software.amazon.awssdk.http.HttpExecuteRequest;
import software.amazon.awssdk.http.HttpExecuteResponse;
import software.amazon.awssdk.http.SdkHttpClient;
import software.amazon.awssdk.http.SdkHttpMethod;
import software.amazon.awssdk.http.SdkHttpRequest;
import software.amazon.awssdk.http.auth.aws.signer.AwsV4HttpSigner;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointParams;
import software.amazon.awssdk.services.s3.endpoints.S3EndpointProvider;
import software.amazon.awssdk.utils.http.SdkHttpUtils;

/**
 * The read requests of restores and listings (LIST, GET, ranged GET), each signed with the SDK's SigV4
 * signer and sent straight on the SDK's HTTP client, without the S3 client's request pipeline: a restore
 * of ~300 small WAL segments spent most of its time in that pipeline and in building the client
 * (bench/storage.md). The endpoint comes from the SDK's own S3 endpoint rules, so requests go where the
 * S3 client would send them.
 *
 * <p>Only plain success is handled here. Anything else (an error status other than 404 or 416, a
 * failed connection, a listing that does not parse) answers {@link Optional#empty()}, and the caller
 * repeats the request through the S3 client, which owns retries, redirects and error messages; this
 * path then stays off for the client's lifetime, so that a failing server is not asked twice each time.
 */
final class DirectReads {
    private static final XMLInputFactory XML = xmlFactory();

    private final SdkHttpClient http;
    private final AwsCredentialsProvider credentials;
    private final AwsV4HttpSigner signer = AwsV4HttpSigner.create();
    private final URI bucketUri;
    private final String signingRegion;
    private final boolean doubleUrlEncode;
    private volatile boolean enabled = true;

    private DirectReads(SdkHttpClient http, AwsCredentialsProvider credentials, URI bucketUri, String signingRegion,
                        boolean doubleUrlEncode) {
        this.http = http;
        this.credentials = credentials;
        this.bucketUri = bucketUri;
        this.signingRegion = signingRegion;
        this.doubleUrlEncode = doubleUrlEncode;
    }

    /**
     * Direct reads for a bucket, or null when the SDK's endpoint rules ask for anything but plain SigV4
     * (S3 Express, multi-region access points): those reads go through the S3 client.
     */
    static DirectReads create(SdkHttpClient http, AwsCredentialsProvider credentials, String bucket, String region,
                              URI endpoint, boolean forcePathStyle) {
        Endpoint resolved;
        try {
            resolved = S3EndpointProvider.defaultProvider().resolveEndpoint(S3EndpointParams.builder()
                    .bucket(bucket).region(Region.of(region)).forcePathStyle(forcePathStyle)
                    .endpoint(endpoint == null ? null : endpoint.toString()).build()).join();
        } catch (RuntimeException unusual) {
            return null; // the S3 client will report what is wrong with these settings
        }
        List<EndpointAuthScheme> schemes = resolved.attribute(AwsEndpointAttribute.AUTH_SCHEMES);
        if (schemes == null || schemes.isEmpty() || !(schemes.get(0) instanceof SigV4AuthScheme sigV4)) return null;
        String signingRegion = sigV4.signingRegion() == null ? region : sigV4.signingRegion();
        boolean doubleEncode = !sigV4.disableDoubleEncoding();
        return new DirectReads(http, credentials, resolved.url(), signingRegion, doubleEncode);
    }

    /**
     * The object, or its {@code length} bytes from {@code offset} (length < 0: to the end); empty when
     * the S3 client should answer instead.
     */
    Optional<InputStream> get(String objectKey, long offset, long length) throws NoSuchObjectException {
        if (!enabled) return Optional.empty();
        SdkHttpRequest.Builder request = request(bucketPath() + "/" + SdkHttpUtils.urlEncodeIgnoreSlashes(objectKey));
        if (offset > 0 || length >= 0) {
            request.putHeader("Range", "bytes=" + offset + "-" + (length < 0 ? "" : String.valueOf(offset + length - 1)));
        }
        HttpExecuteResponse response = send(request);
        if (response == null) return Optional.empty();
        int status = response.httpResponse().statusCode();
        if (status == 200 || status == 206) {
            return response.responseBody().map(body -> (InputStream) body).or(() -> Optional.of(InputStream.nullInputStream()));
        }
        discard(response);
        if (status == 404) throw new NoSuchObjectException(objectKey);
        if (status == 416) return Optional.of(InputStream.nullInputStream()); // a range at or past the end
        enabled = false;
        return Optional.empty();
    }

    /** Every object under {@code prefix}, with full object keys; empty when the S3 client should answer instead. */
    Optional<List<ObjectInfo>> list(String prefix) {
        return list(prefix, 0);
    }

    /** As {@link #list(String)} in pages of at most {@code maxKeys} objects (0: the server's page size). */
    Optional<List<ObjectInfo>> list(String prefix, int maxKeys) {
        List<ObjectInfo> objects = new ArrayList<>();
        String token = null;
        do {
            if (!enabled) return Optional.empty();
            SdkHttpRequest.Builder request = request(bucketPath().isEmpty() ? "/" : bucketPath())
                    .putRawQueryParameter("list-type", "2")
                    .putRawQueryParameter("prefix", prefix);
            if (maxKeys > 0) request.putRawQueryParameter("max-keys", String.valueOf(maxKeys));
            if (token != null) request.putRawQueryParameter("continuation-token", token);
            HttpExecuteResponse response = send(request);
            if (response == null) return Optional.empty();
            if (response.httpResponse().statusCode() != 200 || response.responseBody().isEmpty()) {
                discard(response);
                enabled = false;
                return Optional.empty();
            }
            try (InputStream body = response.responseBody().get()) {
                token = parseListing(body, objects);
            } catch (IOException | XMLStreamException | RuntimeException unparsable) {
                enabled = false;
                return Optional.empty();
            }
        } while (token != null);
        return Optional.of(objects);
    }

    /** False once an answer showed that this path does not suit the server or settings. */
    boolean enabled() {
        return enabled;
    }

    private String bucketPath() {
        String path = bucketUri.getRawPath();
        return path == null || path.equals("/") ? "" : path;
    }

    private SdkHttpRequest.Builder request(String encodedPath) {
        return SdkHttpRequest.builder().method(SdkHttpMethod.GET).protocol(bucketUri.getScheme())
                .host(bucketUri.getHost()).port(bucketUri.getPort()).encodedPath(encodedPath);
    }

    /** Signs and sends; null (and this path off) when the request could not be made. */
    private HttpExecuteResponse send(SdkHttpRequest.Builder request) {
        try {
            SdkHttpRequest signed = signer.sign(r -> r.identity(credentials.resolveCredentials()).request(request.build())
                    .putProperty(AwsV4HttpSigner.SERVICE_SIGNING_NAME, "s3")
                    .putProperty(AwsV4HttpSigner.REGION_NAME, signingRegion)
                    .putProperty(AwsV4HttpSigner.DOUBLE_URL_ENCODE, doubleUrlEncode)
                    .putProperty(AwsV4HttpSigner.NORMALIZE_PATH, false)
                    .putProperty(AwsV4HttpSigner.PAYLOAD_SIGNING_ENABLED, false)).request();
            return http.prepareRequest(HttpExecuteRequest.builder().request(signed).build()).call();
        } catch (IOException | RuntimeException e) {
            enabled = false;
            return null;
        }
    }

    private static void discard(HttpExecuteResponse response) {
        response.responseBody().ifPresent(body -> {
            try (AbortableInputStream in = body) {
                in.transferTo(java.io.OutputStream.nullOutputStream());
            } catch (IOException ignored) {
                // the connection is dropped instead of reused
            }
        });
    }

    /**
     * Adds the listing's objects to {@code into}; returns the continuation token, or null on the last page.
     * Throws for anything but a complete {@code <ListBucketResult>}.
     */
    static String parseListing(InputStream xml, List<ObjectInfo> into) throws XMLStreamException {
        XMLStreamReader reader = XML.createXMLStreamReader(xml);
        try {
            String key = null;
            long size = -1;
            Instant modified = null;
            String next = null;
            boolean truncated = false;
            int depth = 0;
            while (reader.hasNext()) {
                int event = reader.next();
                if (event == XMLStreamConstants.START_ELEMENT) {
                    depth++;
                    String name = reader.getLocalName();
                    // Any other well-formed answer (an <Error> sent with 200, a gateway's page) is not an empty listing.
                    if (depth == 1 && !name.equals("ListBucketResult")) throw new XMLStreamException("not a listing: <" + name + ">");
                    if (depth == 2 && name.equals("Contents")) {
                        key = null;
                        size = -1;
                        modified = null;
                    } else if (depth == 3 && name.equals("Key")) {
                        key = reader.getElementText();
                        depth--;
                    } else if (depth == 3 && name.equals("Size")) {
                        size = Long.parseLong(reader.getElementText().trim());
                        depth--;
                    } else if (depth == 3 && name.equals("LastModified")) {
                        modified = Instant.parse(reader.getElementText().trim());
                        depth--;
                    } else if (depth == 2 && name.equals("IsTruncated")) {
                        truncated = Boolean.parseBoolean(reader.getElementText().trim());
                        depth--;
                    } else if (depth == 2 && name.equals("NextContinuationToken")) {
                        next = reader.getElementText();
                        depth--;
                    }
                } else if (event == XMLStreamConstants.END_ELEMENT) {
                    if (depth == 2 && reader.getLocalName().equals("Contents")) {
                        if (key == null || size < 0 || modified == null) throw new XMLStreamException("incomplete <Contents>");
                        into.add(new ObjectInfo(key, size, modified));
                    }
                    depth--;
                }
            }
            if (truncated && (next == null || next.isEmpty())) throw new XMLStreamException("truncated listing without a token");
            return truncated ? next : null;
        } finally {
            reader.close();
        }
    }

    private static XMLInputFactory xmlFactory() {
        XMLInputFactory factory = XMLInputFactory.newDefaultFactory();
        factory.setProperty(XMLInputFactory.SUPPORT_DTD, false);
        factory.setProperty(XMLInputFactory.IS_SUPPORTING_EXTERNAL_ENTITIES, false);
        return factory;
    }
}
