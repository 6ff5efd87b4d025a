package dev.keel.core.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatabaseDirectoryTest {
    @TempDir
    Path dir;

    private Path database(String relative) throws Exception {
        Path file = dir.resolve(relative);
        Files.createDirectories(file.getParent());
        byte[] page = new byte[4096];
        byte[] magic = "SQLite format 3\0".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(magic, 0, page, 0, magic.length);
        Files.write(file, page);
        return file;
    }

    private List<String> names(DatabaseDirectory d, List<Path> paths) {
        return paths.stream().map(d::relativeName).toList();
    }

    @Test
    void findsMatchingDatabasesSortedAndSkipsSideFilesAndNonDatabases() throws Exception {
        database("b.db");
        database("a.db");
        database("a.db-wal");
        database("a.db-shm");
        database("a.db-journal");
        database(".hidden.db");
        database("other.sqlite");
        Files.write(dir.resolve("empty.db"), new byte[0]);
        Files.write(dir.resolve("text.db"), "hello".repeat(200).getBytes(StandardCharsets.US_ASCII));
        byte[] half = Arrays.copyOf("SQLite format 3\0".getBytes(StandardCharsets.US_ASCII), 100);
        Files.write(dir.resolve("half.db"), half);
        database("sub/c.db");
        DatabaseDirectory d = DatabaseDirectory.of(dir);
        assertThat(names(d, d.candidates())).containsExactly("a.db", "b.db", "empty.db", "half.db", "text.db");
        assertThat(names(d, d.databases())).containsExactly("a.db", "b.db");
    }

    @Test
    void recursiveWalksSubdirectoriesButNotHiddenOnesOrLinkedDirectories() throws Exception {
        database("eu/acme.db");
        database("us/west/zeta.db");
        database(".app.db-keel/inner.db");
        database("top.db");
        Path outside = Files.createTempDirectory("keel-outside");
        Files.write(outside.resolve("x.db"), Files.readAllBytes(dir.resolve("top.db")));
        Files.createSymbolicLink(dir.resolve("linked"), outside);
        DatabaseDirectory d = new DatabaseDirectory(dir, "*.db", true);
        assertThat(names(d, d.databases())).containsExactly("eu/acme.db", "top.db", "us/west/zeta.db");
        assertThat(names(d, DatabaseDirectory.of(dir).databases())).containsExactly("top.db");
    }

    @Test
    void patternMatchesFileNamesOnly() throws Exception {
        database("tenant-1.sqlite");
        database("tenant-2.db");
        DatabaseDirectory d = new DatabaseDirectory(dir, "tenant-*.sqlite", false);
        assertThat(names(d, d.databases())).containsExactly("tenant-1.sqlite");
        DatabaseDirectory all = new DatabaseDirectory(dir, "*", false);
        assertThat(names(all, all.databases())).containsExactly("tenant-1.sqlite", "tenant-2.db");
    }

    @Test
    void refusesPatternsWithSeparatorsOrBadSyntaxAndMissingRoots() {
        assertThatThrownBy(() -> new DatabaseDirectory(dir, "../*.db", false))
                .isInstanceOf(KeelException.class).hasMessageContaining("path separator");
        assertThatThrownBy(() -> new DatabaseDirectory(dir, "[a", false))
                .isInstanceOf(KeelException.class).hasMessageContaining("not a valid glob");
        assertThatThrownBy(() -> DatabaseDirectory.of(dir.resolve("missing")).candidates())
                .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.NOT_FOUND));
    }
}
