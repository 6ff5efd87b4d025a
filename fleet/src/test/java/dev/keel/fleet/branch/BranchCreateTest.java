package dev.keel.fleet.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BranchCreateTest {
    @TempDir
    Path dir;

    private BranchSpec.Builder fromDb(Path db) {
        return BranchSpec.from(BranchSource.database(db)).ttl(Duration.ofHours(1));
    }

    @Test
    void copyOfALiveDatabaseIsConsistentWhileAWriterCommitsAndTheWriterIsNotBlocked() throws Exception {
        Path db = dir.resolve("app.db");
        Db.create(db, 20_000, 1500); // ~35 MB: the copy takes long enough for the writer to commit meanwhile
        AtomicLong committed = new AtomicLong(20_000);
        AtomicBoolean stop = new AtomicBoolean();
        AtomicReference<Exception> failed = new AtomicReference<>();
        Thread writer = new Thread(() -> {
            try (Connection c = Db.open(db)) {
                for (long id = 20_001; !stop.get(); id++) {
                    Db.exec(c, "INSERT INTO t (id, v) VALUES (" + id + ", randomblob(100))");
                    committed.set(id);
                }
            } catch (Exception e) {
                failed.set(e);
            }
        });
        writer.start();
        try {
            while (committed.get() < 20_100) Thread.sleep(1);
            long before = committed.get();
            Branch b = Branches.create(fromDb(db).to(dir.resolve("branch.db")).build());
            long after = committed.get();
            stop.set(true);
            writer.join();
            assertThat(failed.get()).isNull();

            Path branch = b.path();
            long max = Db.number(branch, "SELECT max(id) FROM t");
            assertThat(Db.integrity(branch)).isEqualTo("ok");
            assertThat(max).isBetween(before, after); // every row committed before the copy began, nothing after it ended
            assertThat(Db.number(branch, "SELECT count(*) FROM t")).isEqualTo(max); // and no gap: one committed state
            assertThat(after - before).as("rows the writer committed while the copy ran").isPositive();
            assertThat(Db.strings(branch, "PRAGMA journal_mode")).containsExactly("wal"); // as the source
            assertThat(b.origin()).isInstanceOf(BranchOrigin.Live.class);
            assertThat(Files.exists(b.sidecar())).isTrue();
        } finally {
            stop.set(true);
            writer.join();
        }
    }

    @Test
    void theSidecarRecordsSourceExpiryCreatorAndMoment() throws Exception {
        Path db = dir.resolve("app.db");
        Db.create(db, 10, 10);
        Instant before = Instant.now();
        Branch b = Branches.create(fromDb(db).to(dir.resolve("b.db")).ttl(Duration.ofHours(72)).creator("ci@runner").build());
        Branch read = Sidecar.read(b.sidecar(), b.path());
        assertThat(read).isEqualTo(b);
        assertThat(read.source()).isEqualTo(db.toAbsolutePath().toString());
        assertThat(read.creator()).isEqualTo("ci@runner");
        assertThat(Duration.between(read.created(), read.expires())).isEqualTo(Duration.ofHours(72));
        assertThat(((BranchOrigin.Live) read.origin()).copiedAt()).isBetween(before, read.created());
        assertThat(Files.readString(b.sidecar())).contains("expires=", "source.kind=database", "journal-mode=wal");
    }

    @Test
    void scrubRunsOnTheCopyBeforeItIsHandedOver() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = Db.open(db)) {
            Db.exec(c, "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)",
                    "INSERT INTO users (email) VALUES ('ann@example.com'), ('bob@example.com')");
        }
        Path scrub = Files.writeString(dir.resolve("scrub.sql"),
                "-- anonymize\nUPDATE users SET email = 'user' || id || '@invalid';\nVACUUM;\n");
        Branch b = Branches.create(fromDb(db).to(dir.resolve("b.db")).scrub(scrub).build());
        assertThat(Db.strings(b.path(), "SELECT email FROM users ORDER BY id")).containsExactly("user1@invalid", "user2@invalid");
        String bytes = new String(Files.readAllBytes(b.path()), java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(bytes.contains("ann@example.com")).as("old value left in the file's free space").isFalse();
        assertThat(Db.strings(db, "SELECT email FROM users ORDER BY id")).containsExactly("ann@example.com", "bob@example.com");
        assertThat(Files.exists(dir.resolve("b.db-wal"))).isFalse();
        assertThat(b.scrub()).isEqualTo(scrub.toString());
    }

    @Test
    void aFailingScrubLeavesNothingAtTheTargetAndNamesTheFileAndLine() throws Exception {
        Path db = dir.resolve("app.db");
        Db.create(db, 10, 10);
        Path scrub = Files.writeString(dir.resolve("scrub.sql"), "UPDATE t SET v = NULL;\n\nDELETE FROM no_such_table;\n");
        Path to = dir.resolve("b.db");
        assertThatThrownBy(() -> Branches.create(fromDb(db).to(to).scrub(scrub).build()))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.subject()).isEqualTo(scrub + ":3");
                    assertThat(e.getMessage()).contains("no such table: no_such_table");
                    assertThat(e.hint()).contains("nothing was created");
                });
        try (Stream<Path> files = Files.list(dir)) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("app.db", "app.db-wal", "app.db-shm",
                    "scrub.sql");
        }
    }

    @Test
    void aScrubThatAttachesAnotherFileIsRefusedBeforeAnythingIsCopied() throws Exception {
        Path db = dir.resolve("app.db");
        Db.create(db, 10, 10);
        Path scrub = Files.writeString(dir.resolve("scrub.sql"), "SELECT 1;\nATTACH 'other.db' AS o;\n");
        assertThatThrownBy(() -> Branches.create(fromDb(db).to(dir.resolve("b.db")).scrub(scrub).build()))
                .isInstanceOfSatisfying(KeelException.class, e -> {
                    assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                    assertThat(e.subject()).isEqualTo(scrub + ":2");
                    assertThat(e.getMessage()).startsWith("scrub SQL may not attach");
                });
        assertThat(Files.exists(dir.resolve("b.db"))).isFalse();
    }

    @Test
    void schemaOnlyCopiesEveryObjectAndNoRows() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = Db.open(db)) {
            Db.exec(c, "CREATE TABLE users (id INTEGER PRIMARY KEY AUTOINCREMENT, email TEXT UNIQUE)",
                    "CREATE TABLE orders (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users(id), total REAL)",
                    "CREATE INDEX orders_user ON orders(user_id)",
                    "CREATE VIEW big AS SELECT * FROM orders WHERE total > 100",
                    "CREATE TRIGGER no_neg BEFORE INSERT ON orders WHEN NEW.total < 0 BEGIN SELECT RAISE(ABORT, 'neg'); END",
                    "CREATE VIRTUAL TABLE notes USING fts5(body)",
                    "INSERT INTO users (email) VALUES ('a'), ('b')", "INSERT INTO orders (user_id, total) VALUES (1, 500)",
                    "INSERT INTO notes (body) VALUES ('hello')", "PRAGMA user_version = 7");
        }
        Branch b = Branches.create(fromDb(db).to(dir.resolve("schema.db")).schemaOnly(true).build());
        String objects = "SELECT type || ' ' || name FROM sqlite_schema ORDER BY 1";
        assertThat(Db.strings(b.path(), objects)).isEqualTo(Db.strings(db, objects));
        // FTS5 writes its own bookkeeping rows into its shadow tables when the table is created
        for (String table : Db.strings(b.path(), "SELECT name FROM pragma_table_list WHERE schema = 'main' AND type != 'shadow' AND name NOT LIKE 'sqlite%'")) {
            assertThat(Db.number(b.path(), "SELECT count(*) FROM \"" + table + "\"")).as(table).isZero();
        }
        assertThat(Db.number(b.path(), "PRAGMA user_version")).isEqualTo(7);
        assertThat(Db.integrity(b.path())).isEqualTo("ok");
        assertThat(b.schemaOnly()).isTrue();
    }

    @Test
    void aRollbackJournalSourceGivesARollbackJournalBranch() throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + db)) {
            Db.exec(c, "CREATE TABLE t (x)", "INSERT INTO t VALUES (1)");
        }
        Branch b = Branches.create(fromDb(db).to(dir.resolve("b.db")).build());
        assertThat(Db.strings(b.path(), "PRAGMA journal_mode")).containsExactly("delete");
        assertThat(Db.number(b.path(), "SELECT x FROM t")).isEqualTo(1);
    }

    @Test
    void aSourceThatIsNotADatabaseOrIsMissingIsReported() throws Exception {
        Path text = Files.writeString(dir.resolve("notes.txt"), "x".repeat(5000));
        assertThatThrownBy(() -> Branches.create(fromDb(text).to(dir.resolve("b.db")).build()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
        assertThatThrownBy(() -> Branches.create(fromDb(dir.resolve("missing.db")).to(dir.resolve("b.db")).build()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(Files.exists(dir.resolve("b.db"))).isFalse();
        assertThat(Files.exists(dir.resolve("missing.db"))).isFalse();
    }
}
