package dev.keel.cli.restore;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code keel restore -f} refuses what does not fit follow mode, with the README's exit codes, before touching anything. */
class FollowUsageTest {
    @TempDir
    Path dir;
    String url;

    @BeforeEach
    void replica() throws Exception {
        Path replica = dir.resolve("replica");
        url = "file://" + replica;
        RestoreCommandsTest.writeReplica(dir.resolve("source.db"), replica);
    }

    @Test
    void followWithoutAnOutputPathIsAUsageError() {
        RestoreCommandsTest.Run r = RestoreCommandsTest.run("restore", "-f", url);
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.err()).contains("-f needs -o PATH").contains("hint:");
    }

    @Test
    void followWithAPointInTimeOrAGenerationIsAUsageError() {
        Path out = dir.resolve("copy.db");
        RestoreCommandsTest.Run ts = RestoreCommandsTest.run("restore", "-f", "-o", out.toString(), "-timestamp", "2024-01-01T00:00:00Z", url);
        assertThat(ts.status()).isEqualTo(64);
        assertThat(ts.err()).contains("-timestamp cannot be used with -f");
        RestoreCommandsTest.Run gen = RestoreCommandsTest.run("restore", "-f", "-o", out.toString(), "-generation",
                RestoreCommandsTest.GEN, url);
        assertThat(gen.status()).isEqualTo(64);
        assertThat(gen.err()).contains("-generation cannot be used with -f");
        RestoreCommandsTest.Run index = RestoreCommandsTest.run("restore", "-f", "-o", out.toString(), "-index", "1", url);
        assertThat(index.status()).isEqualTo(64);
        RestoreCommandsTest.Run interval = RestoreCommandsTest.run("restore", "-o", out.toString(), "-follow-interval", "1s", url);
        assertThat(interval.status()).isEqualTo(64);
        assertThat(interval.err()).contains("-follow-interval needs -f");
        RestoreCommandsTest.Run zero = RestoreCommandsTest.run("restore", "-f", "-o", out.toString(), "-follow-interval", "0s", url);
        assertThat(zero.status()).isEqualTo(64);
        RestoreCommandsTest.Run junk = RestoreCommandsTest.run("restore", "-f", "-o", out.toString(), "-follow-interval", "soon", url);
        assertThat(junk.status()).isEqualTo(64);
        assertThat(junk.err()).contains("invalid -follow-interval 'soon'");
        RestoreCommandsTest.Run json = RestoreCommandsTest.run("restore", "-f", "-o", out.toString(), "--json", url);
        assertThat(json.status()).isEqualTo(64);
        assertThat(Files.exists(out)).isFalse();
    }

    @Test
    void aLiveDatabaseAtTheOutputPathIsRefusedAndLeftAlone() throws Exception {
        Path live = dir.resolve("live.db");
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + live); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("CREATE TABLE x(a)");
            s.execute("INSERT INTO x VALUES (1)");
            byte[] before = Files.readAllBytes(live);
            RestoreCommandsTest.Run r = RestoreCommandsTest.run("restore", "-f", "-o", live.toString(), url);
            assertThat(r.status()).as(r.err()).isEqualTo(3);
            assertThat(r.err()).contains("cannot follow").contains("WAL mode").contains(live.toString());
            assertThat(Files.readAllBytes(live)).isEqualTo(before);
        }
        RestoreCommandsTest.Run closed = RestoreCommandsTest.run("restore", "-f", "-o", live.toString(), url);
        assertThat(closed.status()).as(closed.err()).isEqualTo(3);
        assertThat(closed.err()).contains("not a follower's copy");
    }
}
