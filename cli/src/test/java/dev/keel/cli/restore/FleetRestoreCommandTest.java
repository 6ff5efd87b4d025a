package dev.keel.cli.restore;

import static dev.keel.cli.restore.RestoreCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.keel.cli.OutputOptions;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.ReplicatedFleet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel restore} without a database, and with {@code -o DIR/ URL_PREFIX}: many databases, one report. */
class FleetRestoreCommandTest {
    @TempDir
    Path dir;

    private Map<String, List<String>> replicate(List<String> paths) throws Exception {
        Path prefix = dir.resolve("prefix");
        return ReplicatedFleet.write(dir.resolve("source"), paths, p -> new ReplicaStorage.File(prefix.resolve(p)));
    }

    private void corruptSnapshots(String database) throws Exception {
        try (Stream<Path> files = Files.walk(dir.resolve("prefix").resolve(database))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".snapshot.lz4")).toList()) {
                Files.write(f, "not an lz4 frame".getBytes());
            }
        }
    }

    @Test
    void restoresEveryDatabaseBelowAPrefixIntoADirectory() throws Exception {
        List<String> paths = ReplicatedFleet.nestedPaths(5);
        Map<String, List<String>> expected = replicate(paths);
        Path out = dir.resolve("out");
        RestoreCommandsTest.Run r = run("restore", "-parallelism", "3", "-o", out + "/", "file://" + dir.resolve("prefix"));
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        assertThat(r.out().lines().filter(l -> l.startsWith("restored  "))).hasSize(5);
        assertThat(r.out()).contains("5 databases: 5 restored, 0 skipped, 0 failed");
        for (String p : paths) assertThat(ReplicatedFleet.rows(out.resolve(p))).as(p).isEqualTo(expected.get(p));

        // Again into the same (now existing) directory: every output exists.
        RestoreCommandsTest.Run again = run("restore", "-o", out.toString(), "file://" + dir.resolve("prefix"));
        assertThat(again.status()).isEqualTo(3);
        assertThat(again.out()).contains("5 failed").contains("hint: ");
        RestoreCommandsTest.Run skip = run("restore", "-if-db-not-exists", "-o", out.toString(), "file://" + dir.resolve("prefix"));
        assertThat(skip.status()).isZero();
        assertThat(skip.out()).contains("5 skipped");
    }

    @Test
    void oneCorruptReplicaFailsTheCommandButNotTheOthersAndTheJsonReportNamesIt() throws Exception {
        List<String> paths = ReplicatedFleet.nestedPaths(4);
        Map<String, List<String>> expected = replicate(paths);
        corruptSnapshots(paths.get(1));
        Path out = dir.resolve("out");
        RestoreCommandsTest.Run r = run("restore", "--json", "-o", out + "/", "file://" + dir.resolve("prefix"));
        assertThat(r.status()).as(r.err()).isEqualTo(65);
        JsonNode report = OutputOptions.mapper().readTree(r.out());
        assertThat(report.get("restored").asInt()).isEqualTo(3);
        assertThat(report.get("failed").asInt()).isEqualTo(1);
        assertThat(report.get("exitStatus").asInt()).isEqualTo(65);
        assertThat(report.get("databases")).hasSize(4);
        for (JsonNode d : report.get("databases")) {
            String name = d.get("database").asText();
            if (name.equals(paths.get(1))) {
                assertThat(d.get("status").asText()).isEqualTo("failed");
                assertThat(d.get("error").get("code").asText()).isEqualTo("BAD_INPUT");
                assertThat(d.get("error").get("exitStatus").asInt()).isEqualTo(65);
                assertThat(d.get("error").get("subject").asText()).contains(name);
                assertThat(d.get("error").get("hint").asText()).isNotBlank();
            } else {
                assertThat(d.get("status").asText()).isEqualTo("restored");
                assertThat(d.get("output").asText()).isEqualTo(out.resolve(name).toAbsolutePath().toString());
                assertThat(d.get("generation").asText()).hasSize(16);
                assertThat(ReplicatedFleet.rows(out.resolve(name))).isEqualTo(expected.get(name));
            }
        }
    }

    @Test
    void withoutADatabaseEveryConfiguredDatabaseIsRestoredToItsPath() throws Exception {
        List<String> paths = List.of("one.db", "nested/two.db");
        Map<String, List<String>> expected = replicate(paths);
        Path host = dir.resolve("host");
        StringBuilder yml = new StringBuilder("dbs:\n");
        for (String p : paths) {
            yml.append("  - path: ").append(host.resolve(p)).append("\n    replicas:\n      - url: file://")
                    .append(dir.resolve("prefix").resolve(p)).append("\n");
        }
        Path config = Files.writeString(dir.resolve("keel.yml"), yml);
        RestoreCommandsTest.Run r = run("restore", "-config", config.toString());
        assertThat(r.status()).as(r.err() + r.out()).isZero();
        assertThat(r.out()).contains("2 databases: 2 restored");
        for (String p : paths) assertThat(ReplicatedFleet.rows(host.resolve(p))).isEqualTo(expected.get(p));

        RestoreCommandsTest.Run again = run("restore", "-config", config.toString(), "-if-db-not-exists");
        assertThat(again.status()).isZero();
        assertThat(again.out()).contains("skipped   " + host.resolve("one.db")).contains("2 skipped");
    }

    @Test
    void optionsThatNameOneDatabasesHistoryAreUsageErrorsInTheFleetForms() throws Exception {
        Files.createDirectories(dir.resolve("out"));
        RestoreCommandsTest.Run r = run("restore", "-generation", "0011223344556677", "-o", dir.resolve("out").toString(),
                "file://" + dir.resolve("prefix"));
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.err()).contains("-generation and -index");
    }
}
