package dev.keel.cli;

import static dev.keel.cli.KeelCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.keel.cli.KeelCliTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabasesCommandTest {
    private static final String SECRETS_CONFIG = """
            access-key-id: GLOBAL-KEY-ID
            secret-access-key: GLOBAL-SECRET-KEY
            dbs:
              - path: /srv/app/app.db
                replicas:
                  - path: /backups/app
                  - name: offsite
                    url: s3://bkt.localhost:9000/app
                    secret-access-key: OWN-SECRET-KEY
              - path: /srv/app/users.db
                replicas:
                  - url: sftp://backup:SFTP-PASSWORD@backup.example.com:2222/srv/users
                  - type: abs
                    account-name: acct
                    account-key: ACCOUNT-KEY
                    sas-token: SAS-TOKEN
                    bucket: container
                    path: users
            """;

    @TempDir
    Path tmp;

    private Path config(String text) throws Exception {
        Path file = tmp.resolve("keel.yml");
        Files.writeString(file, text);
        return file;
    }

    @Test
    void printsLitestreamColumns() throws Exception {
        Run r = run("databases", "-config", config(SECRETS_CONFIG).toString());
        assertThat(r.status()).as(r.err()).isZero();
        assertThat(r.out()).isEqualTo("""
                path               replicas
                /srv/app/app.db    file,offsite
                /srv/app/users.db  sftp,abs
                """);
    }

    @Test
    void jsonHasOneObjectPerDatabaseWithReplicaDescriptions() throws Exception {
        Path file = config(SECRETS_CONFIG);
        Run r = run("databases", "--config", file.toString(), "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertThat(root.get("config").asText()).isEqualTo(file.toString());
        JsonNode dbs = root.get("databases");
        assertThat(dbs).hasSize(2);
        assertThat(dbs.get(0).get("path").asText()).isEqualTo("/srv/app/app.db");
        assertThat(dbs.get(0).get("checkpointInterval").asText()).isEqualTo("1m0s");
        JsonNode replicas = dbs.get(0).get("replicas");
        assertThat(replicas.get(0).get("name").asText()).isEqualTo("file");
        assertThat(replicas.get(0).get("type").asText()).isEqualTo("file");
        assertThat(replicas.get(0).get("url").asText()).isEqualTo("file:///backups/app");
        assertThat(replicas.get(0).get("retention").asText()).isEqualTo("24h0m0s");
        assertThat(replicas.get(1).get("name").asText()).isEqualTo("offsite");
        assertThat(replicas.get(1).get("type").asText()).isEqualTo("s3");
        assertThat(replicas.get(1).get("url").asText()).contains("bkt").contains("localhost:9000").contains("app");
        JsonNode users = dbs.get(1).get("replicas");
        assertThat(users.get(0).get("type").asText()).isEqualTo("sftp");
        assertThat(users.get(0).get("url").asText()).isEqualTo("sftp://backup@backup.example.com:2222/srv/users");
        assertThat(users.get(1).get("url").asText()).isEqualTo("abs://acct@container/users");
    }

    @Test
    void credentialsAreNeverPrinted() throws Exception {
        String file = config(SECRETS_CONFIG).toString();
        for (Run r : new Run[]{run("databases", "-config", file), run("databases", "-config", file, "--json")}) {
            assertThat(r.status()).isZero();
            for (String secret : new String[]{"GLOBAL-KEY-ID", "GLOBAL-SECRET-KEY", "OWN-SECRET-KEY", "SFTP-PASSWORD",
                    "ACCOUNT-KEY", "SAS-TOKEN"}) {
                assertThat(r.out() + r.err()).doesNotContain(secret);
            }
        }
    }

    @Test
    void emptyConfigPrintsTheHeaderOnly() throws Exception {
        Run r = run("databases", "-config", config("dbs: []\n").toString());
        assertThat(r.status()).isZero();
        assertThat(r.out()).isEqualTo("path  replicas\n");
        Run json = run("databases", "-config", config("dbs: []\n").toString(), "-json");
        assertThat(new ObjectMapper().readTree(json.out()).get("databases")).isEmpty();
    }

    @Test
    void missingConfigIsExit66NamingIt() {
        Path missing = tmp.resolve("nope.yml");
        Run r = run("databases", "-config", missing.toString());
        assertThat(r.status()).isEqualTo(66);
        assertThat(r.err()).contains("error: " + missing + ": config file not found").contains("hint: ");
        assertThat(r.out()).isEmpty();
    }

    @Test
    void badConfigIsExit65WithFileLineAndKey() throws Exception {
        Path file = config("dbs:\n  - path: /a.db\n    replicas:\n      - pth: /b\n");
        Run r = run("databases", "-config", file.toString());
        assertThat(r.status()).isEqualTo(65);
        assertThat(r.err()).contains("error: " + file + ":4: unknown key 'pth'").contains("did you mean 'path'?");
        Run json = run("databases", "-config", file.toString(), "--json");
        assertThat(json.status()).isEqualTo(65);
        JsonNode error = new ObjectMapper().readTree(json.err()).get("error");
        assertThat(error.get("code").asText()).isEqualTo("BAD_INPUT");
        assertThat(error.get("subject").asText()).isEqualTo(file + ":4");
    }

    @Test
    void noExpandEnvKeepsDollarSigns() throws Exception {
        Path file = config("dbs:\n  - path: /data/$KEEL_TEST_SURELY_UNSET.db\n");
        Run expanded = run("databases", "-config", file.toString());
        assertThat(expanded.out()).contains("/data/.db");
        Run literal = run("databases", "-no-expand-env", "-config", file.toString());
        assertThat(literal.out()).contains("/data/$KEEL_TEST_SURELY_UNSET.db");
        Run literal2 = run("databases", "--no-expand-env", "--config", file.toString());
        assertThat(literal2.out()).isEqualTo(literal.out());
    }

    @Test
    void exampleConfigsInTheRepositoryLoad() throws Exception {
        Path examples = Path.of("..", "examples").toAbsolutePath().normalize();
        Run keel = run("databases", "-config", examples.resolve("keel.yml").toString());
        assertThat(keel.status()).as(keel.err()).isZero();
        assertThat(keel.out()).contains("file");
        Run litestream = run("databases", "-config", examples.resolve("litestream.yml").toString(), "--json");
        assertThat(litestream.status()).as(litestream.err()).isZero();
        assertThat(litestream.out()).contains("\"s3\"").contains("\"sftp\"").contains("\"abs\"");
    }

    private static final String THREE_DATABASES = """
            dbs:
              - path: /srv/a.db
                replicas: [{path: /backups/a}]
              - path: /srv/b.db
                replicas: [{path: /backups/b}]
              - path: /srv/c.db
                replicas: [{path: /backups/c}]
            """;

    @Test
    void jsonShowsTheHeldMemoryAtItsDefault() throws Exception {
        Run r = run("databases", "-config", config(THREE_DATABASES).toString(), "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode memory = new ObjectMapper().readTree(r.out()).get("heldMemory");
        assertThat(memory.get("bytes").asLong()).isEqualTo(448L << 20);
        assertThat(memory.get("perHeldDatabase").asLong()).isEqualTo(224L << 10);
        assertThat(memory.get("heldBudget").asInt()).isEqualTo(2048);
        assertThat(memory.get("limiting").asBoolean()).isFalse();
        assertThat(r.err()).doesNotContain("held-memory");
    }

    /** The key is not only read: it is the budget shown, and the warning says memory is what parks databases. */
    @Test
    void configuredHeldMemoryBoundsTheDatabasesHeldAndTheWarningSaysSo() throws Exception {
        Path file = config("held-memory: 448KiB\n" + THREE_DATABASES);
        Run r = run("databases", "-config", file.toString(), "--json");
        assertThat(r.status()).as(r.err()).isZero();
        JsonNode root = new ObjectMapper().readTree(r.out());
        JsonNode memory = root.get("heldMemory");
        assertThat(memory.get("bytes").asLong()).isEqualTo(448L << 10);
        assertThat(memory.get("perHeldDatabase").asLong()).isEqualTo(224L << 10);
        assertThat(memory.get("heldBudget").asInt()).isEqualTo(2);
        assertThat(memory.get("limiting").asBoolean()).isTrue();
        assertThat(root.get("descriptors").get("heldBudget").asInt()).isGreaterThan(2); // not what limits here

        Run text = run("databases", "-config", file.toString());
        assertThat(text.status()).as(text.err()).isZero();
        assertThat(text.out()).startsWith("path").doesNotContain("warning");
        assertThat(text.err()).contains("warning: ").contains("held-memory").contains("448KiB")
                .contains("at most 2 of the 3 databases").contains("parks the other 1")
                .contains("672KiB").doesNotContain("ulimit");
        assertThat(r.err()).isEqualTo(text.err());
    }
}
