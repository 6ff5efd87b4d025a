package dev.keel.replication.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicaUrl;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A dir entry's databases: replicas at prefix + relative path on every backend, and overlaps with other entries. */
class DirectoryConfigTest {
    private static final Path ROOT = Path.of("/srv/tenants");

    private static DirectoryConfig entry(Path root, boolean recursive, String... urls) {
        List<ReplicaConfig> replicas = new java.util.ArrayList<>();
        for (int i = 0; i < urls.length; i++) {
            replicas.add(new ReplicaConfig("r" + i, ReplicaUrl.parse(urls[i]), Duration.ofSeconds(3), null, null, null, null));
        }
        DatabaseConfig template = new DatabaseConfig(root, null, Duration.ofMillis(250), null, 0, 0, replicas);
        return new DirectoryConfig(new DatabaseDirectory(root, "*.db", recursive), template, true);
    }

    @Test
    void eachDatabasesReplicasAreTheEntrysWithItsRelativePathAppended() {
        DirectoryConfig d = entry(ROOT, true, "s3://bkt/tenants", "file:///backups/tenants", "sftp://u@host:22/srv/b",
                "abs://acct@container/fleet", "gcs://gbkt/fleet");
        DatabaseConfig db = d.database(ROOT.resolve("eu/acme.db"));
        assertThat(db.path()).isEqualTo(ROOT.resolve("eu/acme.db"));
        assertThat(db.monitorInterval()).isEqualTo(Duration.ofMillis(250));
        assertThat(db.replicas()).extracting(r -> r.storage().describe()).containsExactly("s3://bkt/tenants/eu/acme.db",
                "file:///backups/tenants/eu/acme.db", "sftp://u@host:22/srv/b/eu/acme.db", "abs://acct@container/fleet/eu/acme.db",
                "gcs://gbkt/fleet/eu/acme.db");
        assertThat(db.replicas()).extracting(ReplicaConfig::name).containsExactly("r0", "r1", "r2", "r3", "r4");
        assertThat(db.replicas().get(0).syncInterval()).isEqualTo(Duration.ofSeconds(3));
        assertThat(((ReplicaStorage.S3) db.replicas().get(0).storage()).bucket()).isEqualTo("bkt");
    }

    @Test
    void aReplicaAtTheRootOfABucketGetsTheRelativePathAlone() {
        assertThat(ReplicaUrl.parse("s3://bkt").below("a.db").describe()).isEqualTo("s3://bkt/a.db");
    }

    @Test
    void aNameThatWouldLeaveThePrefixIsRefused() {
        ReplicaStorage s3 = ReplicaUrl.parse("s3://bkt/tenants");
        for (String bad : List.of("../other.db", "eu/../../x.db", "/etc/passwd", "", "a//b.db", "c:\\x.db", "a\\..\\b.db")) {
            assertThatThrownBy(() -> s3.below(bad)).as(bad).isInstanceOfSatisfying(KeelException.class,
                    e -> assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT));
            assertThatThrownBy(() -> entry(ROOT, true, "s3://bkt/t").database(bad)).as(bad).isInstanceOf(KeelException.class);
        }
    }

    @Test
    void matchesByPatternAndDepth() {
        assertThat(entry(ROOT, false).matches("a.db")).isTrue();
        assertThat(entry(ROOT, false).matches("eu/a.db")).isFalse();
        assertThat(entry(ROOT, true).matches("eu/a.db")).isTrue();
        assertThat(entry(ROOT, true).matches("eu/a.db-wal")).isFalse();
        assertThat(entry(ROOT, true).matches("eu/a.sqlite")).isFalse();
    }

    @Test
    void aPathEntryInsideADirEntryThatMatchesIsRefusedOneThatDoesNotMatchIsNot() {
        DatabaseConfig inside = DatabaseConfig.of(ROOT.resolve("eu/acme.db"), List.of());
        Optional<Overlap> o = Overlaps.find(List.of(inside), List.of(entry(ROOT, true)));
        assertThat(o).isPresent();
        assertThat(o.get().kind()).isEqualTo(Overlap.Kind.IN_DIRECTORY);
        assertThat(o.get().first().database()).isZero();
        assertThat(o.get().second().database()).isEqualTo(1);
        assertThat(o.get().toException().getMessage()).contains("database " + ROOT.resolve("eu/acme.db"))
                .contains("dir entry " + ROOT);
        assertThat(Overlaps.find(List.of(inside), List.of(entry(ROOT, false)))).isEmpty(); // nested, not recursive
        assertThat(Overlaps.find(List.of(DatabaseConfig.of(ROOT.resolve("app.sqlite"), List.of())), List.of(entry(ROOT, false)))).isEmpty();
    }

    @Test
    void dirEntriesWhoseTreesMeetAreRefused() {
        assertThat(Overlaps.find(List.of(), List.of(entry(ROOT, false), entry(ROOT, false)))).isPresent();
        assertThat(Overlaps.find(List.of(), List.of(entry(ROOT, true), entry(ROOT.resolve("eu"), false)))).isPresent();
        assertThat(Overlaps.find(List.of(), List.of(entry(ROOT.resolve("eu"), false), entry(ROOT, true)))).isPresent();
        assertThat(Overlaps.find(List.of(), List.of(entry(ROOT, false), entry(ROOT.resolve("eu"), false)))).isEmpty();
    }

    @Test
    void aDirEntrysReplicaPrefixTakesItsWholeTree() {
        DatabaseConfig other = DatabaseConfig.of(Path.of("/srv/app.db"),
                List.of(ReplicaConfig.of(ReplicaUrl.parse("s3://bkt/tenants/app"))));
        Optional<Overlap> o = Overlaps.find(List.of(other), List.of(entry(ROOT, true, "s3://bkt/tenants")));
        assertThat(o).isPresent();
        assertThat(o.get().kind()).isEqualTo(Overlap.Kind.SHARED_LOCATION);
        assertThat(Overlaps.find(List.of(other), List.of(entry(ROOT, true, "s3://bkt/fleet")))).isEmpty();
    }

    @Test
    void gcsReplicasOverlapByBucketAndPathPrefix() {
        DatabaseConfig other = DatabaseConfig.of(Path.of("/srv/app.db"),
                List.of(ReplicaConfig.of(ReplicaUrl.parse("gcs://gbkt/tenants/app"))));
        assertThat(Overlaps.find(List.of(other), List.of(entry(ROOT, true, "gcs://gbkt/tenants")))).isPresent();
        assertThat(Overlaps.find(List.of(other), List.of(entry(ROOT, true, "gcs://gbkt/fleet")))).isEmpty();
        assertThat(Overlaps.find(List.of(other), List.of(entry(ROOT, true, "gcs://other/tenants")))).isEmpty();
        // the same bucket and path on S3 is another place
        assertThat(Overlaps.find(List.of(other), List.of(entry(ROOT, true, "s3://gbkt/tenants")))).isEmpty();
    }
}
