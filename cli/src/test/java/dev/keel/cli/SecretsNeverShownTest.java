package dev.keel.cli;

import static dev.keel.cli.KeelCliTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.KeelCliTest.Run;
import dev.keel.cli.config.ConfigEnvironment;
import dev.keel.cli.config.ConfigLoader;
import dev.keel.core.KeelException;
import dev.keel.core.Redactor;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A secret in any field that can hold one (every credential key of every replica type, URL passwords,
 * credential query parameters, endpoints with user info, values expanded from the environment) never
 * appears in anything Keel prints: text and JSON errors (with and without -x), {@code databases} as
 * text and JSON, and the daemon's log.
 */
class SecretsNeverShownTest {
    private static final String SECRET = "Sup3rS3cretValue";

    @TempDir
    Path dir;

    /** A replica item (indented under "- ") holding {@link #SECRET} in one field; every one loads. */
    static Stream<Arguments> placements() {
        return Stream.of(
                Arguments.of("s3 secret-access-key", "type: s3\n  bucket: b\n  path: p\n  secret-access-key: " + SECRET),
                Arguments.of("s3 access-key-id", "type: s3\n  bucket: b\n  path: p\n  access-key-id: " + SECRET),
                Arguments.of("s3 quoted secret", "type: s3\n  bucket: b\n  path: p\n  secret-access-key: \"" + SECRET + "\""),
                Arguments.of("s3 endpoint user info", "type: s3\n  bucket: b\n  path: p\n  endpoint: http://minio:" + SECRET + "@minio.local:9000"),
                Arguments.of("s3 endpoint query", "type: s3\n  bucket: b\n  path: p\n  endpoint: https://s3.example.com/?X-Amz-Credential=" + SECRET),
                Arguments.of("sftp password", "type: sftp\n  host: h:2222\n  user: u\n  path: /p\n  password: " + SECRET),
                Arguments.of("sftp url password", "url: sftp://u:" + SECRET + "@h:2222/p"),
                Arguments.of("sftp url password encoded", "url: sftp://u:" + SECRET + "%40x@h/p"),
                Arguments.of("abs account-key", "type: abs\n  account-name: acct\n  bucket: c\n  path: p\n  account-key: " + SECRET),
                Arguments.of("abs sas-token", "type: abs\n  account-name: acct\n  bucket: c\n  path: p\n  sas-token: " + SECRET),
                Arguments.of("abs sas-token query", "type: abs\n  account-name: acct\n  bucket: c\n  path: p\n  sas-token: \"sv=2024&sig=" + SECRET + "\""),
                Arguments.of("abs endpoint", "type: abs\n  account-name: acct\n  bucket: c\n  path: p\n  endpoint: http://acct:" + SECRET + "@azurite:10000"),
                Arguments.of("abs url password", "url: abs://acct:" + SECRET + "@c/p"),
                Arguments.of("flow mapping", "{type: s3, bucket: b, path: p, secret-access-key: " + SECRET + "}"));
    }

    private Path config(String replica, boolean twice, String top) throws Exception {
        String item = "      - " + replica.replace("\n  ", "\n        ") + "\n";
        StringBuilder yaml = new StringBuilder(top).append("dbs:\n  - path: ").append(dir.resolve("a.db")).append("\n    replicas:\n").append(item);
        // The same replica under a second database: an overlap error whose message describes the replica.
        if (twice) yaml.append("  - path: ").append(dir.resolve("b.db")).append("\n    replicas:\n").append(item);
        return Files.writeString(dir.resolve("keel.yml"), yaml.toString());
    }

    private static void assertClean(Run r, String what) {
        assertThat(r.out() + r.err()).as(what + "%n%s%s", r.out(), r.err()).doesNotContain(SECRET);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("placements")
    void noOutputShowsTheSecret(String name, String replica) throws Exception {
        String file = config(replica, false, "").toString();
        Run text = run("databases", "-config", file);
        assertThat(text.status()).as(name + ": " + text.err()).isZero();
        assertClean(text, "databases");
        assertClean(run("databases", "-config", file, "--json"), "databases --json");

        String overlapping = config(replica, true, "").toString();
        for (String[] args : List.of(new String[]{"databases", "-config", overlapping},
                new String[]{"databases", "-config", overlapping, "--json"},
                new String[]{"databases", "-config", overlapping, "-x"},
                new String[]{"databases", "-config", overlapping, "--json", "-x"},
                new String[]{"replicate", "-config", overlapping},
                new String[]{"validate", "-config", overlapping, "--json"})) {
            Run r = run(args);
            assertThat(r.status()).as(String.join(" ", args) + ": " + r.err()).isEqualTo(65);
            assertThat(r.err()).contains("overlapping locations");
            assertClean(r, String.join(" ", args));
        }
    }

    @Test
    void globalCredentialsAreHiddenToo() throws Exception {
        String top = "access-key-id: " + SECRET + "-id\nsecret-access-key: " + SECRET + "\n";
        String file = config("url: s3://bkt/app", true, top).toString();
        for (Run r : List.of(run("databases", "-config", file), run("databases", "-config", file, "--json", "-x"))) {
            assertThat(r.status()).isEqualTo(65);
            assertClean(r, "global");
        }
    }

    /** Errors that quote the offending value: the URL, the alias name, the line. */
    static Stream<String> echoingMistakes() {
        return Stream.of(
                "url: abs://acct@c/p?sv=2024&sig=" + SECRET,
                "url: s3://bkt/p?X-Amz-Signature=" + SECRET,
                "url: sftp://u:" + SECRET + "@h:99999/p",
                "url: sftp://u:" + SECRET + "@/p",
                "url: //u:" + SECRET + "@h/p",
                "type: sftp\n  host: h\n  user: u\n  password: *" + SECRET,
                "type: sftp\n  host: h\n  user: u\n  password: !" + SECRET + " [x]",
                "type: s3\n  bucket: b\n  secret-access-key: [" + SECRET + "]",
                "type: s3\n  bucket: b\n  secret-access-key: \"" + SECRET,
                "type: s3\n  bucket: b\n  secret-access-key: '" + SECRET + "\n  region: x: y");
    }

    @ParameterizedTest
    @MethodSource("echoingMistakes")
    void errorsThatQuoteTheFileNeverQuoteASecret(String replica) throws Exception {
        String file = config(replica, false, "").toString();
        for (Run r : List.of(run("databases", "-config", file), run("databases", "-config", file, "--json", "-x"))) {
            assertThat(r.status()).as(r.err()).isEqualTo(65);
            assertThat(r.err()).contains("keel.yml");
            assertClean(r, replica);
        }
    }

    @Test
    void secretsExpandedFromTheEnvironmentAreHiddenInErrorsAndListings() throws Exception {
        Map<String, String> env = Map.of("S3_SECRET", SECRET, "SFTP_PW", SECRET + "-pw", "SAS", "sig=" + SECRET + "-sas",
                "MULTILINE", SECRET + "-first\n" + SECRET + "-second: [");
        String yaml = """
                dbs:
                  - path: /a.db
                    replicas:
                      - {type: s3, bucket: b, path: p, secret-access-key: $S3_SECRET}
                      - url: sftp://u:${SFTP_PW}@h/p
                      - {type: abs, account-name: a, bucket: c, path: p, sas-token: "$SAS"}
                  - path: /b.db
                    replicas:
                      - {type: s3, bucket: b, path: p/b, secret-access-key: "$S3_SECRET"}
                      - url: sftp://u:${SFTP_PW}@h/p
                """;
        Path file = Files.writeString(dir.resolve("env.yml"), yaml);
        ConfigLoader loader = new ConfigLoader(new ConfigEnvironment(env, dir, dir, dir));
        KeelException overlap = org.assertj.core.api.Assertions.catchThrowableOfType(KeelException.class,
                () -> loader.load(file.toString(), true));
        assertThat(overlap.toString()).contains("overlapping").doesNotContain(SECRET);

        Path broken = Files.writeString(dir.resolve("broken.yml"), "dbs:\n  - path: /a.db\n    replicas:\n      - type: sftp\n"
                + "        host: h\n        user: u\n        password: $MULTILINE\n");
        KeelException yamlError = org.assertj.core.api.Assertions.catchThrowableOfType(KeelException.class,
                () -> loader.load(broken.toString(), true));
        assertThat(yamlError).isNotNull();
        assertThat(yamlError.toString()).doesNotContain(SECRET);

        Path fine = Files.writeString(dir.resolve("fine.yml"), yaml.substring(0, yaml.indexOf("  - path: /b.db")));
        var config = loader.load(fine.toString(), true);
        StringWriter json = new StringWriter();
        OutputOptions.printJson(new PrintWriter(json), Map.of("databases", config.databases().toString(),
                "raw", List.of(SECRET, Map.of("nested", "x " + SECRET + " y"))), config.redactor());
        assertThat(json.toString()).contains(Redactor.MASK).doesNotContain(SECRET);
    }

    @Test
    void theDaemonLogHidesSecrets() throws Exception {
        Path good = dir.resolve("good.db");
        try (var c = java.sql.DriverManager.getConnection("jdbc:sqlite:" + good); var s = c.createStatement()) {
            s.execute("PRAGMA journal_mode = wal");
            s.execute("CREATE TABLE t (x)");
        }
        Path bad = dir.resolve("bad.db");
        Files.copy(good, bad);
        // bad.db's replica is on a server that refuses connections: its start is retried and logged, with the endpoint.
        Path config = Files.writeString(dir.resolve("daemon.yml"), """
                dbs:
                  - path: %s
                    replicas:
                      - path: %s
                  - path: %s
                    monitor-interval: 100ms
                    replicas:
                      - type: s3
                        bucket: b
                        endpoint: http://user:%s@127.0.0.1:1
                        access-key-id: id
                        secret-access-key: $KEEL_TEST_SECRET
                """.formatted(good, dir.resolve("r"), bad, SECRET));
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), Keel.class.getName(), "replicate", "-config", config.toString()));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("KEEL_TEST_SECRET", SECRET + "-env");
        Process p = pb.start();
        StringBuilder log = new StringBuilder();
        var in = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        String line;
        while ((line = in.readLine()) != null && System.nanoTime() < deadline) {
            log.append(line).append('\n');
            if (line.contains("127.0.0.1:1")) break;
        }
        p.destroy();
        try {
            while ((line = in.readLine()) != null) log.append(line).append('\n');
        } catch (java.io.IOException closed) {
            // the process is gone
        }
        p.waitFor(20, TimeUnit.SECONDS);
        assertThat(log.toString()).as(log.toString()).contains("127.0.0.1:1").contains(Redactor.MASK).doesNotContain(SECRET);
    }
}
