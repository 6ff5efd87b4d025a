package dev.keel.storage.s3;

import dev.keel.replication.spi.Payload;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.CompletedPart;

/**
 * Uploads one large payload in parts, reading it once and holding one part in memory at a time.
 * The object appears only when the upload completes; any failure aborts the upload so no parts
 * are left behind to be billed.
 */
final class MultipartUpload {
    private final S3Client s3;
    private final String bucket;
    private final String objectKey;
    private final long partSize;

    MultipartUpload(S3Client s3, String bucket, String objectKey, long partSize) {
        this.s3 = s3;
        this.bucket = bucket;
        this.objectKey = objectKey;
        this.partSize = partSize;
    }

    void run(Payload payload) throws IOException {
        String uploadId = s3.createMultipartUpload(b -> b.bucket(bucket).key(objectKey)).uploadId();
        try {
            List<CompletedPart> parts = uploadParts(payload, uploadId);
            s3.completeMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                    .multipartUpload(m -> m.parts(parts)));
        } catch (IOException | RuntimeException e) {
            try {
                s3.abortMultipartUpload(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId));
            } catch (RuntimeException abortFailed) {
                e.addSuppressed(abortFailed);
            }
            throw e;
        }
    }

    private List<CompletedPart> uploadParts(Payload payload, String uploadId) throws IOException {
        long length = payload.length();
        byte[] buffer = new byte[(int) Math.min(partSize, length)];
        List<CompletedPart> parts = new ArrayList<>();
        try (InputStream in = payload.open()) {
            long remaining = length;
            for (int partNumber = 1; remaining > 0; partNumber++) {
                int size = (int) Math.min(buffer.length, remaining);
                if (in.readNBytes(buffer, 0, size) < size) {
                    throw new EOFException("payload ended before its declared length of " + length + " bytes");
                }
                int number = partNumber;
                // A content provider over the buffer lets the SDK re-read the part on retry without copying it.
                RequestBody body = RequestBody.fromContentProvider(() -> new ByteArrayInputStream(buffer, 0, size), size,
                        "application/octet-stream");
                String etag = s3.uploadPart(b -> b.bucket(bucket).key(objectKey).uploadId(uploadId)
                        .partNumber(number).contentLength((long) size), body).eTag();
                parts.add(CompletedPart.builder().partNumber(number).eTag(etag).build());
                remaining -= size;
            }
        }
        return parts;
    }
}
