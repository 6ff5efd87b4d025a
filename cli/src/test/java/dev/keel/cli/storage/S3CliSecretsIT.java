package dev.keel.cli.storage;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.testing.S3TestServer;
import dev.keel.testing.WriterLoad;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code keel} command (the built jar, in a child process, as users run it) with wrong S3
 * credentials or a missing bucket: exit status 69, the replica named, no stack trace, and the secret
 * neither in the text nor in the {@code --json} error. An integration test: the jar is packaged
 * before it runs.
 */
@Timeout(120)
class S3CliSecretsIT {
    @RegisterExtension
    static final S3TestServer SERVER = new S3TestServer();
    private static final String BUCKET = "keel-cli";

    @TempDir
    Path dir;

    @BeforeAll
    static void createBucket() {
        SERVER.createBucket(BUCKET); // the server itself is started and stopped by the extension
    }

    private record Run(int status, String output) {
    }

    private static Run keel(Map<String, String> env, String... args) throws IOException, InterruptedException {
        Path jar = Path.of(System.getProperty("keel.tools.dir", ".tools")).toAbsolutePath().getParent().resolve("cli/target/keel.jar");
        assertThat(jar).as("the keel jar is packaged before integration tests").isRegularFile();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().keySet().removeIf(k -> k.startsWith("AWS_") || k.startsWith("LITESTREAM_"));
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).as(output).isTrue();
        return new Run(p.exitValue(), output);
    }

    private static String url(String bucket) {
        return "s3://" + bucket + ".127.0.0.1:" + SERVER.port() + "/app";
    }

    @Test
    void wrongCredentialsAndMissingBucketAreReportedWithoutTheSecretOrAStackTrace() throws Exception {
        Path db = dir.resolve("app.db");
        WriterLoad.create(db);
        String wrongSecret = "wrong-secret-" + UUID.randomUUID();
        Map<String, String> wrong = Map.of("LITESTREAM_ACCESS_KEY_ID", SERVER.accessKeyId(), "LITESTREAM_SECRET_ACCESS_KEY", wrongSecret);
        Map<String, String> right = Map.of("LITESTREAM_ACCESS_KEY_ID", SERVER.accessKeyId(),
                "LITESTREAM_SECRET_ACCESS_KEY", SERVER.secretAccessKey());
        List<Run> runs = List.of(
                keel(wrong, "replicate", db.toString(), url(BUCKET)),
                keel(wrong, "generations", "--json", url(BUCKET)),
                keel(wrong, "restore", "--json", "-o", dir.resolve("out.db").toString(), url(BUCKET)),
                keel(right, "replicate", db.toString(), url("no-such-bucket")),
                keel(wrong, "replicate", "--json", db.toString(), url(BUCKET)));
        for (Run run : runs) {
            assertThat(run.status()).as(run.output()).isEqualTo(69);
            assertThat(run.output()).doesNotContain(wrongSecret).doesNotContain(SERVER.secretAccessKey())
                    .doesNotContain("\tat ").doesNotContain("Exception");
        }
        assertThat(runs.get(0).output()).contains("error: s3://" + BUCKET + "/app").contains("credentials").contains("hint: ");
        assertThat(runs.get(1).output()).contains("\"code\"").contains("STORAGE_UNAVAILABLE").contains("s3://" + BUCKET + "/app");
        assertThat(runs.get(2).output()).contains("STORAGE_UNAVAILABLE");
        assertThat(runs.get(3).output()).contains("no-such-bucket").contains("does not exist");
        assertThat(runs.get(4).output()).contains("STORAGE_UNAVAILABLE");
    }
}
