package dev.keel.storage.azure;

import com.azure.core.http.rest.Response;
import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.models.BlobDownloadContentResponse;
import com.azure.storage.blob.models.BlobRequestConditions;
import com.azure.storage.blob.models.BlobStorageException;
import com.azure.storage.blob.models.BlockBlobItem;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.keel.core.Redactor;
import dev.keel.replication.spi.ConditionalObjects;
import java.io.IOException;
import java.time.Duration;
import java.util.function.Function;

/**
 * Compare-and-swap on blobs through ETag conditions: Put Blob with {@code If-None-Match: *} creates only
 * when no blob has the name, with {@code If-Match: <ETag>} replaces only the version read. (A blob lease,
 * Azure's other lock, locks only writes to that one blob and lasts 15 to 60 s or forever; the lease Keel
 * needs fences the whole replica through the holder's own deadline, which ETag conditions give exactly as
 * on S3, with one algorithm for both.)
 */
final class AzureConditionalObjects implements ConditionalObjects {
    private final Function<String, BlobClient> blob;
    private final String subject;
    private final Redactor redactor;
    private final Duration timeout;

    AzureConditionalObjects(Function<String, BlobClient> blob, String subject, Redactor redactor, Duration timeout) {
        this.blob = blob;
        this.subject = subject;
        this.redactor = redactor;
        this.timeout = timeout;
    }

    @Override
    public Versioned read(String key) throws IOException {
        try {
            BlobDownloadContentResponse r = blob.apply(key).downloadContentWithResponse(null, null, timeout, Context.NONE);
            byte[] bytes = r.getValue().toBytes();
            if (bytes.length > MAX_BYTES) throw new IOException("the blob " + key + " on " + subject + " is larger than a lease object can be");
            return new Versioned(bytes, r.getDeserializedHeaders().getETag());
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) return null;
            throw AzureErrors.io("GET " + key, subject, e, redactor);
        }
    }

    @Override
    public String create(String key, byte[] bytes) throws IOException {
        return put(key, bytes, new BlobRequestConditions().setIfNoneMatch("*"));
    }

    @Override
    public String replace(String key, byte[] bytes, String version) throws IOException {
        return put(key, bytes, new BlobRequestConditions().setIfMatch(version));
    }

    private String put(String key, byte[] bytes, BlobRequestConditions conditions) throws IOException {
        try {
            Response<BlockBlobItem> r = blob.apply(key).getBlockBlobClient().uploadWithResponse(
                    new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(bytes)).setRequestConditions(conditions),
                    timeout, Context.NONE);
            return r.getValue().getETag();
        } catch (RuntimeException e) {
            // 412: the condition failed; 409: the blob exists (If-None-Match) or changed meanwhile; 404: gone
            if (e instanceof BlobStorageException b && (b.getStatusCode() == 412 || b.getStatusCode() == 409
                    || (conditions.getIfMatch() != null && b.getStatusCode() == 404))) {
                return null;
            }
            throw AzureErrors.io("conditional PUT " + key, subject, e, redactor);
        }
    }
}
