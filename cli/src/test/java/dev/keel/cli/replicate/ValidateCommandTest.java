package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.format.Lz4;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.api.SnapshotInfo;
import dev.keel.replication.file.FileReplicaClient;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ValidateCommandTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    static Run keel(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private static void sql(Path db, String... statements) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            for (String q : statements) s.execute(q);
        }
    }

    @Test
    void anUpToDateReplicaIsEqualAndADamagedOneIsNamedWithItsPage() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        sql(db, "PRAGMA journal_mode=WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT)",
                "WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < 500) INSERT INTO t (v) SELECT 'value ' || x FROM n");
        // The application stays connected, as in production: its connection keeps SQLite from
        // checkpointing the WAL away when validate closes, so the second run continues the generation.
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db)) {
            app.createStatement().execute("SELECT count(*) FROM t");
            validateThenDamage(db, replica);
        }
    }

    private void validateThenDamage(Path db, Path replica) throws Exception {

        Run ok = keel("validate", db.toString(), "file://" + replica);
        assertThat(ok.status()).as(ok.err()).isZero();
        assertThat(ok.out()).contains(db + " -> file: equal at");

        // Replace the replica's snapshot with a valid database that holds one different value.
        Path other = dir.resolve("other.db");
        Files.copy(db, other);
        sql(other, "PRAGMA journal_mode=DELETE", "UPDATE t SET v = 'VALUE 250' WHERE id = 250");
        List<SnapshotInfo> snapshots = new FileReplicaClient(replica).list("generations/").stream()
                .flatMap(o -> ReplicaLayout.parseSnapshot(o).stream()).toList();
        assertThat(snapshots).isNotEmpty();
        for (SnapshotInfo s : snapshots) {
            Files.write(replica.resolve(s.key()), Lz4.compress(Files.readAllBytes(other)));
        }

        Run bad = keel("validate", db.toString(), "file://" + replica, "--json");
        assertThat(bad.status()).as(bad.out() + bad.err()).isEqualTo(1);
        assertThat(bad.out()).contains("\"equal\" : false").contains("\"firstDifferentPage\"");
        assertThat(bad.err()).contains("differ from the live database").contains("first differs at page");
    }

    @Test
    void theTextReportHidesTheConfigsSecrets() throws Exception {
        String secret = "Sup3rS3cretValue";
        Path db = dir.resolve("app.db");
        sql(db, "PRAGMA journal_mode=WAL", "CREATE TABLE t (id INTEGER PRIMARY KEY)", "INSERT INTO t VALUES (1)");
        Path config = Files.writeString(dir.resolve("keel.yml"), "secret-access-key: " + secret + "\ndbs:\n  - path: " + db
                + "\n    replicas:\n      - name: k-" + secret + "\n        path: " + dir.resolve("r") + "\n");
        Run r = keel("validate", "-config", config.toString(), db.toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).contains(db + " -> k-***: equal at").doesNotContain(secret);
    }

    @Test
    void aDatabaseMissingFromTheConfigIsNotFound() throws Exception {
        Path config = dir.resolve("keel.yml");
        Files.writeString(config, "dbs:\n  - path: " + dir.resolve("a.db") + "\n    replicas:\n      - path: " + dir.resolve("r") + "\n");
        Run r = keel("validate", "-config", config.toString(), dir.resolve("b.db").toString());
        assertThat(r.status()).isEqualTo(66);
        assertThat(r.err()).contains("b.db").contains("not in the config file");
    }
}
