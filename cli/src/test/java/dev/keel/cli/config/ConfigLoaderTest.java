package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.spi.ReplicaStorage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path tmp;
    ConfigFixture fx;

    @BeforeEach
    void setUp() {
        fx = new ConfigFixture(tmp);
    }

    @Test
    void readsEveryLitestreamKey() {
        KeelConfig config = fx.load("""
                addr: ":9090"
                exec: "myapp -serve"
                access-key-id: GLOBALKEY
                secret-access-key: GLOBALSECRET
                logging:
                  level: DEBUG
                  type: json
                  stderr: true
                dbs:
                  - path: /data/app.db
                    meta-path: /data/meta
                    monitor-interval: 500ms
                    checkpoint-interval: 2m
                    min-checkpoint-page-count: 500
                    max-checkpoint-page-count: 5000
                    replicas:
                      - name: local
                        type: file
                        path: /backups/app
                        sync-interval: 10s
                        snapshot-interval: 1h30m
                        retention: 72h
                        retention-check-interval: 30m
                        validation-interval: 6h
                      - name: minio
                        type: s3
                        bucket: bkt
                        path: db/app
                        endpoint: http://127.0.0.1:9000
                        region: eu-central-1
                        force-path-style: false
                        skip-verify: true
                        access-key-id: OWNKEY
                        secret-access-key: OWNSECRET
                      - type: sftp
                        host: backup.example.com:2222
                        user: alice
                        password: pw
                        key-path: /keys/id_ed25519
                        host-key: ssh-ed25519 AAAAC3Nza
                        path: /srv/backups/app
                      - type: abs
                        account-name: acct
                        account-key: a2V5
                        sas-token: sv=2024
                        bucket: container
                        path: db
                        endpoint: http://127.0.0.1:10000/acct
                        age:
                          identities: []
                          recipients: []
                      - type: gcs
                        bucket: gbkt
                        path: /db/app/
                      - url: gcs://gbkt2/other
                        name: gcs2
                """);
        assertThat(config.addr()).isEqualTo(":9090");
        assertThat(config.exec()).isEqualTo("myapp -serve");
        assertThat(config.logging()).isEqualTo(new KeelConfig.Logging("debug", "json", true));
        assertThat(config.databases()).hasSize(1);

        DatabaseConfig db = config.databases().get(0);
        assertThat(db.path()).isEqualTo(Path.of("/data/app.db"));
        assertThat(db.metaPath()).isEqualTo(Path.of("/data/meta"));
        assertThat(db.monitorInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(db.checkpointInterval()).isEqualTo(Duration.ofMinutes(2));
        assertThat(db.minCheckpointPageCount()).isEqualTo(500);
        assertThat(db.maxCheckpointPageCount()).isEqualTo(5000);

        List<ReplicaConfig> r = db.replicas();
        assertThat(r).extracting(ReplicaConfig::name).containsExactly("local", "minio", "sftp", "abs", "gcs", "gcs2");
        assertThat(r.get(0)).isEqualTo(new ReplicaConfig("local", new ReplicaStorage.File(Path.of("/backups/app")),
                Duration.ofSeconds(10), Duration.ofMinutes(90), Duration.ofHours(72), Duration.ofMinutes(30), Duration.ofHours(6)));
        assertThat(r.get(1).storage()).isEqualTo(new ReplicaStorage.S3("bkt", "db/app", "eu-central-1",
                "http://127.0.0.1:9000", false, true, "OWNKEY", "OWNSECRET"));
        assertThat(r.get(2).storage()).isEqualTo(new ReplicaStorage.Sftp("backup.example.com", 2222, "alice", "pw",
                "/keys/id_ed25519", "/srv/backups/app", "ssh-ed25519 AAAAC3Nza"));
        assertThat(r.get(3).storage()).isEqualTo(new ReplicaStorage.Azure("acct", "a2V5", "sv=2024", "container", "db",
                "http://127.0.0.1:10000/acct"));
        assertThat(r.get(4).storage()).isEqualTo(new ReplicaStorage.Gcs("gbkt", "db/app"));
        assertThat(r.get(5).storage()).isEqualTo(new ReplicaStorage.Gcs("gbkt2", "other"));
    }

    @Test
    void appliesLitestreamDefaults() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: /data/app.db
                    replicas:
                      - path: /backups/app
                """);
        assertThat(config.addr()).isNull();
        assertThat(config.exec()).isNull();
        assertThat(config.logging()).isEqualTo(KeelConfig.Logging.DEFAULT);
        DatabaseConfig db = config.databases().get(0);
        assertThat(db).isEqualTo(DatabaseConfig.of(Path.of("/data/app.db"),
                List.of(ReplicaConfig.of(new ReplicaStorage.File(Path.of("/backups/app"))))));
        ReplicaConfig replica = db.replicas().get(0);
        assertThat(replica.name()).isEqualTo("file");
        assertThat(replica.syncInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(replica.retention()).isEqualTo(Duration.ofHours(24));
        assertThat(replica.retentionCheckInterval()).isEqualTo(Duration.ofHours(1));
        assertThat(replica.snapshotInterval()).isNull();
        assertThat(replica.validationInterval()).isNull();
        assertThat(db.monitorInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(db.checkpointInterval()).isEqualTo(Duration.ofMinutes(1));
        assertThat(db.minCheckpointPageCount()).isEqualTo(1000);
        assertThat(db.maxCheckpointPageCount()).isEqualTo(10000);
        assertThat(db.maxShadowBacklog()).as("the replicator's default").isZero();
    }

    @Test
    void maxShadowBacklogTakesSizesAndZeroMeansNoLimit() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: /data/a.db
                    max-shadow-backlog: 512MB
                  - path: /data/b.db
                    max-shadow-backlog: 1GiB
                  - path: /data/c.db
                    max-shadow-backlog: 0
                  - path: /data/d.db
                    max-shadow-backlog: 2147483648
                """);
        assertThat(config.databases()).extracting(DatabaseConfig::maxShadowBacklog)
                .containsExactly(512_000_000L, 1L << 30, DatabaseConfig.UNBOUNDED_SHADOW_BACKLOG, 2L << 30);
    }

    @Test
    void emptyFileAndEmptyListsMeanNoDatabases() {
        assertThat(fx.load("").databases()).isEmpty();
        assertThat(fx.load("# nothing yet\n").databases()).isEmpty();
        assertThat(fx.load("dbs:\n").databases()).isEmpty();
        assertThat(fx.load("dbs: []\n").databases()).isEmpty();
        assertThat(fx.load("dbs:\n  - path: /a.db\n").databases().get(0).replicas()).isEmpty();
    }

    @Test
    void replicaTypeIsImpliedByUrl() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: /data/app.db
                    replicas:
                      - url: s3://bkt.localhost:9000/app
                      - url: file:///backups/app
                      - url: sftp://bob:pw@host:2200/srv/app
                        key-path: ~/.ssh/id_ed25519
                      - url: abs://acct@container/app
                        account-key: a2V5
                      - url: s3://other/app
                        name: aws
                        region: us-west-2
                """);
        List<ReplicaConfig> r = config.databases().get(0).replicas();
        assertThat(r.get(0).storage()).isEqualTo(new ReplicaStorage.S3("bkt", "app", "us-east-1",
                "http://localhost:9000", true, false, null, null));
        assertThat(r.get(1).storage()).isEqualTo(new ReplicaStorage.File(Path.of("/backups/app")));
        assertThat(r.get(2).storage()).isEqualTo(new ReplicaStorage.Sftp("host", 2200, "bob", "pw",
                fx.home.resolve(".ssh/id_ed25519").toString(), "/srv/app", null));
        assertThat(r.get(3).storage()).isEqualTo(new ReplicaStorage.Azure("acct", "a2V5", null, "container", "app", null));
        assertThat(r.get(4).storage()).isEqualTo(new ReplicaStorage.S3("other", "app", "us-west-2", null, false, false, null, null));
        assertThat(r).extracting(ReplicaConfig::name).containsExactly("s3", "file", "sftp", "abs", "aws");
    }

    @Test
    void explicitEndpointMeansPathStyleUnlessSaidOtherwise() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - {name: a, type: s3, bucket: b, path: a, endpoint: "https://s3.example.com"}
                      - {name: b, type: s3, bucket: b, path: b, endpoint: "https://s3.example.com", force-path-style: false}
                      - {name: c, type: s3, bucket: b, path: c}
                """);
        assertThat(config.databases().get(0).replicas()).extracting(r -> ((ReplicaStorage.S3) r.storage()).forcePathStyle())
                .containsExactly(true, false, false);
    }

    @Test
    void globalCredentialsApplyToS3ReplicasWithoutTheirOwn() {
        KeelConfig config = fx.load("""
                access-key-id: GK
                secret-access-key: GS
                dbs:
                  - path: /a.db
                    replicas:
                      - {name: inherits, url: "s3://b1/a"}
                      - {name: own, url: "s3://b2/a", access-key-id: OK, secret-access-key: OS}
                      - {name: sftp, url: "sftp://u@h/a"}
                """);
        List<ReplicaConfig> r = config.databases().get(0).replicas();
        assertThat((ReplicaStorage.S3) r.get(0).storage()).extracting(ReplicaStorage.S3::accessKeyId, ReplicaStorage.S3::secretAccessKey)
                .containsExactly("GK", "GS");
        assertThat((ReplicaStorage.S3) r.get(1).storage()).extracting(ReplicaStorage.S3::accessKeyId, ReplicaStorage.S3::secretAccessKey)
                .containsExactly("OK", "OS");
    }

    @Test
    void relativeAndHomePathsAreMadeAbsolute() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: data/app.db
                    meta-path: ~/meta
                    replicas:
                      - path: ../backups/app
                  - path: ~/other.db
                """);
        DatabaseConfig db = config.databases().get(0);
        assertThat(db.path()).isEqualTo(fx.work.resolve("data/app.db"));
        assertThat(db.metaPath()).isEqualTo(fx.home.resolve("meta"));
        assertThat(db.replicas().get(0).storage()).isEqualTo(new ReplicaStorage.File(fx.dir.resolve("backups/app")));
        assertThat(config.databases().get(1).path()).isEqualTo(fx.home.resolve("other.db"));
        assertThat(config.database(fx.work.resolve("data/../data/app.db"))).contains(db);
        assertThat(config.database(Path.of("/nope.db"))).isEmpty();
    }

    @Test
    void expandsEnvironmentVariablesLikeGo() {
        Map<String, String> env = Map.of("BUCKET", "prod-bkt", "REGION", "eu-west-1", "KEY", "AKIA", "SECRET", "s$cr3t");
        KeelConfig config = fx.load("""
                access-key-id: $KEY
                secret-access-key: ${SECRET}
                dbs:
                  - path: /data/${BUCKET}.db
                    replicas:
                      - url: s3://$BUCKET/app
                        region: ${REGION}
                """, env, true);
        DatabaseConfig db = config.databases().get(0);
        assertThat(db.path()).isEqualTo(Path.of("/data/prod-bkt.db"));
        assertThat(db.replicas().get(0).storage()).isEqualTo(
                new ReplicaStorage.S3("prod-bkt", "app", "eu-west-1", null, false, false, "AKIA", "s$cr3t"));
    }

    @Test
    void noExpandEnvKeepsDollarsLiterally() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: /data/app.db
                    replicas:
                      - url: sftp://u:pa$$word@host/x
                      - type: s3
                        bucket: b-$BUCKET
                """, Map.of("BUCKET", "x"), false);
        List<ReplicaConfig> r = config.databases().get(0).replicas();
        assertThat(((ReplicaStorage.Sftp) r.get(0).storage()).password()).isEqualTo("pa$$word");
        assertThat(((ReplicaStorage.S3) r.get(1).storage()).bucket()).isEqualTo("b-$BUCKET");
    }

    @Test
    void yamlMergeKeysShareReplicaSettings() {
        KeelConfig config = fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - &common {name: s3, type: s3, bucket: shared, retention: 72h, path: a}
                  - path: /b.db
                    replicas:
                      - <<: *common
                        path: b
                """);
        ReplicaConfig b = config.databases().get(1).replicas().get(0);
        assertThat(b.retention()).isEqualTo(Duration.ofHours(72));
        assertThat(((ReplicaStorage.S3) b.storage()).path()).isEqualTo("b");
        assertThat(((ReplicaStorage.S3) b.storage()).bucket()).isEqualTo("shared");
    }

    @Test
    void zeroTurnsOffOptionalIntervals() {
        ReplicaConfig r = fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - {path: /b, snapshot-interval: 0, validation-interval: 0s}
                """).databases().get(0).replicas().get(0);
        assertThat(r.snapshotInterval()).isNull();
        assertThat(r.validationInterval()).isNull();
    }

    // ---- lookup order ----

    @Test
    void lookupPrefersTheExplicitPath() {
        Path explicit = fx.write("explicit.yml", "dbs: []\n");
        Path fromEnv = fx.write("env.yml", "dbs: []\n");
        fx.write("work/keel.yml", "dbs: []\n");
        ConfigLoader loader = new ConfigLoader(fx.env(Map.of("KEEL_CONFIG", fromEnv.toString())));
        assertThat(loader.locate(explicit.toString())).isEqualTo(explicit);
        assertThat(loader.locate(null)).isEqualTo(fromEnv);
    }

    @Test
    void lookupFallsBackThroughTheDefaultLocations() throws Exception {
        ConfigLoader loader = new ConfigLoader(fx.env(Map.of()));
        Path litestream = fx.write("etc/litestream.yml", "dbs: []\n");
        assertThat(loader.locate(null)).isEqualTo(litestream);
        Path etcKeel = fx.write("etc/keel.yml", "dbs: []\n");
        assertThat(loader.locate(null)).isEqualTo(etcKeel);
        Path local = fx.write("work/keel.yml", "dbs: []\n");
        assertThat(loader.locate(null)).isEqualTo(local);
        assertThat(loader.locate("")).isEqualTo(local);
        Path fromEnv = fx.write("elsewhere.yml", "dbs: []\n");
        assertThat(new ConfigLoader(fx.env(Map.of("KEEL_CONFIG", fromEnv.toString()))).locate(null)).isEqualTo(fromEnv);
        // An empty variable counts as unset.
        assertThat(new ConfigLoader(fx.env(Map.of("KEEL_CONFIG", ""))).locate(null)).isEqualTo(local);
        Files.delete(local);
        Files.delete(etcKeel);
        Files.delete(litestream);
        KeelException none = catchThrowableOfType(KeelException.class, () -> loader.locate(null));
        assertThat(none.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(none.getMessage()).contains("keel.yml").contains("litestream.yml");
        assertThat(none.hint()).contains("-config").contains("KEEL_CONFIG");
    }

    @Test
    void missingExplicitConfigIsNotFoundAndNamesIt() {
        fx.write("work/keel.yml", "dbs: []\n");
        ConfigLoader loader = new ConfigLoader(fx.env(Map.of()));
        KeelException e = catchThrowableOfType(KeelException.class, () -> loader.locate("missing.yml"));
        assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e.subject()).isEqualTo("missing.yml");
        assertThat(e.hint()).contains("-config");

        ConfigLoader viaEnv = new ConfigLoader(fx.env(Map.of("KEEL_CONFIG", "/nowhere/keel.yml")));
        KeelException e2 = catchThrowableOfType(KeelException.class, () -> viaEnv.locate(null));
        assertThat(e2.code()).isEqualTo(ErrorCode.NOT_FOUND);
        assertThat(e2.subject()).isEqualTo("/nowhere/keel.yml");
        assertThat(e2.hint()).contains("KEEL_CONFIG");
    }

    @Test
    void explicitRelativePathIsRelativeToTheWorkingDirectory() {
        Path file = fx.write("work/conf/k.yml", "dbs:\n  - path: /x.db\n");
        ConfigLoader loader = new ConfigLoader(fx.env(new HashMap<>()));
        assertThat(loader.locate("conf/k.yml")).isEqualTo(file);
        assertThat(loader.load("conf/k.yml", true).databases()).hasSize(1);
        assertThat(loader.load("conf/k.yml", true).source()).isEqualTo(file);
    }
}
