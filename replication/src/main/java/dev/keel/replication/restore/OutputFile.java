package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.internal.WriteGate;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * The temp file a restore builds, with every write failure marked as a local one: a full disk while
 * the snapshot is being written is the output's problem, not the snapshot's, and must say so (exit 74
 * naming the output path) instead of calling a healthy replica file corrupt.
 */
final class OutputFile implements AutoCloseable {
    private final FileChannel channel;
    private final Path path;
    private final Path output;
    private final WriteGate gate;

    private OutputFile(FileChannel channel, Path path, Path output, WriteGate gate) {
        this.channel = channel;
        this.path = path;
        this.output = output;
        this.gate = gate;
    }

    /** Creates {@code temp} (which must not exist) for a restore to {@code output}. */
    static OutputFile create(Path temp, Path output, WriteGate gate) throws IOException {
        try {
            return new OutputFile(FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.READ,
                    StandardOpenOption.WRITE), temp, output, gate);
        } catch (IOException e) {
            throw new LocalWriteFailure(output, e);
        }
    }

    /** For tests of the pieces that write: a file without a gate. */
    static OutputFile of(FileChannel channel, Path path) {
        return new OutputFile(channel, path, path, WriteGate.NONE);
    }

    /** Writes all of {@code buf} at {@code position}. */
    void write(ByteBuffer buf, long position) throws LocalWriteFailure {
        try {
            gate.beforeWrite(path, buf.remaining());
            while (buf.hasRemaining()) position += channel.write(buf, position);
        } catch (IOException e) {
            throw new LocalWriteFailure(output, e);
        }
    }

    long size() throws LocalWriteFailure {
        try {
            return channel.size();
        } catch (IOException e) {
            throw new LocalWriteFailure(output, e);
        }
    }

    void truncate(long size) throws LocalWriteFailure {
        try {
            channel.truncate(size);
        } catch (IOException e) {
            throw new LocalWriteFailure(output, e);
        }
    }

    void force() throws LocalWriteFailure {
        try {
            channel.force(true);
        } catch (IOException e) {
            throw new LocalWriteFailure(output, e);
        }
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }

    /** Writing the restored database failed on this machine (full disk, quota, permissions, I/O error). */
    static final class LocalWriteFailure extends IOException {
        private static final long serialVersionUID = 1L;
        private final transient Path output;

        LocalWriteFailure(Path output, IOException cause) {
            super(cause.getMessage(), cause);
            this.output = output;
        }

        KeelException toKeelException() {
            String detail = getCause().getMessage() == null ? getCause().getClass().getSimpleName() : getCause().getMessage();
            return new KeelException(ErrorCode.IO, "cannot write the restored database: " + detail, output.toString(),
                    "check free space and permissions in " + output.getParent() + "; the replica was not at fault", this);
        }
    }
}
