package dev.keel.fleet.branch;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The direct copy of a live WAL database is always one committed state, whatever the writer and its checkpoints do. */
@Timeout(240)
class DirectCopyTest {
    @TempDir
    Path dir;

    @Test
    void everyCopyOfABusyDatabaseIsOneCommittedStateAndTheyAdvance() throws Exception {
        Path db = dir.resolve("ledger.db");
        LedgerWriterMain.create(db);
        Process writer = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                System.getProperty("java.class.path"), LedgerWriterMain.class.getName(), db.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("writer.log").toFile()).start();
        try {
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (Db.number(db, "SELECT n FROM meta") < 300 && System.nanoTime() < deadline) Thread.sleep(20);
            int direct = 0;
            List<Long> states = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                Path copy = dir.resolve("copy" + i + ".db");
                if (DirectCopy.copy(db, copy) == null) {
                    Files.deleteIfExists(copy);
                    continue;
                }
                direct++;
                assertThat(Db.integrity(copy)).as("copy %d", i).isEqualTo("ok");
                long n = Db.number(copy, "SELECT n FROM meta");
                assertThat(Db.number(copy, "SELECT count(*) FROM t")).as("rows of copy %d", i).isEqualTo(n);
                assertThat(Db.number(copy, "SELECT coalesce(max(id), 0) FROM t")).isEqualTo(n);
                assertThat(Db.number(copy, "SELECT sum(bal) FROM acct")).as("balance of copy %d", i).isEqualTo(LedgerWriterMain.TOTAL);
                states.add(n);
                Thread.sleep(i % 7 * 15);
            }
            assertThat(writer.isAlive()).as("the writer ran throughout: " + Files.readString(dir.resolve("writer.log"))).isTrue();
            assertThat(direct).as("copies made directly (the others fell back)").isGreaterThanOrEqualTo(30);
            assertThat(states).isSorted();
            assertThat(states.get(states.size() - 1)).isGreaterThan(states.get(0));
        } finally {
            writer.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aDatabaseWhoseWalIsEmptyIsCopiedWhole() throws Exception {
        Path db = dir.resolve("quiet.db");
        Db.create(db, 500, 700); // the connection closed: SQLite checkpointed and removed the WAL
        Path copy = dir.resolve("copy.db");
        assertThat(DirectCopy.copy(db, copy)).isNotNull();
        assertThat(Db.number(copy, "SELECT count(*) FROM t")).isEqualTo(500);
        assertThat(Db.integrity(copy)).isEqualTo("ok");
        assertThat(Files.size(copy)).isEqualTo(Files.size(db));
    }

    @Test
    void aHeaderThatChangedOrWhoseCopiesDifferPinsNothing() {
        byte[] stable = header(7, 12, 3);
        DirectCopy.Pinned p = DirectCopy.pinned(stable, stable.clone());
        assertThat(p.mxFrame()).isEqualTo(7);
        assertThat(p.pages()).isEqualTo(12);
        assertThat(p.pageSize()).isEqualTo(4096);
        assertThat(p.allBackfilled()).isFalse();
        assertThat(DirectCopy.pinned(header(7, 12, 7), header(7, 12, 7)).allBackfilled()).isTrue();
        assertThat(DirectCopy.pinned(stable, header(8, 12, 3))).as("a commit came between").isNull();
        byte[] torn = stable.clone();
        torn[16] = 9; // first copy of the header differs from the second: a writer is updating it
        assertThat(DirectCopy.pinned(torn, torn.clone())).isNull();
        byte[] uninitialized = stable.clone();
        uninitialized[12] = 0;
        uninitialized[48 + 12] = 0;
        assertThat(DirectCopy.pinned(uninitialized, uninitialized.clone())).isNull();
    }

    /** A wal-index prefix as SQLite lays it out (native byte order, two equal header copies, then nBackfill). */
    private static byte[] header(int mxFrame, int pages, int backfilled) {
        ByteBuffer b = ByteBuffer.allocate(136).order(ByteOrder.nativeOrder());
        for (int copy = 0; copy < 2; copy++) {
            int o = copy * 48;
            b.putInt(o, 3007000);
            b.put(o + 12, (byte) 1);
            b.putShort(o + 14, (short) 4096);
            b.putInt(o + 16, mxFrame);
            b.putInt(o + 20, pages);
            b.putInt(o + 32, 0x11223344);
            b.putInt(o + 36, 0x55667788);
        }
        b.putInt(96, backfilled);
        return b.array();
    }
}
