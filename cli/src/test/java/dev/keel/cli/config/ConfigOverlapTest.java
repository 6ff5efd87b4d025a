package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two entries of a config file that would write one place are refused when the file is read, for every
 * command: the error names both entries by file:line, the overlapping locations and what to do.
 */
class ConfigOverlapTest {
    @TempDir
    Path tmp;

    private KeelException error(ConfigFixture fx, String yaml, Map<String, String> env) {
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load(yaml, env, true));
        assertThat(e).as(yaml).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.hint()).isNotBlank();
        return e;
    }

    @Test
    void twoDatabasesWithOneReplicaPathNameBothEntries() {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path file = fx.dir.resolve("keel.yml");
        KeelException e = error(fx, """
                dbs:
                  - path: /srv/a.db
                    replicas:
                      - path: /backups/app
                  - path: /srv/b.db
                    replicas:
                      - url: file:///backups/app
                """, Map.of());
        assertThat(e.subject()).isEqualTo(file + ":7");
        assertThat(e.getMessage()).contains("dbs[0].replicas[0] (" + file + ":4)").contains("dbs[1].replicas[0] (" + file + ":7)")
                .contains("/backups/app");
        assertThat(e.hint()).contains("its own directory");
    }

    @Test
    void nestedReplicaPathsAndS3PrefixesOverlap() {
        ConfigFixture fx = new ConfigFixture(tmp);
        assertThat(error(fx, """
                dbs:
                  - path: /srv/a.db
                    replicas:
                      - path: /backups
                  - path: /srv/b.db
                    replicas:
                      - path: /backups/b
                """, Map.of()).getMessage()).contains("/backups and /backups/b are nested");
        assertThat(error(fx, """
                dbs:
                  - path: /srv/a.db
                    replicas:
                      - url: s3://bkt.localhost:9000/tenants
                  - path: /srv/b.db
                    replicas:
                      - type: s3
                        bucket: bkt
                        endpoint: http://localhost:9000
                        path: tenants/b
                """, Map.of()).subject()).endsWith(":10");
    }

    @Test
    void environmentVariablesThatMakePathsOverlapAreCaught() {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = error(fx, """
                dbs:
                  - path: /srv/a.db
                    replicas:
                      - url: s3://$BUCKET/$PREFIX
                  - path: /srv/b.db
                    replicas:
                      - url: s3://backups/shared
                """, Map.of("BUCKET", "backups", "PREFIX", "shared"));
        assertThat(e.getMessage()).contains("both at s3://backups/shared");
    }

    @Test
    void metaPathsMustNotOverlapReplicasOrEachOther() {
        ConfigFixture fx = new ConfigFixture(tmp);
        assertThat(error(fx, """
                dbs:
                  - path: /srv/a.db
                    meta-path: /var/lib/keel
                  - path: /srv/b.db
                    meta-path: /var/lib/keel
                """, Map.of()).getMessage()).contains("dbs[0].meta-path").contains("dbs[1].meta-path");
        KeelException inReplica = error(fx, """
                dbs:
                  - path: /srv/a.db
                    replicas:
                      - path: /srv
                """, Map.of());
        assertThat(inReplica.getMessage()).contains("the local state of dbs[0]").contains("/srv/.a.db-keel");
        assertThat(inReplica.hint()).contains("meta-path");
    }

    @Test
    void oneDatabaseUnderTwoNamesIsRefusedThroughLinks() throws Exception {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path real = Files.writeString(fx.dir.resolve("app.db"), "");
        Files.createSymbolicLink(fx.dir.resolve("current.db"), real);
        Files.createLink(fx.dir.resolve("hard.db"), real);
        for (String other : new String[]{"current.db", "hard.db"}) {
            KeelException e = error(fx, """
                    dbs:
                      - path: %1$s/app.db
                        replicas:
                          - path: %1$s/r1
                      - path: %1$s/%2$s
                        replicas:
                          - path: %1$s/r2
                    """.formatted(fx.dir, other), Map.of());
            assertThat(e.getMessage()).as(other).contains("are the same database file");
            assertThat(e.subject()).endsWith(":5");
        }
    }

    @Test
    void distinctPathsLoad() {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelConfig config = fx.load("""
                dbs:
                  - path: /srv/a.db
                    replicas:
                      - path: /backups/a
                      - url: s3://bkt/a
                  - path: /srv/b.db
                    replicas:
                      - path: /backups/ab
                      - url: s3://bkt/a-b
                """);
        assertThat(config.databases()).hasSize(2);
    }
}
