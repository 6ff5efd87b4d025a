package dev.keel.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.core.util.Context;
import com.azure.storage.blob.BlobClient;
import com.azure.storage.blob.BlobContainerClient;
import com.azure.storage.blob.models.BlobItem;
import com.azure.storage.blob.models.BlobListDetails;
import com.azure.storage.blob.models.BlobRange;
import com.azure.storage.blob.models.ListBlobsOptions;
import com.azure.storage.blob.options.BlobInputStreamOptions;
import com.azure.storage.blob.options.BlockBlobSimpleUploadOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.UnaryOperator;

/**
 * A replica in an Azure Blob Storage container (or Azurite) under a path prefix: blob name =
 * path + "/" + replica key. Small objects are uploaded in one request, larger ones as staged
 * blocks committed at once; either way a blob changes whole or not at all.
 */
public final class AzureReplicaClient implements ReplicaClient {
    private final ReplicaStorage.Azure storage;
    private final AzureOptions options;
    private final BlobContainerClient container;
    private final String rootPrefix;
    /** Hides the account key, the SAS token and URL credentials in every message this client makes. */
    private final Redactor redactor;

    public AzureReplicaClient(ReplicaStorage.Azure storage) {
        this(storage, AzureOptions.defaults(), System::getenv);
    }

    /** {@code env} looks up environment variables (the account key); tests pass their own. */
    public AzureReplicaClient(ReplicaStorage.Azure storage, AzureOptions options, UnaryOperator<String> env) {
        this.storage = storage;
        this.options = options;
        this.redactor = AzureClientFactory.redactor(storage, env);
        if (AzureClientFactory.endpointHasUserInfo(storage)) {
            throw new KeelException(ErrorCode.BAD_INPUT, "the endpoint holds a user name or password (user:password@host), "
                    + "which Azure Blob Storage does not use", storage.describe(),
                    "remove it from 'endpoint'; give the key as account-key, or a SAS token as sas-token");
        }
        try {
            this.container = AzureClientFactory.create(storage, options, env);
        } catch (IllegalArgumentException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, redactor.redact(e.getMessage()), storage.describe(),
                    "set account-name (abs://ACCOUNT@CONTAINER/path), or endpoint for an emulator");
        }
        this.rootPrefix = storage.path().isEmpty() ? "" : storage.path() + "/";
    }

    @Override
    public String type() {
        return "abs";
    }

    @Override
    public String describe() {
        return storage.describe();
    }

    /**
     * Lists the replica path, then writes and deletes a probe blob there: replication needs all
     * three, and a read-only SAS token should be refused at startup, not on every sync.
     */
    @Override
    public void verify() {
        BlobClient probe = container.getBlobClient(rootPrefix + ".keel-verify-" + UUID.randomUUID());
        String operation = "list blobs";
        try {
            var listOptions = new ListBlobsOptions().setPrefix(rootPrefix).setMaxResultsPerPage(1);
            container.listBlobs(listOptions, options.tryTimeout()).iterableByPage().iterator().next();
            operation = "write blobs";
            probe.getBlockBlobClient().uploadWithResponse(new BlockBlobSimpleUploadOptions(BinaryData.fromBytes(new byte[0])),
                    options.tryTimeout(), Context.NONE);
            operation = "delete blobs";
            probe.deleteIfExistsWithResponse(null, null, options.tryTimeout(), Context.NONE);
        } catch (RuntimeException e) {
            throw AzureErrors.unavailable(describe(), storage.container(), AzureClientFactory.endpoint(storage), operation, e, redactor);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        var listOptions = new ListBlobsOptions().setPrefix(rootPrefix + prefix)
                .setDetails(new BlobListDetails().setRetrieveMetadata(true));
        List<ObjectInfo> out = new ArrayList<>();
        try {
            for (BlobItem item : container.listBlobs(listOptions, null)) {
                if (isFolder(item)) continue;
                String key = item.getName().substring(rootPrefix.length());
                if (key.isEmpty()) continue;
                out.add(new ObjectInfo(key, item.getProperties().getContentLength(), item.getProperties().getLastModified().toInstant()));
            }
        } catch (RuntimeException e) {
            throw AzureErrors.io("LIST " + prefix, describe(), e, redactor);
        }
        return out;
    }

    /** Accounts with a hierarchical namespace list directories as blobs marked hdi_isfolder. */
    private static boolean isFolder(BlobItem item) {
        Map<String, String> metadata = item.getMetadata();
        return Boolean.TRUE.equals(item.isPrefix()) || (metadata != null && "true".equalsIgnoreCase(metadata.get("hdi_isfolder")));
    }

    @Override
    public InputStream open(String key) throws IOException {
        BlobClient blob = blob(key);
        try {
            return blob.openInputStream();
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) throw new NoSuchObjectException(key);
            throw AzureErrors.io("GET " + key, describe(), e, redactor);
        }
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative range: " + offset + "+" + length);
        BlobClient blob = blob(key);
        try {
            long size = blob.getProperties().getBlobSize();
            if (length == 0 || offset >= size) return InputStream.nullInputStream();
            long count = Math.min(length, size - offset);
            return blob.openInputStream(new BlobInputStreamOptions().setRange(new BlobRange(offset, count)));
        } catch (RuntimeException e) {
            if (AzureErrors.isNotFound(e)) throw new NoSuchObjectException(key);
            if (AzureErrors.isInvalidRange(e)) return InputStream.nullInputStream();
            throw AzureErrors.io("GET " + key, describe(), e, redactor);
        }
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        BlobClient blob = blob(key);
        try {
            long length = payload.length();
            if (length > options.blockSize()) {
                new BlockUpload(blob.getBlockBlobClient(), options.blockSize()).run(payload);
                return;
            }
            // Small enough to hold: bytes can be re-sent when the SDK retries, a stream could not.
            byte[] bytes;
            try (InputStream in = payload.open()) {
                bytes = in.readNBytes((int) length);
            }
            if (bytes.length != length) throw new IOException("payload ended before its declared length of " + length + " bytes");
            blob.getBlockBlobClient().upload(BinaryData.fromBytes(bytes), true);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        } catch (RuntimeException e) {
            throw AzureErrors.io("PUT " + key, describe(), e, redactor);
        }
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        for (String key : keys) {
            BlobClient blob = blob(key);
            try {
                blob.deleteIfExists();
            } catch (RuntimeException e) {
                if (AzureErrors.isNotFound(e)) continue;
                throw AzureErrors.io("DELETE " + key, describe(), e, redactor);
            }
        }
    }

    @Override
    public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
        return java.util.Optional.of(new AzureConditionalObjects(this::blob, describe(), redactor, options.tryTimeout()));
    }

    private BlobClient blob(String key) {
        if (key.isEmpty() || key.startsWith("/")) throw new IllegalArgumentException("invalid replica key: " + key);
        return container.getBlobClient(rootPrefix + key);
    }
}
