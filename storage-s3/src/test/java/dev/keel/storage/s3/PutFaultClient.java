package dev.keel.storage.s3;

import software.amazon.awssdk.core.ResponseBytes;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.DeleteObjectRequest;
import software.amazon.awssdk.services.s3.model.DeleteObjectResponse;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.PutObjectResponse;

/**
 * The real S3 client with its PUTs passed through a fault of the test's choosing (a refused condition,
 * a dropped one, a lost answer); GETs and DELETEs go to the real client unchanged.
 */
final class PutFaultClient implements S3Client {
    /** What a PUT does instead: usually something around {@code real.putObject(request, body)}. */
    interface Put {
        PutObjectResponse put(S3Client real, PutObjectRequest request, RequestBody body);
    }

    private final S3Client real;
    private final Put put;

    PutFaultClient(S3Client real, Put put) {
        this.real = real;
        this.put = put;
    }

    @Override
    public PutObjectResponse putObject(PutObjectRequest request, RequestBody body) {
        return put.put(real, request, body);
    }

    @Override
    public ResponseBytes<GetObjectResponse> getObjectAsBytes(GetObjectRequest request) {
        return real.getObjectAsBytes(request);
    }

    @Override
    public DeleteObjectResponse deleteObject(DeleteObjectRequest request) {
        return real.deleteObject(request);
    }

    @Override
    public String serviceName() {
        return real.serviceName();
    }

    @Override
    public void close() {
        real.close();
    }
}
