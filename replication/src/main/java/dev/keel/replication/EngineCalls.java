package dev.keel.replication;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.internal.Failures;
import dev.keel.replication.internal.StorageFailures;
import java.io.IOException;
import java.nio.file.Path;
import java.sql.SQLException;

/** Engine work on one database called from the public API: checked failures become a {@link KeelException} naming it. */
final class EngineCalls {
    private EngineCalls() {
    }

    /** Engine work on one database that returns a value. */
    interface Call<T> {
        T run() throws IOException, SQLException;
    }

    static void run(Path db, String what, Failures.Work work) {
        call(db, what, () -> {
            work.run();
            return null;
        });
    }

    /** A replica's storage failed: STORAGE_UNAVAILABLE naming the replica (the database in the message). */
    static KeelException storageFailure(Path db, String what, IOException e) {
        return new KeelException(ErrorCode.STORAGE_UNAVAILABLE, what + " of " + db + " failed: " + e.getMessage(),
                StorageFailures.find(e).replica(), "check that the storage is reachable and the credentials are right;"
                + " the data is kept in the shadow WAL and uploaded once it is", e);
    }

    /** Runs engine work on one database; its checked failures become a {@link KeelException} naming it. */
    static <T> T call(Path db, String what, Call<T> work) {
        try {
            return work.run();
        } catch (IOException e) {
            if (StorageFailures.find(e) != null) throw storageFailure(db, what, e);
            throw new KeelException(ErrorCode.IO, what + " failed: " + e.getMessage(), db.toString(),
                    "the data is kept in the shadow WAL; fix the cause and it is uploaded on the next sync", e);
        } catch (SQLException e) {
            throw new KeelException(ErrorCode.FAILURE, what + " failed: SQLite: " + e.getMessage(), db.toString(),
                    "check that the database is a healthy SQLite file in WAL mode", e);
        }
    }
}
