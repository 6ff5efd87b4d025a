package dev.keel.cli.restore;

import static dev.keel.cli.restore.RestoreCommandsTest.GEN;
import static dev.keel.cli.restore.RestoreCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.restore.RestoreCommandsTest.Run;
import dev.keel.core.Redactor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code keel restore}, {@code generations}, {@code snapshots} and {@code wal} hide secrets in their
 * text output as in their JSON and errors: a secret the config file holds (here a global
 * {@code secret-access-key}, also used in a replica's name) and a credential-shaped parameter in a
 * replica's location ({@code ?sig=...}), on success, on the tolerated no-op paths and on failure.
 */
class RestoreOutputSecretsTest {
    private static final String KNOWN = "Sup3rS3cretValue";
    private static final String SIG = "S1gnatureS3cret";

    @TempDir
    Path dir;
    Path db;
    Path replica;
    String config;

    @BeforeEach
    void replicaWithSecretsInItsNameAndPath() throws Exception {
        db = dir.resolve("app.db");
        replica = dir.resolve("r?sig=" + SIG);
        RestoreCommandsTest.writeReplica(dir.resolve("source.db"), replica);
        config = Files.writeString(dir.resolve("keel.yml"), "secret-access-key: " + KNOWN + "\ndbs:\n  - path: " + db
                + "\n    replicas:\n      - name: k-" + KNOWN + "\n        path: " + replica + "\n").toString();
    }

    /** A file URL for {@code dir}: its '?' percent-encoded, as a replica URL may not have a query. */
    private static String url(Path dir) {
        return "file://" + dir.toString().replace("?", "%3F");
    }

    private static void assertHidden(Run r, int status, String shown) {
        String all = r.out() + r.err();
        assertThat(r.status()).as(all).isEqualTo(status);
        assertThat(all).as(all).contains(shown).contains(Redactor.MASK).doesNotContain(KNOWN).doesNotContain(SIG);
    }

    @Test
    void listingsHideSecretsInTextAndJson() {
        for (String command : List.of("generations", "snapshots", "wal")) {
            for (boolean json : List.of(false, true)) {
                List<String[]> calls = List.of(
                        new String[]{command, "-config", config, db.toString()},
                        new String[]{command, "-config", config, "-replica", "k-" + KNOWN, db.toString()});
                for (String[] call : calls) {
                    List<String> args = new ArrayList<>(List.of(call));
                    if (json) args.add(1, "--json");
                    assertHidden(run(args.toArray(String[]::new)), 0, GEN);
                }
            }
            assertThat(run(command, url(replica)).out()).contains(GEN).doesNotContain(SIG);
            assertHidden(run(command, "-config", config, "-replica", "nope", db.toString()), 66, "nope");
        }
    }

    @Test
    void restoreHidesSecretsInTextAndJson() {
        assertHidden(run("restore", "-config", config, db.toString()), 0, "restored");
        Run skipped = run("restore", "-if-db-not-exists", "-config", config, db.toString());
        assertThat(skipped.status()).isZero();
        assertThat(skipped.out()).contains("already exists");
        assertHidden(run("restore", "--json", "-o", dir.resolve("j.db").toString(), "-config", config, db.toString()), 0, GEN);
        assertHidden(run("restore", "-o", dir.resolve("url.db").toString(), url(replica)), 0, "restored");

        Path empty = dir.resolve("empty?sig=" + SIG);
        assertHidden(run("restore", "-o", dir.resolve("e.db").toString(), url(empty)), 66, "no");
        Run tolerated = run("restore", "-if-replica-exists", "-o", dir.resolve("e.db").toString(), url(empty));
        assertThat(tolerated.status()).isZero();
        assertThat(tolerated.out()).contains("no matching backups found");
    }

    @Test
    void unreachableStorageFailuresHideTheirCredentials() throws Exception {
        String s3 = Files.writeString(dir.resolve("s3.yml"), "dbs:\n  - path: " + db + "\n    replicas:\n"
                + "      - {type: s3, bucket: b, path: p, access-key-id: id, secret-access-key: x" + KNOWN
                + ", endpoint: 'http://u:" + KNOWN + "@127.0.0.1:1'}\n").toString();
        String sftp = "sftp://u:" + KNOWN + "@127.0.0.1:1/p";
        for (String command : List.of("restore", "generations", "snapshots", "wal")) {
            assertHidden(run(command, "-config", s3, db.toString()), 69, "127.0.0.1:1");
            String[] fromUrl = command.equals("restore") ? new String[]{command, "-o", dir.resolve("s.db").toString(), sftp}
                    : new String[]{command, sftp};
            Run r = run(fromUrl); // the password is not part of how an sftp replica is described: nothing to mask
            assertThat(r.status()).as(r.err()).isEqualTo(69);
            assertThat(r.out() + r.err()).contains("sftp://u@127.0.0.1:1/p").doesNotContain(KNOWN);
        }
    }
}
