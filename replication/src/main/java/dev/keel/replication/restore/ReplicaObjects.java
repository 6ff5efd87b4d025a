package dev.keel.replication.restore;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ReplicaClient;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.function.LongConsumer;

/**
 * Reads objects of one replica for a restore and tells storage failures apart from bad data: a
 * failure inside the storage client is a {@link StorageFailure}, anything else that goes wrong while
 * decoding an object's bytes is the object's fault. Both become a {@link KeelException} that names
 * the replica and the object.
 */
final class ReplicaObjects {
    private final ReplicaClient client;

    ReplicaObjects(ReplicaClient client) {
        this.client = client;
    }

    String describe() {
        return client.describe();
    }

    /** A stream over the object whose read failures are marked as storage failures. */
    InputStream open(String key, LongConsumer progress) throws StorageFailure {
        try {
            return new Marked(client.open(key), progress);
        } catch (NoSuchObjectException e) {
            throw new StorageFailure(e, true);
        } catch (IOException e) {
            throw new StorageFailure(e, false);
        }
    }

    /** The whole object's bytes. */
    byte[] readAll(String key) throws StorageFailure {
        try (InputStream in = open(key, n -> { })) {
            return in.readAllBytes();
        } catch (StorageFailure e) {
            throw e;
        } catch (IOException e) {
            throw new StorageFailure(e, false);
        }
    }

    /** Translates whatever went wrong while reading or decoding {@code key} into a user-facing error. */
    KeelException failure(String key, String what, Throwable error) {
        if (error instanceof OutputFile.LocalWriteFailure local) return local.toKeelException();
        String subject = client.describe() + "/" + key;
        // A failure that already says what is wrong (and what to do) only lacks the object's name.
        if (error instanceof KeelException k && (k.code() != ErrorCode.BAD_INPUT || k.hint() != null)) {
            return k.withSubject(subject);
        }
        if (error instanceof StorageFailure f) {
            if (f.missing) {
                return new KeelException(ErrorCode.NOT_FOUND, what + " disappeared from the replica while restoring", subject,
                        "retention or another process removed it; run the restore again", error);
            }
            return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot read " + what + ": " + f.getCause().getMessage(),
                    subject, "check that the storage is reachable, then run the restore again", error);
        }
        String detail = error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
        return new KeelException(ErrorCode.BAD_INPUT, what + " is corrupt or truncated: " + detail, subject,
                "the replica file is damaged; restore an earlier point (-timestamp, -index), another generation or another replica",
                error);
    }

    /** A read from storage failed (as opposed to the bytes being bad). */
    static final class StorageFailure extends IOException {
        private static final long serialVersionUID = 1L;
        final boolean missing;

        StorageFailure(IOException cause, boolean missing) {
            super(cause.getMessage(), cause);
            this.missing = missing;
        }
    }

    /** Marks read failures as storage failures and reports bytes read. */
    private static final class Marked extends FilterInputStream {
        private final LongConsumer progress;

        Marked(InputStream in, LongConsumer progress) {
            super(in);
            this.progress = progress;
        }

        @Override
        public int read() throws IOException {
            try {
                int b = super.read();
                if (b >= 0) progress.accept(1);
                return b;
            } catch (IOException e) {
                throw new StorageFailure(e, false);
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                int n = super.read(b, off, len);
                if (n > 0) progress.accept(n);
                return n;
            } catch (IOException e) {
                throw new StorageFailure(e, false);
            }
        }

        @Override
        public void close() throws IOException {
            try {
                super.close();
            } catch (IOException e) {
                throw new StorageFailure(e, false);
            }
        }
    }
}
