package dev.keel.cli.branch;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.cli.Keel;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel branch ...} run in-process as a user types it: exit statuses, text and JSON output. */
class BranchCommandsTest {
    @TempDir
    Path dir;

    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    private Path database(String name, String... sql) throws Exception {
        Path db = dir.resolve(name);
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            for (String q : sql) s.execute(q);
        }
        return db;
    }

    private static long count(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("SELECT count(*) FROM t")) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void createListExtendAndReapALiveDatabasesBranch() throws Exception {
        Path db = database("app.db", "CREATE TABLE t (id INTEGER PRIMARY KEY, email TEXT)", "INSERT INTO t (email) VALUES ('a@x'), ('b@x')");
        Path branches = Files.createDirectories(dir.resolve("branches"));
        Path scrub = Files.writeString(dir.resolve("scrub.sql"), "DELETE FROM t WHERE id = 2;\n");
        Run created = run("branch", "create", "--from", db.toString(), "--to", branches.resolve("test.db").toString(),
                "--ttl", "2h", "--scrub", scrub.toString());
        assertThat(created.status()).as(created.err()).isZero();
        assertThat(created.out()).contains("created branch " + branches.resolve("test.db"), "scrubbed by", "in 1h59m");
        assertThat(count(branches.resolve("test.db"))).isEqualTo(1);

        Run listed = run("branch", "list", "--dir", branches.toString());
        assertThat(listed.status()).isZero();
        assertThat(listed.out()).contains("branch", "age", "expires", "test.db", "in 1h59m", db.toString());

        Run json = run("branch", "list", "--dir", branches.toString(), "--json");
        JsonNode tree = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out());
        assertThat(tree.get("branches").get(0).get("expired").asBoolean()).isFalse();
        assertThat(tree.get("branches").get(0).get("sourceKind").asText()).isEqualTo("database");

        Run extended = run("branch", "extend", branches.resolve("test.db").toString(), "--ttl", "30h");
        assertThat(extended.status()).as(extended.err()).isZero();
        assertThat(extended.out()).contains("now expires", "in 1d5h");

        assertThat(run("branch", "reap", "--dir", branches.toString()).out()).contains("0 expired, 1 kept");
        assertThat(Files.exists(branches.resolve("test.db"))).isTrue();
    }

    @Test
    void expiredBranchesAreMarkedAndReaped() throws Exception {
        Path db = database("app.db", "CREATE TABLE t (x)");
        Path branches = Files.createDirectories(dir.resolve("branches"));
        assertThat(run("branch", "create", "--from", db.toString(), "--to", branches.resolve("b.db").toString(), "--ttl", "1s")
                .status()).isZero();
        Files.writeString(branches.resolve("junk.db.keel-branch"), "not a sidecar");
        Thread.sleep(1100);
        Run listed = run("branch", "list", "--dir", branches.toString());
        assertThat(listed.out()).contains("expired ");
        assertThat(listed.err()).contains("warning: " + branches.resolve("junk.db.keel-branch"));

        Run dry = run("branch", "reap", "--dir", branches.toString(), "--dry-run");
        assertThat(dry.out()).contains("would delete " + branches.resolve("b.db"), "(dry run)");
        assertThat(Files.exists(branches.resolve("b.db"))).isTrue();
        Run reaped = run("branch", "reap", "--dir", branches.toString(), "--json");
        assertThat(reaped.status()).isZero();
        assertThat(reaped.out()).contains("\"reaped\"", branches.resolve("b.db").toString());
        assertThat(Files.exists(branches.resolve("b.db"))).isFalse();
        assertThat(Files.exists(branches.resolve("b.db.keel-branch"))).isFalse();
    }

    @Test
    void branchFromAReplicaUrlAtATimestampAsKeelRestoreReadsIt() throws Exception {
        Path db = dir.resolve("app.db");
        Path replica = dir.resolve("replica");
        Instant moment;
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (x)");
            try (Replicator r = Replicator.configure().databases(List.of(DatabaseConfig.of(db,
                    List.of(new ReplicaConfig("file", new ReplicaStorage.File(replica), null, null, null, null, null)))))
                    .backgroundLoops(false).start()) {
                s.execute("INSERT INTO t VALUES (1)");
                r.sync();
                Thread.sleep(50);
                moment = Instant.now();
                Thread.sleep(50);
                s.execute("INSERT INTO t VALUES (2)");
                r.sync();
            }
        }
        Path to = dir.resolve("then.db");
        Run created = run("branch", "create", "--from", "file://" + replica, "-timestamp", moment.toString(), "--to", to.toString(),
                "--json");
        assertThat(created.status()).as(created.err()).isZero();
        assertThat(count(to)).isEqualTo(1);
        JsonNode json = new com.fasterxml.jackson.databind.ObjectMapper().readTree(created.out());
        assertThat(json.get("sourceKind").asText()).isEqualTo("replica");
        assertThat(json.get("generation").asText()).hasSize(16);

        Path config = Files.writeString(dir.resolve("keel.yml"), "dbs:\n  - path: " + db + "\n    replicas:\n      - path: " + replica + "\n");
        Path viaConfig = dir.resolve("via-config.db");
        Run configured = run("branch", "create", "--from", db.toString(), "-config", config.toString(), "-timestamp", moment.toString(),
                "--to", viaConfig.toString());
        assertThat(configured.status()).as(configured.err()).isZero();
        assertThat(count(viaConfig)).isEqualTo(1); // the configured database's replica at that moment, not the live file
        assertThat(count(db)).isEqualTo(2);

        Run bad = run("branch", "create", "--from", "file://" + replica, "-timestamp", "yesterday", "--to", dir.resolve("x.db").toString());
        assertThat(bad.status()).isEqualTo(64);
        assertThat(bad.err()).contains("invalid -timestamp");
    }

    @Test
    void usageAndRefusalsHaveTheirExitStatuses() throws Exception {
        Path db = database("app.db", "CREATE TABLE t (x)");
        Run badTtl = run("branch", "create", "--from", db.toString(), "--to", dir.resolve("b.db").toString(), "--ttl", "3 days");
        assertThat(badTtl.status()).isEqualTo(64);
        assertThat(badTtl.err()).contains("invalid --ttl", "hint:");
        assertThat(run("branch", "create", "--from", db.toString(), "--to", dir.resolve("b.db").toString(), "--ttl", "9000h").status())
                .isEqualTo(64);
        Run same = run("branch", "create", "--from", db.toString(), "--to", dir.resolve("./x/../app.db").toString());
        assertThat(same.status()).isEqualTo(3);
        assertThat(same.err()).contains("--to is the source database");
        assertThat(run("branch", "create", "--from", dir.resolve("none.db").toString(), "--to", dir.resolve("b.db").toString()).status())
                .isEqualTo(66);
        Path scrub = Files.writeString(dir.resolve("s.sql"), "UPDATE t SET x = 1;\nUPDATE missing SET y = 2;\n");
        Run failed = run("branch", "create", "--from", db.toString(), "--to", dir.resolve("b.db").toString(), "--scrub", scrub.toString());
        assertThat(failed.status()).isEqualTo(1);
        assertThat(failed.err()).contains(scrub + ":2", "no such table: missing");
        assertThat(Files.exists(dir.resolve("b.db"))).isFalse();
        assertThat(run("branch", "extend", db.toString(), "--ttl", "1h").status()).isEqualTo(66);
        assertThat(run("branch", "list", "--dir", dir.resolve("nope").toString()).status()).isEqualTo(66);
    }
}
