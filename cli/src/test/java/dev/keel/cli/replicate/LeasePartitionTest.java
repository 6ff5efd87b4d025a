package dev.keel.cli.replicate;

import static dev.keel.cli.replicate.AppDatabases.rows;
import static dev.keel.cli.replicate.AppDatabases.walDatabase;
import static dev.keel.cli.replicate.LeaseHolderKilledTest.lease;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.replicate.LeaseHolderKilledTest.Location;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.LeaseSettings;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.internal.EngineOptions;
import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.LeaseRecord;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import dev.keel.replication.spi.ReplicationListener;
import dev.keel.storage.azure.AzureOptions;
import dev.keel.storage.azure.AzureReplicaClient;
import dev.keel.storage.s3.S3Options;
import dev.keel.storage.s3.S3ReplicaClient;
import dev.keel.testing.AzuriteServer;
import dev.keel.testing.FaultProxy;
import dev.keel.testing.ReplicationScenario;
import dev.keel.testing.S3TestServer;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A network partition between a lease holder and its storage (s3proxy or Azurite behind the fault proxy,
 * which then accepts requests and never answers): the holder cannot renew, and no write of it leaves for
 * the replica once its lease could have ended; the other replicator (a separate keel process) takes the
 * replica over after that; when the partition heals the old holder writes nothing more there, and its
 * replica fails naming the new holder.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class LeasePartitionTest {
    @RegisterExtension
    static final S3TestServer S3 = new S3TestServer();
    @RegisterExtension
    static final AzuriteServer AZURE = new AzuriteServer();
    private static final Duration TTL = LeaseHolderKilledTest.TTL;

    @TempDir
    Path dir;

    @BeforeAll
    static void buckets() {
        S3.createBucket(LeaseHolderKilledTest.BUCKET);
        AZURE.createContainer(LeaseHolderKilledTest.BUCKET);
    }

    /** The replicator that gets partitioned, in this process, reaching the storage through the proxy. */
    private interface Holder {
        Replicator start(Path db, FaultProxy proxy, ReplicationListener listener);
    }

    @Test
    void onS3APartitionedHolderStopsWritingBeforeItsLeaseEndsAndWritesNothingOnceItHealed() throws Exception {
        String path = "partition-" + UUID.randomUUID();
        Location direct = LeaseHolderKilledTest.s3(S3, path);
        ReplicaStorage.S3 s3 = (ReplicaStorage.S3) direct.storage();
        partitioned(path, direct, (db, proxy, listener) -> s3Holder(db, new ReplicaStorage.S3(s3.bucket(), path, s3.region(),
                proxy.httpEndpoint(), true, false, S3.accessKeyId(), S3.secretAccessKey()), listener));
    }

    @Test
    void onAzureAPartitionedHolderStopsWritingBeforeItsLeaseEndsAndWritesNothingOnceItHealed() throws Exception {
        String path = "partition-" + UUID.randomUUID();
        String container = LeaseHolderKilledTest.BUCKET;
        Location direct = new Location(List.of("type: abs", "account-name: " + AzuriteServer.ACCOUNT,
                "account-key: " + AzuriteServer.ACCOUNT_KEY, "bucket: " + container, "path: " + path,
                "endpoint: " + AZURE.endpoint()), AZURE.storage(container, path));
        partitioned(path, direct, (db, proxy, listener) -> azureHolder(db, new ReplicaStorage.Azure(AzuriteServer.ACCOUNT,
                AzuriteServer.ACCOUNT_KEY, null, container, path, proxy.httpEndpoint() + "/" + AzuriteServer.ACCOUNT), listener));
    }

    private void partitioned(String path, Location direct, Holder holderOf) throws Exception {
        Path blue = walDatabase(dir, "blue.db", "blue.db");
        Path green = walDatabase(dir, "green.db", "green.db");
        Path spare = walDatabase(dir, "spare.db", "spare.db");
        List<String> failures = new CopyOnWriteArrayList<>();
        ReplicationListener listener = new ReplicationListener() {
            @Override
            public void syncFailed(Path db, String replica, Throwable error) {
                for (Throwable t = error; t != null; t = t.getCause()) failures.add(String.valueOf(t.getMessage()));
            }
        };
        int port = direct.storage() instanceof ReplicaStorage.Azure ? AZURE.port() : S3.port();
        try (FaultProxy proxy = new FaultProxy(port);
             Replicator holder = holderOf.start(blue, proxy, listener);
             Rows blueRows = Rows.start(blue)) {
            ReplicationScenario.awaitFirstSnapshot(holder, blue);
            Generation old = holder.replicaPosition(blue, ReplicationScenario.REPLICA).generation();
            try (KeelProcess next = KeelProcess.start("replicate", "-config", LeaseHolderKilledTest.config(dir, "green.yml",
                         List.of(green, spare), direct).toString());
                 Rows greenRows = Rows.start(green)) {
                next.await("lease is held by host"); // refused while the holder renews
                blueRows.await(20);

                proxy.hang(); // the partition
                next.await("lease was taken over from host");
                next.await("green.db: replicating to");
                Matcher replaced = Pattern.compile("lease was taken over from host \\S+ \\(pid (\\d+), started \\S+\\), until (\\S+?);")
                        .matcher(next.log());
                assertThat(replaced.find()).as(next.log()).isTrue();
                assertThat(Long.parseLong(replaced.group(1))).isEqualTo(ProcessHandle.current().pid());
                Instant leaseEnd = Instant.parse(replaced.group(2));
                LeaseRecord taken = lease(direct);
                assertThat(taken.holder().pid()).isEqualTo(next.pid());
                assertThat(taken.expires().minus(TTL)).as("taken once the holder's lease ran out").isAfterOrEqualTo(leaseEnd);
                while (Instant.now().isBefore(leaseEnd.plusSeconds(5))) Thread.sleep(100); // the holder keeps retrying

                // Request lines name the replica's path (the bucket's name, too, starts with keel-lease); Azure
                // encodes the slashes of a blob's name.
                List<FaultProxy.Request> writes = proxy.requestsWhileHung().stream()
                        .filter(r -> decoded(r).contains("/" + path + "/generations/") && !r.line().startsWith("GET ")
                                && !r.line().startsWith("HEAD ")).toList();
                List<FaultProxy.Request> renewals = proxy.requestsWhileHung().stream()
                        .filter(r -> decoded(r).contains("/" + path + "/keel-lease")).toList();
                assertThat(renewals).as("the holder tried to renew during the partition: " + proxy.requestsWhileHung()).isNotEmpty();
                assertThat(writes).as("writes the holder started during the partition, lease until " + leaseEnd)
                        .allSatisfy(r -> assertThat(r.at()).isBefore(leaseEnd));

                proxy.pass(); // healed
                blueRows.await(20);
                awaitFailure(failures, "lease is held by host", "pid " + next.pid());
                Set<String> before = keys(direct, old);
                blueRows.await(50); // the holder's database keeps changing; its replica takes none of it
                assertThat(keys(direct, old)).as("the old holder's generation after the partition healed").isEqualTo(before);

                greenRows.await(20);
                greenRows.close();
                assertThat(next.stop()).as("the new holder's final sync: " + next.log()).isZero();
            }
        } catch (RuntimeException closing) {
            // the old holder's final sync cannot write its replica: expected, and named
            assertThat(closing).hasStackTraceContaining("lease is held by host");
        }
        try (ReplicaClient client = ReplicaClients.open(direct.storage())) {
            assertThat(ReplicaCatalog.load(client).generations()).hasSize(2);
            Path latest = dir.resolve("latest.db");
            Restorer.configure().from(client).output(latest).restore();
            assertThat(rows(latest)).as("every row the new holder acknowledged").isEqualTo(rows(green));
        }
    }

    /** An S3 client that gives up after 1 s without an answer. */
    private static Replicator s3Holder(Path db, ReplicaStorage.S3 viaProxy, ReplicationListener listener) {
        S3Options quick = S3Options.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)).withMaxAttempts(1);
        return holder(db, viaProxy, listener,
                EngineOptions.DEFAULT.withClients(c -> new S3ReplicaClient((ReplicaStorage.S3) c.storage(), quick, name -> null)));
    }

    /** An Azure client that gives up after 1 s without an answer. */
    private static Replicator azureHolder(Path db, ReplicaStorage.Azure viaProxy, ReplicationListener listener) {
        AzureOptions quick = AzureOptions.defaults().withTimeouts(Duration.ofSeconds(1), Duration.ofSeconds(1)).withMaxTries(1);
        return holder(db, viaProxy, listener,
                EngineOptions.DEFAULT.withClients(c -> new AzureReplicaClient((ReplicaStorage.Azure) c.storage(), quick, name -> null)));
    }

    private static Replicator holder(Path db, ReplicaStorage viaProxy, ReplicationListener listener, EngineOptions engine) {
        DatabaseConfig base = ReplicationScenario.database(db, viaProxy);
        ReplicaConfig replica = base.replicas().get(0).withLease(new LeaseSettings(LeaseSettings.Mode.AUTO, TTL, false));
        DatabaseConfig config = new DatabaseConfig(db, null, base.monitorInterval(), base.checkpointInterval(),
                base.minCheckpointPageCount(), base.maxCheckpointPageCount(), List.of(replica));
        return engine.start(Replicator.configure().databases(List.of(config)).listener(listener));
    }

    private static String decoded(FaultProxy.Request request) {
        return URLDecoder.decode(request.line(), StandardCharsets.UTF_8);
    }

    private static void awaitFailure(List<String> failures, String... texts) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        int seen = failures.size();
        while (true) {
            for (String f : failures.subList(Math.min(seen, failures.size()), failures.size())) {
                if (List.of(texts).stream().allMatch(f::contains)) return;
            }
            if (System.nanoTime() > deadline) throw new AssertionError("no new failure with " + List.of(texts) + " in " + failures);
            Thread.sleep(50);
        }
    }

    private static Set<String> keys(Location replica, Generation generation) throws Exception {
        try (ReplicaClient client = ReplicaClients.open(replica.storage())) {
            Set<String> out = new TreeSet<>();
            for (ObjectInfo o : client.list("generations/" + generation + "/")) out.add(o.key());
            return out;
        }
    }
}
