package dev.keel.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * A database Keel cannot write (the file, or its directory where SQLite creates the journal) is a
 * local I/O error (exit 74) that says so, not a generic failure, and nothing changes.
 */
class ReadOnlyDatabaseTest {
    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"delete", "wal"})
    void readOnlyFileIsAnIoError(String journalMode) throws Exception {
        Path db = database(journalMode);
        String before = PlannerCasesTest.dump(db);
        try (ReadOnly ignored = ReadOnly.make(db)) {
            assertIoError(db);
        }
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    @ParameterizedTest
    @ValueSource(strings = {"delete", "wal"})
    void readOnlyDirectoryIsAnIoError(String journalMode) throws Exception {
        Path db = database(journalMode);
        String before = PlannerCasesTest.dump(db);
        try (ReadOnly ignored = ReadOnly.make(db.getParent())) {
            assertIoError(db);
        }
        assertThat(PlannerCasesTest.dump(db)).isEqualTo(before);
    }

    private Path database(String journalMode) throws Exception {
        Path sub = Files.createDirectories(dir.resolve(journalMode));
        Path db = sub.resolve("app.db");
        MigratorTest.exec(db, "PRAGMA journal_mode = " + journalMode, "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                "INSERT INTO t VALUES (1, 'one')");
        return db;
    }

    private static void assertIoError(Path db) {
        Migrator m = Migrator.configure().database(db).schema("schema.sql", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT, w TEXT);").load();
        assertThatThrownBy(m::migrate).isInstanceOfSatisfying(KeelException.class, e -> {
            assertThat(e.code()).as(e.describe()).isEqualTo(ErrorCode.IO);
            assertThat(e.code().exitStatus()).isEqualTo(74);
            assertThat(e.subject()).isEqualTo(db.toString());
            assertThat(e.hint()).contains("permissions");
        });
    }

    /**
     * Makes a file or directory unwritable for this process: by permissions, or, for root (whom
     * permissions do not stop), by the immutable attribute; skips the test when neither is possible.
     */
    record ReadOnly(Path path, boolean immutable, Set<PosixFilePermission> before) implements AutoCloseable {
        static ReadOnly make(Path path) throws IOException, InterruptedException {
            if ("root".equals(System.getProperty("user.name"))) {
                assumeTrue(chattr("+i", path), "root ignores permissions and chattr +i is not available here");
                return new ReadOnly(path, true, null);
            }
            Set<PosixFilePermission> before = Files.getPosixFilePermissions(path);
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(Files.isDirectory(path) ? "r-xr-xr-x" : "r--r--r--"));
            return new ReadOnly(path, false, before);
        }

        private static boolean chattr(String flag, Path path) throws IOException, InterruptedException {
            try {
                Process p = new ProcessBuilder("chattr", flag, path.toString()).redirectErrorStream(true).start();
                p.getInputStream().readAllBytes();
                return p.waitFor() == 0;
            } catch (IOException e) {
                return false; // no chattr command
            }
        }

        @Override
        public void close() throws IOException, InterruptedException {
            if (immutable) chattr("-i", path);
            else Files.setPosixFilePermissions(path, before);
        }
    }
}
