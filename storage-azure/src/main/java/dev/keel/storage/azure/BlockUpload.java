package dev.keel.storage.azure;

import com.azure.core.util.BinaryData;
import com.azure.storage.blob.specialized.BlockBlobClient;
import dev.keel.replication.spi.Payload;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * Uploads one large payload as staged blocks, reading it once and holding one block in memory;
 * the blob changes only when the block list is committed. Uncommitted blocks of a failed upload
 * are discarded by the service.
 */
final class BlockUpload {
    private final BlockBlobClient blob;
    private final int blockSize;

    BlockUpload(BlockBlobClient blob, int blockSize) {
        this.blob = blob;
        this.blockSize = blockSize;
    }

    void run(Payload payload) throws IOException {
        long length = payload.length();
        byte[] buffer = new byte[(int) Math.min(blockSize, length)];
        String uploadId = UUID.randomUUID().toString();
        List<String> blockIds = new ArrayList<>();
        try (InputStream in = payload.open()) {
            long remaining = length;
            while (remaining > 0) {
                int size = (int) Math.min(buffer.length, remaining);
                if (in.readNBytes(buffer, 0, size) < size) {
                    throw new EOFException("payload ended before its declared length of " + length + " bytes");
                }
                // Every id of a blob must have the same length: a fixed-width counter after the upload's UUID.
                String id = Base64.getEncoder().encodeToString(
                        String.format("%s-%06d", uploadId, blockIds.size()).getBytes(StandardCharsets.US_ASCII));
                blob.stageBlock(id, BinaryData.fromByteBuffer(ByteBuffer.wrap(buffer, 0, size)));
                blockIds.add(id);
                remaining -= size;
            }
        }
        blob.commitBlockList(blockIds, true);
    }
}
