package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.restore.DatabaseRestoreOutcome;
import dev.keel.replication.restore.DatabaseRestoreOutcome.Status;
import dev.keel.replication.restore.FleetRestore;
import dev.keel.replication.restore.FleetRestoreOptions;
import dev.keel.replication.restore.FleetRestoreReport;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Restoring a fleet of databases Keel's replicator wrote below one prefix, or listed in a config. */
class FleetRestoreTest {
    @TempDir
    Path dir;

    private Map<String, List<String>> replicate(List<String> paths) throws Exception {
        Path prefix = dir.resolve("prefix");
        return ReplicatedFleet.write(dir.resolve("source"), paths, p -> new ReplicaStorage.File(prefix.resolve(p)));
    }

    private FleetRestoreReport restorePrefix(Path out, FleetRestoreOptions options) {
        return FleetRestore.restorePrefix(new FileReplicaClient(dir.resolve("prefix")), out, options);
    }

    private static DatabaseRestoreOutcome outcome(FleetRestoreReport report, String database) {
        return report.databases().stream().filter(d -> d.database().equals(database)).findFirst().orElseThrow();
    }

    @Test
    void restoresEveryDatabaseBelowAPrefixKeepingRelativePaths() throws Exception {
        List<String> paths = ReplicatedFleet.nestedPaths(20);
        Map<String, List<String>> expected = replicate(paths);
        Path out = dir.resolve("out");
        AtomicInteger finished = new AtomicInteger();
        FleetRestoreReport report = restorePrefix(out, FleetRestoreOptions.defaults().withParallelism(4)
                .withListener(new dev.keel.replication.restore.FleetRestoreListener() {
                    @Override
                    public void finished(DatabaseRestoreOutcome o, int done, int total) {
                        finished.incrementAndGet();
                    }
                }));
        assertThat(report.databases()).extracting(DatabaseRestoreOutcome::database).containsExactlyElementsOf(paths.stream().sorted().toList());
        assertThat(report.databases()).allSatisfy(d -> assertThat(d.status()).as(d.reason()).isEqualTo(Status.RESTORED));
        assertThat(report.worstFailure()).isEmpty();
        assertThat(finished).hasValue(20);
        for (String p : paths) {
            assertThat(ReplicatedFleet.rows(out.resolve(p))).as(p).isEqualTo(expected.get(p)).isNotEmpty();
            assertThat(outcome(report, p).output()).isEqualTo(out.resolve(p).toAbsolutePath());
        }
    }

    @Test
    void aCorruptReplicaFailsItsDatabaseOnlyAndNamesIt() throws Exception {
        List<String> paths = ReplicatedFleet.nestedPaths(6);
        Map<String, List<String>> expected = replicate(paths);
        String broken = paths.get(2);
        try (Stream<Path> files = Files.walk(dir.resolve("prefix").resolve(broken))) {
            for (Path f : files.filter(f -> f.toString().endsWith(".snapshot.lz4")).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                for (int i = bytes.length / 2; i < bytes.length; i++) bytes[i] ^= (byte) 0xa5; // fails the frame's checksum
                Files.write(f, bytes);
            }
        }
        Path out = dir.resolve("out");
        FleetRestoreReport report = restorePrefix(out, FleetRestoreOptions.defaults().withParallelism(1));
        DatabaseRestoreOutcome failed = outcome(report, broken);
        assertThat(failed.status()).isEqualTo(Status.FAILED);
        assertThat(failed.failure().code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(failed.failure().subject()).contains(broken);
        assertThat(report.worstFailure()).contains(ErrorCode.BAD_INPUT);
        assertThat(report.count(Status.RESTORED)).isEqualTo(5);
        assertThat(out.resolve(broken)).doesNotExist();
        for (String p : paths) {
            if (!p.equals(broken)) assertThat(ReplicatedFleet.rows(out.resolve(p))).as(p).isEqualTo(expected.get(p));
        }
    }

    @Test
    void linksNeverLeadARestoreOutOfTheOutputDirectory() throws Exception {
        List<String> paths = List.of("ok.db", "evil/a.db", "inside/b.db");
        Map<String, List<String>> expected = replicate(paths);
        Path outside = Files.createDirectories(dir.resolve("outside"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.createSymbolicLink(out.resolve("evil"), outside);
        Files.createDirectories(out.resolve("real"));
        Files.createSymbolicLink(out.resolve("inside"), out.resolve("real")); // a link that stays inside is fine
        // A linked directory in the replica tree is listed as a link, never followed: not a database.
        Path elsewhere = dir.resolve("elsewhere");
        ReplicatedFleet.write(dir.resolve("source2"), List.of("x.db"), p -> new ReplicaStorage.File(elsewhere.resolve(p)));
        Files.createSymbolicLink(dir.resolve("prefix").resolve("linked"), elsewhere);

        FleetRestoreReport report = restorePrefix(out, FleetRestoreOptions.defaults());
        assertThat(report.databases()).extracting(DatabaseRestoreOutcome::database).containsExactly("evil/a.db", "inside/b.db", "ok.db");
        DatabaseRestoreOutcome evil = outcome(report, "evil/a.db");
        assertThat(evil.status()).isEqualTo(Status.FAILED);
        assertThat(evil.failure().code()).isEqualTo(ErrorCode.REFUSED);
        assertThat(evil.reason()).contains("link");
        try (Stream<Path> files = Files.list(outside)) {
            assertThat(files).isEmpty();
        }
        assertThat(ReplicatedFleet.rows(out.resolve("real/b.db"))).isEqualTo(expected.get("inside/b.db"));
        assertThat(ReplicatedFleet.rows(out.resolve("ok.db"))).isEqualTo(expected.get("ok.db"));
        assertThat(report.worstFailure()).contains(ErrorCode.REFUSED);
    }

    @Test
    void existingOutputsAreSkippedWithIfDbNotExistsAndRefusedWithout() throws Exception {
        List<String> paths = List.of("a.db", "sub/b.db");
        Map<String, List<String>> expected = replicate(paths);
        Path out = dir.resolve("out");
        Files.createDirectories(out.resolve("sub"));
        Files.writeString(out.resolve("sub/b.db"), "mine");

        FleetRestoreReport refused = restorePrefix(out, FleetRestoreOptions.defaults());
        assertThat(outcome(refused, "sub/b.db").failure().code()).isEqualTo(ErrorCode.REFUSED);
        assertThat(refused.worstFailure()).contains(ErrorCode.REFUSED);
        assertThat(outcome(refused, "a.db").status()).isEqualTo(Status.RESTORED);

        FleetRestoreReport skipped = restorePrefix(out, FleetRestoreOptions.defaults().withIfDbNotExists(true));
        assertThat(skipped.databases()).extracting(DatabaseRestoreOutcome::status).containsOnly(Status.SKIPPED);
        assertThat(skipped.worstFailure()).isEmpty();
        assertThat(Files.readString(out.resolve("sub/b.db"))).isEqualTo("mine");
        assertThat(ReplicatedFleet.rows(out.resolve("a.db"))).isEqualTo(expected.get("a.db"));
    }

    @Test
    void aStaleWalBesideAnOutputIsRefusedForThatDatabase() throws Exception {
        replicate(List.of("a.db", "b.db"));
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("b.db-wal"), "left over");
        FleetRestoreReport report = restorePrefix(out, FleetRestoreOptions.defaults().withIfDbNotExists(true));
        assertThat(outcome(report, "b.db").failure().code()).isEqualTo(ErrorCode.REFUSED);
        assertThat(outcome(report, "b.db").reason()).contains("b.db-wal");
        assertThat(outcome(report, "a.db").status()).isEqualTo(Status.RESTORED);
    }

    @Test
    void restoresEveryConfiguredDatabaseToItsPath() throws Exception {
        List<String> paths = List.of("one.db", "two/two.db", "three.db");
        Map<String, List<String>> expected = replicate(paths);
        Path target = dir.resolve("host");
        List<DatabaseConfig> configs = new ArrayList<>();
        for (String p : paths) {
            configs.add(DatabaseConfig.of(target.resolve(p), List.of(new ReplicaConfig("backup",
                    new ReplicaStorage.File(dir.resolve("prefix").resolve(p)), null, null, null, null, null))));
        }
        configs.add(DatabaseConfig.of(target.resolve("never.db"), List.of(ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("empty"))))));
        FleetRestoreReport report = FleetRestore.restoreConfigured(configs, null, FleetRestoreOptions.defaults());
        for (String p : paths) {
            assertThat(outcome(report, target.resolve(p).toString()).replica()).isEqualTo("backup");
            assertThat(ReplicatedFleet.rows(target.resolve(p))).isEqualTo(expected.get(p));
        }
        assertThat(outcome(report, target.resolve("never.db").toString()).failure().code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(report.worstFailure()).contains(ErrorCode.NOT_FOUND);

        FleetRestoreReport again = FleetRestore.restoreConfigured(configs, null,
                FleetRestoreOptions.defaults().withIfDbNotExists(true).withIfReplicaExists(true));
        assertThat(again.databases()).extracting(DatabaseRestoreOutcome::status).containsOnly(Status.SKIPPED);
    }

    @Test
    void aConfiguredDatabaseThatIsALinkToAMissingFileIsRefusedNotSkipped() throws Exception {
        replicate(List.of("app.db"));
        Path host = Files.createDirectories(dir.resolve("host"));
        Path link = Files.createSymbolicLink(host.resolve("app.db"), dir.resolve("volume-not-mounted/app.db"));
        DatabaseConfig config = DatabaseConfig.of(link, List.of(ReplicaConfig.of(new ReplicaStorage.File(dir.resolve("prefix/app.db")))));
        FleetRestoreReport report = FleetRestore.restoreConfigured(List.of(config), null,
                FleetRestoreOptions.defaults().withIfDbNotExists(true));
        DatabaseRestoreOutcome outcome = outcome(report, link.toString());
        assertThat(outcome.status()).isEqualTo(Status.FAILED);
        assertThat(outcome.failure().code()).isEqualTo(ErrorCode.REFUSED);
        assertThat(outcome.failure().message()).contains("volume-not-mounted");
        assertThat(Files.exists(dir.resolve("volume-not-mounted"))).isFalse();
    }

    @Test
    void anEmptyPrefixIsNotFoundUnlessIfReplicaExists() throws Exception {
        Files.createDirectories(dir.resolve("prefix"));
        assertThatThrownBy(() -> restorePrefix(dir.resolve("out"), FleetRestoreOptions.defaults()))
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
        assertThat(restorePrefix(dir.resolve("out"), FleetRestoreOptions.defaults().withIfReplicaExists(true)).databases()).isEmpty();
    }
}
