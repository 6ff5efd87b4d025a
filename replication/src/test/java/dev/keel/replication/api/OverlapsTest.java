package dev.keel.replication.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicaUrl;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two databases (or replicas, or local state directories) that would write one place are found before anything runs. */
class OverlapsTest {
    @TempDir
    Path dir;

    private static DatabaseConfig db(Path path, ReplicaStorage... replicas) {
        List<ReplicaConfig> list = new ArrayList<>();
        for (int i = 0; i < replicas.length; i++) {
            list.add(new ReplicaConfig("r" + i, replicas[i], null, null, null, null, null));
        }
        return DatabaseConfig.of(path, list);
    }

    private static ReplicaStorage url(String url) {
        return ReplicaUrl.parse(url);
    }

    private static ReplicaStorage s3(String bucket, String path, String endpoint) {
        return new ReplicaStorage.S3(bucket, path, null, endpoint, endpoint != null, false, null, null);
    }

    @Test
    void twoDatabasesWithOneReplicaDirectoryOverlap() {
        Path shared = dir.resolve("backups/app");
        Optional<Overlap> o = Overlaps.find(List.of(db(dir.resolve("a.db"), new ReplicaStorage.File(shared)),
                db(dir.resolve("b.db"), new ReplicaStorage.File(dir.resolve("backups/other/../app")))));
        assertThat(o).isPresent();
        assertThat(o.get().kind()).isEqualTo(Overlap.Kind.SHARED_LOCATION);
        assertThat(o.get().first().database()).isZero();
        assertThat(o.get().second().database()).isEqualTo(1);
        var e = o.get().toException();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.getMessage()).contains("replica 'r0' of " + dir.resolve("a.db")).contains("replica 'r0' of " + dir.resolve("b.db"))
                .contains(shared.toString());
        assertThat(e.hint()).contains("its own directory");
    }

    @Test
    void aReplicaInsideAnotherOverlapsButSiblingsWithACommonPrefixDoNot() {
        assertThat(Overlaps.find(List.of(db(dir.resolve("a.db"), new ReplicaStorage.File(dir.resolve("r"))),
                db(dir.resolve("b.db"), new ReplicaStorage.File(dir.resolve("r/b")))))).isPresent();
        assertThat(Overlaps.find(List.of(db(dir.resolve("a.db"), new ReplicaStorage.File(dir.resolve("r/app"))),
                db(dir.resolve("b.db"), new ReplicaStorage.File(dir.resolve("r/app2")),
                        new ReplicaStorage.File(dir.resolve("r/app-b")))))).isEmpty();
    }

    @Test
    void replicasOfOneDatabaseMustNotOverlapEither() {
        Optional<Overlap> o = Overlaps.find(List.of(db(dir.resolve("a.db"), url("file://" + dir.resolve("x")),
                url(dir.resolve("x").toString()))));
        assertThat(o).isPresent();
        assertThat(o.get().first().replica()).isZero();
        assertThat(o.get().second().replica()).isEqualTo(1);
    }

    @Test
    void aSymlinkedReplicaDirectoryIsTheDirectoryItPointsTo() throws Exception {
        Path real = Files.createDirectories(dir.resolve("real"));
        Path link = Files.createSymbolicLink(dir.resolve("link"), real);
        assertThat(Overlaps.find(List.of(db(dir.resolve("a.db"), new ReplicaStorage.File(real.resolve("app"))),
                db(dir.resolve("b.db"), new ReplicaStorage.File(link.resolve("app")))))).isPresent();
    }

    @Test
    void s3PrefixesOverlapOnlyInOneBucketOnOneEndpoint() {
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        assertThat(Overlaps.find(List.of(db(a, url("s3://bkt/app")), db(b, url("s3://bkt/app/b"))))).isPresent();
        assertThat(Overlaps.find(List.of(db(a, url("s3://bkt/app")), db(b, url("s3://bkt//app/"))))).isPresent();
        assertThat(Overlaps.find(List.of(db(a, url("s3://bkt")), db(b, url("s3://bkt/anything"))))).isPresent();
        assertThat(Overlaps.find(List.of(db(a, s3("bkt", "app", "http://u:pw@MinIO:9000/")),
                db(b, s3("bkt", "app", "http://minio:9000"))))).isPresent();
        assertThat(Overlaps.find(List.of(db(a, url("s3://bkt/app")), db(b, url("s3://bkt/app2"))))).isEmpty();
        assertThat(Overlaps.find(List.of(db(a, url("s3://bkt/app")), db(b, url("s3://other/app"))))).isEmpty();
        assertThat(Overlaps.find(List.of(db(a, s3("bkt", "app", "http://one:9000")),
                db(b, s3("bkt", "app", "http://two:9000"))))).isEmpty();
    }

    @Test
    void sftpAndAzureLocationsOverlapOnTheSameServerOrContainer() {
        Path a = dir.resolve("a.db");
        Path b = dir.resolve("b.db");
        assertThat(Overlaps.find(List.of(db(a, url("sftp://u@Host/srv/x")), db(b, url("sftp://v@host:22/srv/x/y"))))).isPresent();
        assertThat(Overlaps.find(List.of(db(a, url("sftp://u@host/srv/x")), db(b, url("sftp://u@host:2222/srv/x"))))).isEmpty();
        assertThat(Overlaps.find(List.of(db(a, url("abs://acct@c/app")), db(b, url("abs://acct@c/app"))))).isPresent();
        assertThat(Overlaps.find(List.of(db(a, url("abs://acct@c/app")), db(b, url("abs://other@c/app"))))).isEmpty();
    }

    @Test
    void localStateMustNotOverlapAReplicaOrAnotherDatabasesState() {
        Path a = dir.resolve("a.db");
        Overlap inReplica = Overlaps.find(List.of(db(a, new ReplicaStorage.File(dir)))).orElseThrow();
        assertThat(inReplica.first().role()).isEqualTo(Overlap.Role.META);
        assertThat(inReplica.hint()).contains("meta-path");
        DatabaseConfig one = new DatabaseConfig(a, dir.resolve("meta"), null, null, 0, 0, List.of());
        DatabaseConfig two = new DatabaseConfig(dir.resolve("b.db"), dir.resolve("meta/b"), null, null, 0, 0, List.of());
        assertThat(Overlaps.find(List.of(one, two))).isPresent();
        assertThat(Overlaps.find(List.of(one, db(dir.resolve("b.db"), new ReplicaStorage.File(dir.resolve("backups")))))).isEmpty();
    }

    @Test
    void oneDatabaseUnderTwoNamesIsFoundThroughSymlinksAndHardLinks() throws Exception {
        Path real = Files.writeString(dir.resolve("app.db"), "");
        Path symlink = Files.createSymbolicLink(dir.resolve("current.db"), real);
        Path hardLink = Files.createLink(dir.resolve("hard.db"), real);
        for (Path other : List.of(symlink, hardLink, dir.resolve("sub/../app.db"))) {
            Overlap o = Overlaps.find(List.of(db(real, new ReplicaStorage.File(dir.resolve("r1"))),
                    db(other, new ReplicaStorage.File(dir.resolve("r2"))))).orElseThrow();
            assertThat(o.kind()).as(other.toString()).isEqualTo(Overlap.Kind.SAME_DATABASE);
            assertThat(o.toException().getMessage()).contains("database " + real).contains("database " + other)
                    .contains("same database file");
        }
    }

    /** A fleet's worth of replicas: correct at that size (its speed is a benchmark's business, not a test's). */
    @Test
    @org.junit.jupiter.api.Timeout(300)
    void manyDistinctReplicasAreChecked() {
        List<DatabaseConfig> dbs = new ArrayList<>();
        for (int i = 0; i < 20_000; i++) {
            dbs.add(db(dir.resolve("db" + i + ".db"), url("s3://bkt/tenants/" + i), new ReplicaStorage.File(dir.resolve("r/" + i))));
        }
        assertThat(Overlaps.find(dbs)).isEmpty();
        dbs.add(db(dir.resolve("late.db"), url("s3://bkt/tenants/7/nested")));
        assertThat(Overlaps.find(dbs).orElseThrow().second().database()).isEqualTo(20_000);
    }
}
