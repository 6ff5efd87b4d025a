package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every config mistake is BAD_INPUT naming the file, the line and the key. */
class ConfigErrorsTest {
    @TempDir
    Path tmp;

    static Stream<Arguments> mistakes() {
        return Stream.of(
                // yaml, expected line, fragments the message must contain
                Arguments.of("""
                        dbs:
                          - pth: /data/app.db
                        """, 2, new String[]{"unknown key 'pth'", "dbs[0]", "did you mean 'path'?"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                sync_interval: 1s
                        """, 5, new String[]{"unknown key 'sync_interval'", "did you mean 'sync-interval'?"}),
                Arguments.of("""
                        adr: ":9090"
                        """, 1, new String[]{"unknown key 'adr'", "top level", "did you mean 'addr'?"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                retention: 10
                        """, 5, new String[]{"bad duration '10'", "dbs[0].replicas[0].retention", "missing unit"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            monitor-interval: 1 day
                        """, 3, new String[]{"bad duration '1 day'", "monitor-interval"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                          - meta-path: /meta
                            replicas: []
                        """, 3, new String[]{"dbs[1] needs a 'path'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: s3
                                path: backups
                        """, 4, new String[]{"s3 replica in dbs[0].replicas[0] needs a bucket"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: s4
                                bucket: b
                        """, 4, new String[]{"unknown replica type 's4'", "did you mean 's3'?"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: gcs
                                path: backups
                        """, 4, new String[]{"gcs replica in dbs[0].replicas[0] needs a bucket"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: gcs
                                bucket: b
                                endpoint: http://127.0.0.1:4443
                        """, 6, new String[]{"key 'endpoint' does not apply to a gcs replica"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: gcs://b/app
                                bucket: b
                        """, 5, new String[]{"cannot set both 'url' and 'bucket'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: sftp://host/srv/app
                        """, 4, new String[]{"sftp replica in dbs[0].replicas[0] needs a user"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: s3://bucket:9000/app
                        """, 4, new String[]{"malformed replica URL", "port but no server name"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: /backups/app
                        """, 4, new String[]{"replica url '/backups/app' has no scheme"}),
                Arguments.of("""
                        dbs: /a.db
                        """, 1, new String[]{"dbs should be a list of mappings, not '/a.db'"}),
                Arguments.of("""
                        dbs:
                          - /a.db
                        """, 2, new String[]{"dbs[0] should be a mapping"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: s3
                                bucket: b
                                force-path-style: maybe
                        """, 6, new String[]{"force-path-style should be true or false, not 'maybe'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            min-checkpoint-page-count: lots
                        """, 3, new String[]{"min-checkpoint-page-count should be a whole number, not 'lots'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            max-shadow-backlog: 2XB
                        """, 3, new String[]{"bad size '2XB' for dbs[0].max-shadow-backlog", "unknown unit 'xb'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            monitor-interval: 1s
                            max-shadow-backlog: lots
                        """, 4, new String[]{"bad size 'lots' for dbs[0].max-shadow-backlog"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            max-shadow-backlog: 512
                        """, 3, new String[]{"dbs[0].max-shadow-backlog is 512 bytes"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            max-shadow-backlog: -1GB
                        """, 3, new String[]{"a size cannot be negative"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            max-shadow-backlogs: 1GB
                        """, 3, new String[]{"unknown key 'max-shadow-backlogs'", "did you mean 'max-shadow-backlog'?"}),
                Arguments.of("""
                        dbs:
                          - path: [a, b]
                        """, 2, new String[]{"dbs[0].path should be a string, not a list"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            min-checkpoint-page-count: 20000
                        """, 3, new String[]{"min-checkpoint-page-count must not be above max-checkpoint-page-count (10000), not '20000'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            max-checkpoint-page-count: 0
                        """, 3, new String[]{"max-checkpoint-page-count must be greater than zero"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                sync-interval: -1s
                        """, 5, new String[]{"sync-interval must be at least 1ms, not '-1s'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                age:
                                  identities:
                                    - AGE-SECRET-KEY-1XYZ
                        """, 7, new String[]{"dbs[0].replicas[0].age.identities must hold valid X25519 keys", "entry 1"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                age:
                                  recipients: [AGE-SECRET-KEY-1XYZ]
                        """, 6, new String[]{"age.recipients must hold X25519 keys starting age1"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                age:
                                  identity-files:
                                    - /no/such/age-identity.txt
                        """, 7, new String[]{"age identity file /no/such/age-identity.txt does not exist"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: /b
                                age:
                                  recipient: age1xyz
                        """, 6, new String[]{"unknown key 'recipient'", "did you mean 'recipients'?"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replica:
                              url: s3://b/a
                        """, 3, new String[]{"'replica:'", "Litestream 0.5 syntax"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: sftp://u@h/x
                                bucket: b
                        """, 5, new String[]{"key 'bucket' does not apply to a sftp replica"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: s3://b/x
                                path: y
                        """, 5, new String[]{"cannot set both 'url' and 'path'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: s3://b/x
                                bucket: c
                        """, 5, new String[]{"cannot set both 'url' and 'bucket'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: sftp
                                url: s3://b/x
                        """, 4, new String[]{"type 'sftp' does not match the url's scheme 's3'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - path: s3://b/x
                        """, 4, new String[]{"replica path cannot be a URL"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            path: /b.db
                        """, 3, new String[]{"duplicate key 'path'", "first at line 2"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            dir: /tenants
                        """, 3, new String[]{"dbs[0] has both 'path:' and 'dir:'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            recursive: true
                        """, 3, new String[]{"dbs[0].recursive needs 'dir:'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            pattern: '*.sqlite'
                        """, 3, new String[]{"dbs[0].pattern needs 'dir:'"}),
                Arguments.of("""
                        dbs:
                          - dir: /tenants
                            pattern: 'eu/*.db'
                        """, 3, new String[]{"dbs[0].pattern", "holds a path separator"}),
                Arguments.of("""
                        dbs:
                          - dir: /tenants
                            watch: sometimes
                        """, 3, new String[]{"watch"}),
                Arguments.of("""
                        dbs:
                          - dir: /tenants
                            recursive: true
                          - path: /tenants/eu/acme.db
                        """, 4, new String[]{"dbs[1].path (", "dbs[0].dir (", "both follow the databases at /tenants/eu/acme.db"}),
                Arguments.of("""
                        dbs:
                          - dir: /tenants
                            recursive: true
                          - dir: /tenants/eu
                        """, 4, new String[]{"dbs[0].dir (", "bad.yml:2) and dbs[1].dir (", "both follow"}),
                Arguments.of("""
                        dbs:
                          - dir: /tenants
                            replicas:
                              - url: s3://bkt/tenants
                          - path: /app.db
                            replicas:
                              - url: s3://bkt/tenants/app
                        """, 7, new String[]{"dbs[0].replicas[0] (", "nested"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                          - path: /x/../a.db
                        """, 3, new String[]{"dbs[0].path (", "bad.yml:2) and dbs[1].path (", "are the same database file"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - url: s3://one/a
                              - url: s3://two/a
                        """, 5, new String[]{"two replicas of /a.db are named 's3'", "line 4"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: sftp
                                host: h
                        """, 4, new String[]{"needs a user"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                            replicas:
                              - type: abs
                                account-name: a
                        """, 4, new String[]{"needs a container"}),
                Arguments.of("""
                        logging:
                          level: loud
                        """, 2, new String[]{"unknown logging level 'loud'"}),
                Arguments.of("""
                        dbs:
                          - path: /a.db
                           replicas: []
                        """, 3, new String[]{"YAML syntax error"}),
                Arguments.of("""
                        dbs:
                          - path: "/a.db
                        """, 3, new String[]{"YAML syntax error"}),
                Arguments.of("""
                        dbs: []
                        ---
                        dbs: []
                        """, 2, new String[]{"YAML syntax error", "single document"}));
    }

    @ParameterizedTest(name = "[{index}] line {1}: {2}")
    @MethodSource("mistakes")
    void namesFileLineAndKey(String yaml, int line, String[] fragments) {
        ConfigFixture fx = new ConfigFixture(tmp);
        Path file = fx.write("bad.yml", yaml);
        KeelException e = catchThrowableOfType(KeelException.class,
                () -> new ConfigLoader(fx.env(Map.of())).load(file.toString(), true));
        assertThat(e).as("expected an error for:%n%s", yaml).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).isEqualTo(file + ":" + line);
        assertThat(e.hint()).as("every config error says what to do").isNotBlank();
        assertThat(e.getMessage()).contains(fragments);
        assertThat(ErrorCode.BAD_INPUT.exitStatus()).isEqualTo(65);
    }

    @Test
    void unknownKeyListsTheKeysAllowedThere() {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load("dbs:\n  - zzzzzz: 1\n"));
        assertThat(e.getMessage()).contains("unknown key 'zzzzzz'").doesNotContain("did you mean");
        assertThat(e.hint()).contains("path").contains("replicas").contains("meta-path");
    }

    @Test
    void unsetVariableOnTheFailingLineIsNamedInTheHint() {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - type: s3
                        region: ${REGION}
                        bucket: $BUCKET
                """, Map.of("REGION", "r"), true));
        assertThat(e.subject()).endsWith(":6");
        assertThat(e.getMessage()).contains("needs a bucket");
        assertThat(e.hint()).contains("$BUCKET is not set").contains("-no-expand-env");
    }

    @Test
    void anUnsetVariableWithAHugeNameIsShortenedInTheHint() {
        ConfigFixture fx = new ConfigFixture(tmp);
        String name = "BUCKET" + "X".repeat(20_000);
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - type: s3
                        bucket: $%s
                """.formatted(name), Map.of(), true));
        assertThat(e.subject()).endsWith(":5");
        assertThat(e.hint()).contains("$BUCKETXXX").contains("... is not set").hasSizeLessThan(1000);
    }

    @Test
    void wrongTypeUnderUrlSchemeWithPasswordDoesNotLeakIt() {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - url: sftp://u:hunter2@h:99999/x
                """));
        assertThat(e.getMessage()).contains("bad port").contains("sftp://u:***@h:99999/x").doesNotContain("hunter2");
        assertThat(e.toString()).doesNotContain("hunter2");
    }

    @Test
    void anSftpHostWithUserInfoIsRefusedWithoutQuotingIt() {
        ConfigFixture fx = new ConfigFixture(tmp);
        KeelException e = catchThrowableOfType(KeelException.class, () -> fx.load("""
                dbs:
                  - path: /a.db
                    replicas:
                      - type: sftp
                        host: u:hunter2@h:22
                        user: u
                """));
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).endsWith(":5");
        assertThat(e.getMessage()).contains("sftp host").doesNotContain("hunter2");
        assertThat(e.hint()).contains("password:");
        assertThat(e.toString()).doesNotContain("hunter2");
    }
}
