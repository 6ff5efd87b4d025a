package dev.keel.cli.restore;

import static dev.keel.cli.restore.RestoreCommandsTest.GEN;
import static dev.keel.cli.restore.RestoreCommandsTest.count;
import static dev.keel.cli.restore.RestoreCommandsTest.run;
import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.cli.restore.RestoreCommandsTest.Run;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DB_PATH names the configured database it is the same file as, the way the replicator follows a
 * symbolic link to its database: a link to a configured database, the target of a configured link,
 * and a link whose database is gone (the usual reason to restore) all find the entry.
 */
class DatabasePathThroughLinksTest {
    @TempDir
    Path dir;
    Path replica;

    @BeforeEach
    void replica() throws Exception {
        replica = dir.resolve("replica");
        RestoreCommandsTest.writeReplica(dir.resolve("source.db"), replica);
    }

    private String config(Path db) throws Exception {
        return Files.writeString(dir.resolve("keel.yml"), "dbs:\n  - path: " + db + "\n    replicas:\n      - name: backup\n"
                + "        path: " + replica + "\n").toString();
    }

    @Test
    void aLinkToTheConfiguredDatabaseFindsIt() throws Exception {
        Path db = dir.resolve("data/app.db");
        Files.createDirectories(db.getParent());
        Files.writeString(db, ""); // the live database's file; its content does not matter to a restore elsewhere
        Path link = Files.createSymbolicLink(dir.resolve("app-link.db"), db);
        String config = config(db);

        Run restored = run("restore", "-config", config, "-o", dir.resolve("out.db").toString(), link.toString());
        assertThat(restored.status()).as(restored.err()).isZero();
        assertThat(count(dir.resolve("out.db"))).isEqualTo(15);
        Run listed = run("generations", "-config", config, link.toString());
        assertThat(listed.status()).as(listed.err()).isZero();
        assertThat(listed.out()).contains("backup  " + GEN);
    }

    @Test
    void theTargetOfAConfiguredLinkFindsIt() throws Exception {
        Path db = dir.resolve("data/app.db");
        Files.createDirectories(db.getParent());
        Files.writeString(db, "");
        Path link = Files.createSymbolicLink(dir.resolve("app-link.db"), db);
        String config = config(link);

        Run restored = run("restore", "-config", config, "-o", dir.resolve("out.db").toString(), db.toString());
        assertThat(restored.status()).as(restored.err()).isZero();
        assertThat(count(dir.resolve("out.db"))).isEqualTo(15);
        Run directory = run("snapshots", "-config", config, dir.resolve("data/../data/app.db").toString());
        assertThat(directory.status()).as(directory.err()).isZero();
    }

    @Test
    void aLinkToALostDatabaseRestoresItAtItsConfiguredPath() throws Exception {
        Path db = dir.resolve("data/app.db");
        Files.createDirectories(db.getParent());
        Path link = Files.createSymbolicLink(dir.resolve("app-link.db"), db); // dangling: the database is gone
        String config = config(db);

        Run restored = run("restore", "-config", config, link.toString());
        assertThat(restored.status()).as(restored.err()).isZero();
        assertThat(count(db)).isEqualTo(15);
    }

    @Test
    void anotherFileIsStillNotFound() throws Exception {
        Path db = dir.resolve("app.db");
        Files.writeString(db, "");
        Path other = Files.writeString(dir.resolve("other.db"), "");
        Path link = Files.createSymbolicLink(dir.resolve("other-link.db"), other);
        String config = config(db);
        for (Path p : new Path[] {other, link}) {
            Run r = run("restore", "-config", config, "-o", dir.resolve("x.db").toString(), p.toString());
            assertThat(r.status()).as(r.err()).isEqualTo(66);
            assertThat(r.err()).contains("database not found in config");
        }
    }
}
