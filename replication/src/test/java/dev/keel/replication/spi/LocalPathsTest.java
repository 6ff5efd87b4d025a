package dev.keel.replication.spi;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Which file a path names, through links that exist, links whose target is gone, and link loops. */
class LocalPathsTest {
    @TempDir
    Path dir;

    @Test
    void aLinkToAnExistingFileIsItsTarget() throws Exception {
        Path real = Files.writeString(dir.resolve("app.db"), "");
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), real);
        assertThat(LocalPaths.followLinks(link)).isEqualTo(real.toRealPath());
    }

    @Test
    void aLinkWhoseTargetIsMissingIsItsTargetToo() throws Exception {
        Files.createDirectories(dir.resolve("data"));
        Path link = Files.createSymbolicLink(dir.resolve("link.db"), Path.of("data/app.db")); // relative, dangling
        Path chain = Files.createSymbolicLink(dir.resolve("chain.db"), link);
        Path expected = dir.toRealPath().resolve("data/app.db");
        assertThat(LocalPaths.followLinks(link)).isEqualTo(expected);
        assertThat(LocalPaths.followLinks(chain)).isEqualTo(expected);
        Path linkedDirectory = Files.createSymbolicLink(dir.resolve("gone"), dir.resolve("missing-dir"));
        assertThat(LocalPaths.followLinks(linkedDirectory.resolve("x.db"))).isEqualTo(dir.toRealPath().resolve("missing-dir/x.db"));
    }

    @Test
    void aLinkLoopEndsAtTheLoopInsteadOfRunningForever() throws Exception {
        Path a = dir.resolve("a.db");
        Path b = Files.createSymbolicLink(dir.resolve("b.db"), a);
        Files.createSymbolicLink(a, b);
        Path followed = LocalPaths.followLinks(a);
        assertThat(followed.getParent()).isEqualTo(dir.toRealPath());
        assertThat(followed.getFileName().toString()).isIn("a.db", "b.db");
    }

    @Test
    void aMissingPathUnderARealDirectoryKeepsItsName() throws Exception {
        Path missing = dir.resolve("sub/../none.db");
        assertThat(LocalPaths.followLinks(missing)).isEqualTo(dir.toRealPath().resolve("none.db"));
    }
}
