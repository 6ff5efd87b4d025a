package dev.keel.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.core.fleet.Shard;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Choosing a fleet from directories, paths and list files, with hostile inputs among them. */
class FleetSelectionTest {
    @TempDir
    Path dir;
    Path tenants;
    List<Path> dbs;

    @BeforeEach
    void fleet() throws Exception {
        tenants = Files.createDirectory(dir.resolve("tenants"));
        dbs = Tenants.create(tenants, 5);
    }

    @Test
    void aDirectoryGivesItsDatabasesSortedAndLeavesOutFilesThatAreNotDatabases() throws Exception {
        Files.writeString(tenants.resolve("notes.db"), "not a database at all, although the name matches the pattern");
        Files.createFile(tenants.resolve("empty.db"));
        FleetSelection s = FleetSelection.builder().directory(DatabaseDirectory.of(tenants)).build();
        assertThat(s.databases()).extracting(FleetDatabase::path).containsExactlyElementsOf(dbs);
        assertThat(s.ignored()).extracting(p -> p.getFileName().toString()).containsExactlyInAnyOrder("notes.db", "empty.db");
    }

    @Test
    void aSymbolicLinkToADatabaseOutsideTheDirectoryIsADatabaseOfTheFleet() throws Exception {
        Path elsewhere = Tenants.database(dir.resolve("elsewhere.db"), 3);
        Files.createSymbolicLink(tenants.resolve("linked.db"), elsewhere);
        FleetSelection s = FleetSelection.builder().directory(DatabaseDirectory.of(tenants)).build();
        assertThat(s.databases()).extracting(FleetDatabase::name).contains(tenants.resolve("linked.db").toString()).hasSize(6);
        FleetResult r = FleetMigrator.configure().selection(s).schema("schema.sql", Tenants.WANTED).load().migrate();
        assertThat(r.exitStatus()).isZero();
        assertThat(Tenants.priceType(elsewhere)).isEqualTo("REAL");
    }

    @Test
    void aLinkToADatabaseThatIsAlsoSelectedIsRefusedAsADuplicate() throws Exception {
        Files.createSymbolicLink(tenants.resolve("alias.db"), dbs.get(2));
        KeelException e = catchKeel(() -> FleetSelection.builder().directory(DatabaseDirectory.of(tenants)).build());
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.getMessage()).contains("selected twice").contains("tenant-002.db");

        KeelException twice = catchKeel(() -> FleetSelection.builder().path(dbs.get(1)).path(dbs.get(1)).build());
        assertThat(twice.code().exitStatus()).isEqualTo(65);
    }

    @Test
    void namedPathsMustExistAndBeDatabases() throws Exception {
        KeelException missing = catchKeel(() -> FleetSelection.builder().path(tenants.resolve("nope.db")).build());
        assertThat(missing.code().exitStatus()).isEqualTo(66);
        Path text = Files.writeString(dir.resolve("text.db"), "hello");
        assertThat(catchKeel(() -> FleetSelection.builder().path(text).build()).code()).isEqualTo(ErrorCode.BAD_INPUT);
        KeelException directory = catchKeel(() -> FleetSelection.builder().path(tenants).build());
        assertThat(directory.hint()).contains("--dir");
        assertThat(catchKeel(() -> FleetSelection.builder().build()).code().exitStatus()).isEqualTo(64);
    }

    @Test
    void aListFileResolvesRelativePathsAgainstItsDirectoryAndSkipsCommentsAndBlankLines() throws Exception {
        Path lists = Files.createDirectory(dir.resolve("lists"));
        Path list = Files.writeString(lists.resolve("fleet.txt"), "# tenants of region A\n\n../tenants/tenant-003.db\n  "
                + dbs.get(0) + "  \n../tenants/./tenant-001.db\n");
        FleetSelection s = FleetSelection.builder().fromFile(list).build();
        assertThat(s.databases()).extracting(FleetDatabase::path)
                .containsExactly(dbs.get(0), dbs.get(1), dbs.get(3));
    }

    @Test
    void aListFileEntryThatEscapesToSomethingElseIsAnErrorNamingFileAndLine() throws Exception {
        Path lists = Files.createDirectory(dir.resolve("lists"));
        Files.writeString(dir.resolve("secret.txt"), "not a database");
        Path list = Files.writeString(lists.resolve("fleet.txt"), "../tenants/tenant-000.db\n../secret.txt\n");
        KeelException e = catchKeel(() -> FleetSelection.builder().fromFile(list).build());
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.subject()).isEqualTo(list + ":2");
        assertThat(e.getMessage()).contains("not a SQLite database");

        Path missing = Files.writeString(lists.resolve("missing.txt"), "# one\n../tenants/gone.db\n");
        KeelException gone = catchKeel(() -> FleetSelection.builder().fromFile(missing).build());
        assertThat(gone.code().exitStatus()).isEqualTo(66);
        assertThat(gone.subject()).isEqualTo(missing + ":2");

        Path control = Files.writeString(lists.resolve("control.txt"), "../tenants/tenant-000.db\u0007\n");
        assertThat(catchKeel(() -> FleetSelection.builder().fromFile(control).build()).subject()).isEqualTo(control + ":1");
    }

    @Test
    void aHugeListFileIsRefusedWithoutReadingItAll() throws Exception {
        Path huge = dir.resolve("huge.txt");
        byte[] line = "# a comment line that is long enough to fill the file quickly .......................\n".getBytes();
        try (OutputStream out = Files.newOutputStream(huge)) {
            for (long written = 0; written <= ListFile.MAX_BYTES; written += line.length) out.write(line);
        }
        KeelException e = catchKeel(() -> FleetSelection.builder().fromFile(huge).build());
        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
        assertThat(e.getMessage()).contains("larger than");

        Path longLine = Files.writeString(dir.resolve("long.txt"), "x".repeat(ListFile.MAX_LINE_LENGTH + 1) + "\n");
        assertThat(catchKeel(() -> FleetSelection.builder().fromFile(longLine).build()).subject()).isEqualTo(longLine + ":1");
    }

    @Test
    void shardsSplitTheFleetSoEveryDatabaseIsInExactlyOne() throws Exception {
        Path many = Files.createDirectory(dir.resolve("many"));
        List<Path> all = Tenants.create(many, 40);
        for (int count : new int[] {1, 3, 7}) {
            List<Path> seen = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                FleetSelection share = FleetSelection.builder().directory(DatabaseDirectory.of(many)).shard(new Shard(i, count)).build();
                share.databases().forEach(d -> seen.add(d.path()));
                assertThat(share.databases()).isSortedAccordingTo((a, b) -> a.name().compareTo(b.name()));
            }
            assertThat(seen).as("shards of " + count).hasSize(40);
            Set<Path> distinct = new HashSet<>(seen);
            assertThat(distinct).containsExactlyInAnyOrderElementsOf(all);
        }
        // the share depends on the path below the directory, not on where the fleet is mounted
        Path moved = Files.move(many, dir.resolve("mounted-elsewhere"));
        List<String> before = FleetSelection.builder().directory(DatabaseDirectory.of(dir.resolve("mounted-elsewhere")))
                .shard(new Shard(1, 3)).build().databases().stream().map(d -> d.path().getFileName().toString()).toList();
        Files.move(moved, many);
        List<String> after = FleetSelection.builder().directory(DatabaseDirectory.of(many))
                .shard(new Shard(1, 3)).build().databases().stream().map(d -> d.path().getFileName().toString()).toList();
        assertThat(before).isEqualTo(after).isNotEmpty();
    }

    private static KeelException catchKeel(Runnable r) {
        try {
            r.run();
        } catch (KeelException e) {
            return e;
        }
        throw new AssertionError("expected a KeelException");
    }
}
