package dev.keel.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.cli.Keel;
import dev.keel.format.Lz4;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Instant;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The restore and listing commands, in process, against a replica built from a real SQLite WAL. */
class RestoreCommandsTest {
    static final String GEN = "00112233445566ff";
    static final String WAL_KEY = "generations/" + GEN + "/wal/00000001_00000000.wal.lz4";

    @TempDir
    Path dir;
    Path replica;
    String url;

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    /** A snapshot at index 1 holding 10 rows, then one WAL segment adding 5 more. */
    @BeforeEach
    void buildReplica() throws Exception {
        replica = dir.resolve("replica");
        url = "file://" + replica;
        writeReplica(dir.resolve("source.db"), replica);
    }

    /** Writes {@link #GEN}'s snapshot (10 rows) and WAL segment (5 more) from a real database at {@code source} into {@code replica}. */
    static void writeReplica(Path source, Path replica) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + source); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA wal_autocheckpoint=0");
            s.execute("CREATE TABLE t(id INTEGER PRIMARY KEY, v TEXT)");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n WHERE x<10) INSERT INTO t(v) SELECT 'row' || x FROM n");
            s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            put(replica, "generations/" + GEN + "/snapshots/00000001.snapshot.lz4", Files.readAllBytes(source), "2024-01-01T00:00:00Z");
            s.execute("WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM n WHERE x<5) INSERT INTO t(v) SELECT 'more' || x FROM n");
            put(replica, WAL_KEY, Files.readAllBytes(Path.of(source + "-wal")), "2024-01-01T00:01:00Z");
        }
    }

    private static void put(Path replica, String key, byte[] raw, String time) throws Exception {
        Path file = replica.resolve(key);
        Files.createDirectories(file.getParent());
        Files.write(file, Lz4.compress(raw));
        Files.setLastModifiedTime(file, FileTime.from(Instant.parse(time)));
    }

    static long count(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             var rs = s.executeQuery("SELECT count(*) FROM t")) {
            return rs.getLong(1);
        }
    }

    @Test
    void restoresFromAReplicaUrl() throws Exception {
        Path out = dir.resolve("out.db");
        Run r = run("restore", "-o", out.toString(), url);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains("restored").contains(GEN);
        assertThat(count(out)).isEqualTo(15);
    }

    @Test
    void restoresToATimestampBeforeTheSegment() throws Exception {
        Path out = dir.resolve("pit.db");
        Run r = run("restore", "-timestamp", "2024-01-01T00:00:30Z", "-o", out.toString(), url);
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(count(out)).isEqualTo(10);
    }

    @Test
    void restoresADatabaseFromTheConfigToItsOwnPath() throws Exception {
        Path db = dir.resolve("app.db");
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "dbs:\n  - path: " + db + "\n    replicas:\n      - name: backup\n        url: " + url + "\n");
        Run r = run("restore", "-config", config.toString(), db.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(count(db)).isEqualTo(15);
        Run again = run("restore", "-if-db-not-exists", "-config", config.toString(), db.toString());
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("already exists");
        Run listing = run("generations", "-config", config.toString(), db.toString());
        assertThat(listing.out()).startsWith("name    generation        lag").contains("backup  " + GEN);
        Run wrongReplica = run("snapshots", "-replica", "nope", "-config", config.toString(), db.toString());
        assertThat(wrongReplica.status()).isEqualTo(66);
    }

    @Test
    void listsInLitestreamsColumnsAndAsJson() throws Exception {
        Run snapshots = run("snapshots", url);
        assertThat(snapshots.out().lines().toList()).hasSize(2);
        assertThat(snapshots.out()).startsWith("replica  generation        index  size  created\n")
                .contains("file     " + GEN + "  1      ");
        Run wal = run("wal", url);
        assertThat(wal.out()).startsWith("replica  generation        index  offset  size  created\n")
                .contains("file     " + GEN + "  1      0       ");
        Run json = run("wal", "--json", url);
        JsonNode rows = dev.keel.cli.OutputOptions.mapper().readTree(json.out());
        assertThat(rows).hasSize(1);
        assertThat(rows.get(0).get("offset").asLong()).isZero();
        assertThat(rows.get(0).get("created").asText()).isEqualTo("2024-01-01T00:01:00Z");
        Run generations = run("generations", "--json", url);
        assertThat(dev.keel.cli.OutputOptions.mapper().readTree(generations.out()).get(0).get("end").asText())
                .isEqualTo("2024-01-01T00:01:00Z");
    }

    @Test
    void exitCodesFollowTheFailure() throws Exception {
        Path existing = dir.resolve("existing.db");
        Files.writeString(existing, "keep");
        assertThat(run("restore", "-o", existing.toString(), url).status()).isEqualTo(3);
        assertThat(run("restore", "-if-db-not-exists", "-o", existing.toString(), url).status()).isZero();
        assertThat(Files.readString(existing)).isEqualTo("keep");
        assertThat(run("restore", url).status()).isEqualTo(64);
        assertThat(run("restore", "-index", "1", "-o", dir.resolve("x.db").toString(), url).status()).isEqualTo(64);
        String empty = "file://" + dir.resolve("empty");
        assertThat(run("restore", "-o", dir.resolve("e.db").toString(), empty).status()).isEqualTo(66);
        Run tolerated = run("restore", "-if-replica-exists", "-o", dir.resolve("e.db").toString(), empty);
        assertThat(tolerated.status()).isZero();
        assertThat(tolerated.out()).contains("no matching backups found");
    }

    @Test
    void ifDbNotExistsDoesNotSkipARestoreForALinkToAMissingDatabase() throws Exception {
        // A db path that is a link onto a volume not restored yet: skipping with exit 0 would let the
        // startup script run the application on a new, empty database.
        Path target = dir.resolve("volume").resolve("app.db");
        Path link = dir.resolve("app.db");
        Files.createSymbolicLink(link, target);
        Run r = run("restore", "-if-db-not-exists", "-o", link.toString(), url);
        assertThat(r.status()).as(r.out() + r.err()).isEqualTo(3);
        assertThat(r.out()).doesNotContain("already exists");
        assertThat(r.err()).contains("symbolic link to a missing file").contains("-o " + target);
        Run toTarget = run("restore", "-if-db-not-exists", "-o", target.toString(), url);
        assertThat(toTarget.status()).as(toTarget.err()).isZero();
        assertThat(count(link)).isEqualTo(15);
    }

    @Test
    void aCorruptSegmentExitsWithBadInputNamingTheFile() throws Exception {
        Path segment = replica.resolve(WAL_KEY);
        byte[] bytes = Files.readAllBytes(segment);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(segment, bytes);
        Path out = dir.resolve("bad.db");
        Run r = run("restore", "-o", out.toString(), url);
        assertThat(r.status()).isEqualTo(65);
        assertThat(r.err()).contains(WAL_KEY).contains("hint: ");
        assertThat(out).doesNotExist();
    }

    @Test
    void parallelismBelowOneOrAboveTheLimitIsAUsageError() {
        for (String n : new String[] {"0", "-1", "1025"}) {
            Run r = run("restore", "-parallelism", n, "-o", dir.resolve("p.db").toString(), url);
            assertThat(r.status()).as("-parallelism %s", n).isEqualTo(64);
            assertThat(r.err()).contains("-parallelism").contains("hint: ");
        }
        assertThat(dir.resolve("p.db")).doesNotExist();
    }

    @Test
    void aStaleWalAtTheOutputIsRefusedUnlessRemoveStaleFilesIsGiven() throws Exception {
        Path out = dir.resolve("app.db");
        Path wal = Files.writeString(dir.resolve("app.db-wal"), "left behind by rm app.db");
        Run refused = run("restore", "-o", out.toString(), url);
        assertThat(refused.status()).isEqualTo(3);
        assertThat(refused.err()).contains(wal.toString()).contains("--remove-stale-files");
        assertThat(out).doesNotExist();

        Run removed = run("restore", "--remove-stale-files", "-o", out.toString(), url);
        assertThat(removed.status()).as(removed.err()).isZero();
        assertThat(wal).doesNotExist();
        assertThat(count(out)).isEqualTo(15);
    }

    @Test
    void aGenerationWithWalButNoSnapshotIsListedWithItsTimesAndRefusedAsLatest() throws Exception {
        String newer = "ffeeddccbbaa9988";
        Files.createDirectories(replica.resolve("generations/" + newer + "/wal"));
        Files.copy(replica.resolve(WAL_KEY), replica.resolve("generations/" + newer + "/wal/00000001_00000000.wal.lz4"));
        Files.setLastModifiedTime(replica.resolve("generations/" + newer + "/wal/00000001_00000000.wal.lz4"),
                FileTime.from(Instant.parse("2024-01-02T00:00:00Z")));

        Run generations = run("generations", "--json", url);
        JsonNode listed = dev.keel.cli.OutputOptions.mapper().readTree(generations.out()).get(1);
        assertThat(listed.get("generation").asText()).isEqualTo(newer);
        assertThat(listed.get("start").asText()).isEqualTo("2024-01-02T00:00:00Z");
        assertThat(listed.get("snapshots").asInt()).isZero();

        Run latest = run("restore", "-o", dir.resolve("l.db").toString(), url);
        assertThat(latest.status()).isEqualTo(65);
        assertThat(latest.err()).contains(newer).contains("no snapshot").contains("-generation " + GEN);
        assertThat(run("restore", "-generation", GEN, "-o", dir.resolve("g.db").toString(), url).status()).isZero();
    }
}
