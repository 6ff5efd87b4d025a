package dev.keel.replication.spi;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class ReplicaUrlTest {

    static Stream<Arguments> urls() {
        return Stream.of(
                Arguments.of("file:///var/backups/app", new ReplicaStorage.File(Path.of("/var/backups/app"))),
                Arguments.of("file://localhost/var/backups/app", new ReplicaStorage.File(Path.of("/var/backups/app"))),
                Arguments.of("file:///var//backups/./x/../app/", new ReplicaStorage.File(Path.of("/var/backups/app"))),
                Arguments.of("/var/backups/app", new ReplicaStorage.File(Path.of("/var/backups/app"))),
                Arguments.of("backups/app", new ReplicaStorage.File(Path.of("backups/app"))),
                // Plain AWS: the host is the bucket; region looked up later; virtual-hosted style.
                Arguments.of("s3://mybkt/db/app", s3("mybkt", "db/app", null, null, false)),
                Arguments.of("s3://mybkt", s3("mybkt", "", null, null, false)),
                Arguments.of("s3://mybkt/", s3("mybkt", "", null, null, false)),
                Arguments.of("s3://my.dotted.bucket/p", s3("my.dotted.bucket", "p", null, null, false)),
                // Local servers: http, path style, us-east-1.
                Arguments.of("s3://bkt.localhost:9000/app", s3("bkt", "app", "us-east-1", "http://localhost:9000", true)),
                Arguments.of("s3://bkt.localhost/app", s3("bkt", "app", "us-east-1", "http://localhost", true)),
                // Litestream 0.3.13 provider hosts.
                Arguments.of("s3://bkt.s3.us-west-000.backblazeb2.com/app",
                        s3("bkt", "app", "us-west-000", "https://s3.us-west-000.backblazeb2.com", true)),
                Arguments.of("s3://bkt.s3.filebase.com/app", s3("bkt", "app", null, "https://s3.filebase.com", true)),
                Arguments.of("s3://bkt.nyc3.digitaloceanspaces.com/app",
                        s3("bkt", "app", "nyc3", "https://nyc3.digitaloceanspaces.com", true)),
                Arguments.of("s3://bkt.s3.fr-par.scw.cloud/app", s3("bkt", "app", "fr-par", "https://s3.fr-par.scw.cloud", true)),
                Arguments.of("s3://bkt.us-east-1.linodeobjects.com/app",
                        s3("bkt", "app", "us-east-1", "https://us-east-1.linodeobjects.com", true)),
                Arguments.of("s3://bkt.nyc3.digitaloceanspaces.com:8443/app",
                        s3("bkt", "app", "nyc3", "https://nyc3.digitaloceanspaces.com:8443", true)),
                // Keel additions: AWS virtual-hosted names, self-hosted bucket.host:port.
                Arguments.of("s3://bkt.s3.us-west-2.amazonaws.com/app", s3("bkt", "app", "us-west-2", null, false)),
                Arguments.of("s3://bkt.s3.amazonaws.com/app", s3("bkt", "app", null, null, false)),
                Arguments.of("s3://bkt.s3-eu-west-1.amazonaws.com/app", s3("bkt", "app", "eu-west-1", null, false)),
                Arguments.of("s3://bkt.minio.internal:9000/app",
                        s3("bkt", "app", "us-east-1", "http://minio.internal:9000", true)),
                Arguments.of("sftp://alice:s3cret@backup.example.com:2222/srv/backups/app",
                        new ReplicaStorage.Sftp("backup.example.com", 2222, "alice", "s3cret", null, "/srv/backups/app", null)),
                Arguments.of("sftp://alice@backup.example.com/srv/app",
                        new ReplicaStorage.Sftp("backup.example.com", 22, "alice", null, null, "/srv/app", null)),
                Arguments.of("sftp://al%40ice:p%2Fw%40rd@[::1]:22/app",
                        new ReplicaStorage.Sftp("::1", 22, "al@ice", "p/w@rd", null, "/app", null)),
                Arguments.of("abs://myaccount@mycontainer/db/app",
                        new ReplicaStorage.Azure("myaccount", null, null, "mycontainer", "db/app", null)),
                Arguments.of("abs://mycontainer/db", new ReplicaStorage.Azure(null, null, null, "mycontainer", "db", null)),
                Arguments.of("gcs://mybkt/db/app", new ReplicaStorage.Gcs("mybkt", "db/app")),
                Arguments.of("gcs://mybkt", new ReplicaStorage.Gcs("mybkt", "")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("urls")
    void parsesLikeLitestream(String url, ReplicaStorage expected) {
        assertThat(ReplicaUrl.parse(url)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource(delimiter = '|', value = {
            "s3:///path                     | no bucket",
            "s3://localhost:9000/path       | no bucket",
            "s3://bucket:9000/path          | has a port but no server name",
            "sftp:///path                   | no host",
            "sftp://host/path               | no user",
            "sftp://u@host:99999/path       | bad port '99999'",
            "sftp://u@host:ssh/path         | bad port 'ssh'",
            "abs://account@/path            | no container",
            "ftp://host/path                | unknown replica URL scheme 'ftp'",
            "gcs:///path                    | no bucket",
            "gcs://bucket:443/path          | a gcs URL has no port",
            "gcs://user@bucket/path         | a gcs URL has no user",
            "gs://bucket/path               | unknown replica URL scheme 'gs'",
            "file://somehost/path           | has no host",
            "file:///                       | no directory",
            "s3://bucket/path?region=x      | query strings",
            "s3://bucket/a%zzb              | bad percent escape",
            "''                             | empty replica URL",
    })
    void rejectsMalformedUrls(String url, String problem) {
        KeelException e = catchThrowableOfType(KeelException.class, () -> ReplicaUrl.parse(url));
        assertThat(e).as("expected an error for %s", url).isNotNull();
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.getMessage()).contains(problem);
        if (!url.isEmpty()) assertThat(e.subject()).isEqualTo(ReplicaUrl.redact(url));
        assertThat(e.hint()).isNotBlank();
    }

    @Test
    void errorsNeverCarryThePassword() {
        assertThatThrownBy(() -> ReplicaUrl.parse("sftp://u:hunter2@host:0/x"))
                .isInstanceOf(KeelException.class)
                .satisfies(e -> assertThat(((KeelException) e).describe() + e).doesNotContain("hunter2"));
        assertThat(ReplicaUrl.redact("sftp://u:hunter2@host/x")).isEqualTo("sftp://u:***@host/x");
        assertThat(ReplicaUrl.redact("sftp://u@host/x")).isEqualTo("sftp://u@host/x");
        assertThat(ReplicaUrl.split("sftp://u:hunter2@host/x").toString()).doesNotContain("hunter2");
        assertThat(ReplicaUrl.parse("sftp://u:hunter2@host/x").toString()).doesNotContain("hunter2");
    }

    @ParameterizedTest
    @CsvSource({"s3://b/p,true", "file:///x,true", "abs://a@c/p,true", "/var/app.db,false", "app.db,false",
            "C:/x,false", "s3:/b,false", "my_scheme://x,true"})
    void isUrlNeedsSchemeAndSlashes(String s, boolean expected) {
        assertThat(ReplicaUrl.isUrl(s)).isEqualTo(expected);
    }

    @Test
    void splitKeepsTheParts() {
        ReplicaUrl.Parts p = ReplicaUrl.split("sftp://bob:pw@example.com:2022/a/b/../c");
        assertThat(p.scheme()).isEqualTo("sftp");
        assertThat(p.user()).isEqualTo("bob");
        assertThat(p.password()).isEqualTo("pw");
        assertThat(p.host()).isEqualTo("example.com");
        assertThat(p.port()).isEqualTo(2022);
        assertThat(p.path()).isEqualTo("/a/c");
        assertThat(p.hostAndPort()).isEqualTo("example.com:2022");
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"''|''", "/|/", "a/b|a/b", "/a/./b/|/a/b", "/../a|/a", "a/../../b|../b", "//a//b|/a/b"})
    void cleanPathMatchesGo(String in, String out) {
        assertThat(ReplicaUrl.cleanPath(in)).isEqualTo(out);
    }

    private static ReplicaStorage.S3 s3(String bucket, String path, String region, String endpoint, boolean pathStyle) {
        return new ReplicaStorage.S3(bucket, path, region, endpoint, pathStyle, false, null, null);
    }
}
