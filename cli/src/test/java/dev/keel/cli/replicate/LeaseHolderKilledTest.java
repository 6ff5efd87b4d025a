package dev.keel.cli.replicate;

import static dev.keel.cli.replicate.AppDatabases.rows;
import static dev.keel.cli.replicate.AppDatabases.walDatabase;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.replication.api.Generation;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.LeaseRecord;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.testing.AzuriteServer;
import dev.keel.testing.S3TestServer;
import dev.keel.testing.WriterLoad;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A replicator killed with SIGKILL on S3 (s3proxy) and Azure (Azurite) leaves its lease in the replica:
 * another replicator (its own database and local state, as on another host, following a second database
 * too) keeps that database's replica waiting while the lease lasts, then takes the replica over in a new
 * generation once the killed holder's lease ran out; the old generation stays restorable and the newest
 * holds every row the new holder acknowledged.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeaseHolderKilledTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();
    @RegisterExtension
    static final AzuriteServer AZURE = new AzuriteServer();
    static final String BUCKET = "keel-lease-killed";
    static final Duration TTL = Duration.ofSeconds(3);

    @TempDir
    Path dir;

    @BeforeAll
    static void buckets() {
        S3.createBucket(BUCKET);
        AZURE.createContainer(BUCKET);
    }

    /** A replica location as config lines and as storage for reading it directly. */
    record Location(List<String> yaml, ReplicaStorage storage) {
    }

    static Location s3(S3TestServer s3, String path) {
        return new Location(List.of("type: s3", "bucket: " + BUCKET, "path: " + path, "endpoint: " + s3.endpoint(),
                "region: us-east-1", "force-path-style: true", "access-key-id: " + s3.accessKeyId(),
                "secret-access-key: " + s3.secretAccessKey()),
                new ReplicaStorage.S3(BUCKET, path, "us-east-1", s3.endpoint(), true, false, s3.accessKeyId(), s3.secretAccessKey()));
    }

    static Location azure(String path) {
        return new Location(List.of("type: abs", "account-name: " + AzuriteServer.ACCOUNT, "account-key: " + AzuriteServer.ACCOUNT_KEY,
                "bucket: " + BUCKET, "path: " + path, "endpoint: " + AZURE.endpoint()), AZURE.storage(BUCKET, path));
    }

    @Test
    void onS3AHolderKilledWithSigkillIsTakenOverAfterItsTtl() throws Exception {
        killedHolderIsTakenOverAfterItsTtl(s3(S3, "killed-" + UUID.randomUUID()));
    }

    @Test
    void onAzureAHolderKilledWithSigkillIsTakenOverAfterItsTtl() throws Exception {
        killedHolderIsTakenOverAfterItsTtl(azure("killed-" + UUID.randomUUID()));
    }

    private void killedHolderIsTakenOverAfterItsTtl(Location replica) throws Exception {
        Path blue = walDatabase(dir, "blue.db", "blue.db");
        Path green = walDatabase(dir, "green.db", "green.db");
        Path spare = walDatabase(dir, "spare.db", "spare.db"); // keeps the second replicator running while green's replica is refused
        try (KeelProcess old = KeelProcess.start("replicate", "-config", config(dir, "blue.yml", List.of(blue), replica).toString());
             Rows blueRows = Rows.start(blue)) {
            old.await("snapshot written");
            try (KeelProcess next = KeelProcess.start("replicate", "-config",
                         config(dir, "green.yml", List.of(green, spare), replica).toString());
                 Rows greenRows = Rows.start(green)) {
                next.await("spare.db: replicating to");
                next.await("lease is held by host"); // green's replica, retried in the background
                assertThat(next.log()).contains("pid " + old.pid()).doesNotContain("green.db: replicating to");
                blueRows.await(20); // some WAL segments too
                old.kill();

                // The taker names the record it replaced: the killed holder's, never released, and its expiry.
                next.await("lease was taken over from host");
                next.await("green.db: replicating to");
                Matcher replaced = Pattern.compile("lease was taken over from host \\S+ \\(pid (\\d+), started \\S+\\), until (\\S+?);")
                        .matcher(next.log());
                assertThat(replaced.find()).as(next.log()).isTrue();
                assertThat(Long.parseLong(replaced.group(1))).isEqualTo(old.pid());
                Instant killedLeaseEnd = Instant.parse(replaced.group(2));
                LeaseRecord taken = lease(replica);
                assertThat(taken.holder().pid()).isEqualTo(next.pid());
                assertThat(taken.expires().minus(TTL)).as("taken only once the killed holder's lease ran out")
                        .isAfterOrEqualTo(killedLeaseEnd);
                greenRows.await(20);
                greenRows.close();
                assertThat(next.stop()).as("the final sync acknowledged every row: " + next.log()).isZero();
            }
        }
        try (ReplicaClient client = ReplicaClients.open(replica.storage())) {
            List<Generation> generations = ReplicaCatalog.load(client).generations();
            assertThat(generations).hasSize(2);
            Path latest = dir.resolve("latest.db");
            Restorer.configure().from(client).output(latest).restore();
            assertThat(rows(latest)).as("every row the new holder acknowledged").isEqualTo(rows(green));
            for (Generation g : generations) {
                Path out = dir.resolve(g + ".db");
                Restorer.configure().from(client).output(out).generation(g).restore();
                assertThat(WriterLoad.integrityCheck(out)).isEqualTo("ok");
                List<String> restored = rows(out);
                if (!restored.equals(rows(green))) {
                    List<String> old = rows(blue);
                    assertThat(restored).as("the killed holder's generation: what it acknowledged").isNotEmpty()
                            .isEqualTo(old.subList(0, restored.size()));
                }
            }
        }
    }

    /** The first database replicates to {@code replica}, any other to a directory of its own beside it. */
    static Path config(Path dir, String name, List<Path> dbs, Location replica) throws Exception {
        StringBuilder yaml = new StringBuilder("dbs:\n");
        for (Path db : dbs) {
            yaml.append("  - path: ").append(db).append("\n    monitor-interval: 100ms\n    replicas:\n");
            List<String> keys = new ArrayList<>(db.equals(dbs.get(0)) ? replica.yaml()
                    : List.of("url: " + dir.resolve(db.getFileName() + "-replica").toUri()));
            keys.add("sync-interval: 100ms");
            keys.add("lease-ttl: " + TTL.toSeconds() + "s");
            for (int i = 0; i < keys.size(); i++) yaml.append(i == 0 ? "      - " : "        ").append(keys.get(i)).append('\n');
        }
        return Files.writeString(dir.resolve(name), yaml.toString());
    }

    static LeaseRecord lease(Location replica) throws Exception {
        try (ReplicaClient client = ReplicaClients.open(replica.storage())) {
            var got = client.conditionalObjects().orElseThrow().read("keel-lease");
            assertThat(got).as("the lease object").isNotNull();
            return LeaseRecord.parse(got.bytes(), "keel-lease");
        }
    }
}
