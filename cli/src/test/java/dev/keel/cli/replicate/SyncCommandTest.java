package dev.keel.cli.replicate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.Keel;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.spi.ReplicaUrl;
import dev.keel.server.ListenAddress;
import dev.keel.server.OperationsServer;
import dev.keel.server.ServerOptions;
import dev.keel.testing.ReplicationScenario;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel sync} asking a running replicator's server, through the real command line and a real HTTP server. */
@Timeout(120)
class SyncCommandTest {
    record Run(int status, String out, String err) {
    }

    static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true), args).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void syncWaitsForTheReplicaAndSaysWhatWentWrong(@TempDir Path dir) throws Exception {
        Path db = dir.resolve("app.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE t (v TEXT)");
        }
        DatabaseConfig config = ReplicationScenario.database(db, ReplicaUrl.parse(dir.resolve("replica").toString()));
        try (OperationsServer server = OperationsServer.start(ServerOptions.at(ListenAddress.parse("127.0.0.1:0")));
             Replicator replicator = Replicator.configure().databases(List.of(config)).listener(server.listener()).start()) {
            String addr = "127.0.0.1:" + server.address().getPort();
            Run starting = run("sync", "-addr", addr, db.toString());
            assertThat(starting.status()).as("before the replicator is served: " + starting.err()).isEqualTo(69);
            server.serveSync(replicator);
            try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
                s.execute("INSERT INTO t VALUES ('a payment')");
            }
            Run ok = run("sync", "-addr", addr, "-wait", "30s", db.toString());
            assertThat(ok.status()).as(ok.err()).isZero();
            assertThat(ok.out()).contains("replicated: " + db);
            Run json = run("sync", "-addr", addr, "--json", db.toString());
            assertThat(json.status()).as(json.err()).isZero();
            assertThat(new com.fasterxml.jackson.databind.ObjectMapper().readTree(json.out()).get("replicated").asBoolean()).isTrue();

            Run unknown = run("sync", "-addr", addr, dir.resolve("other.db").toString());
            assertThat(unknown.status()).isEqualTo(66);
            assertThat(unknown.err()).contains("other.db");
            Run badWait = run("sync", "-addr", addr, "-wait", "soon", db.toString());
            assertThat(badWait.status()).isEqualTo(64);
            assertThat(badWait.err()).contains("not a duration");
        }
        assertThat(run("sync", db.toString()).status()).as("no address").isEqualTo(64);
        Path noAddr = Files.writeString(dir.resolve("keel.yml"), "dbs:\n  - path: " + db + "\n    replicas:\n      - url: file://" + dir + "/r\n");
        Run configWithout = run("sync", "-config", noAddr.toString(), db.toString());
        assertThat(configWithout.status()).isEqualTo(64);
        assertThat(configWithout.err()).contains("no addr");
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Run nobody = run("sync", "-addr", "127.0.0.1:" + closedPort, db.toString());
        assertThat(nobody.status()).isEqualTo(69);
        assertThat(nobody.err()).contains("cannot reach keel replicate");
    }
}
