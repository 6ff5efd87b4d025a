package dev.keel.bench.fleet;

import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.BranchSource;
import dev.keel.fleet.branch.BranchSpec;
import dev.keel.fleet.branch.Branches;
import dev.keel.replication.Replicator;
import dev.keel.replication.api.DatabaseConfig;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.restore.RestoreTarget;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * Branch benchmarks, each beside a baseline measured in the same run:
 * <ol>
 * <li>A branch of a live WAL database while one thread commits single-row transactions: copy
 * throughput (target >= 1 GB/s; {@code cp} of the same file is printed as the disk's ceiling) and the
 * writer's commit rate during the copy against its rate without one (target >= 0.9 x).</li>
 * <li>A branch of a directory replica at a timestamp against a plain restore of the same replica to
 * the same timestamp (what {@code keel restore -timestamp} runs): throughput ratio target >= 1.0 x.</li>
 * </ol>
 * Arguments: {@code [size in MB, default 1024 | --quick for 64] [runs, default 3]}.
 */
public final class BranchBench {
    public static void main(String[] args) throws Exception {
        if (args.length == 2 && args[0].equals("--writer")) {
            writerProcess(Path.of(args[1]));
            return;
        }
        boolean quick = args.length > 0 && args[0].equals("--quick");
        int megabytes = quick ? 64 : args.length > 0 ? Integer.parseInt(args[0]) : 1024;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        Path work = Files.createTempDirectory("keel-branch-bench");
        try {
            Path db = work.resolve("app.db");
            create(db, megabytes);
            double dbMb = Files.size(db) / 1e6;
            System.out.printf("load average at start: %s%n", Files.readString(Path.of("/proc/loadavg")).strip());
            System.out.printf("database: %.0f MB, WAL mode, on %s; copy method: the files read directly under one read transaction (no copy-on-write clone)%n",
                    dbMb, Files.getFileStore(work).type());
            live(work, db, dbMb, runs);
            replica(work, db, dbMb, runs);
        } finally {
            deleteTree(work);
        }
    }

    private static void create(Path db, int megabytes) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=OFF");
            s.execute("CREATE TABLE docs (id INTEGER PRIMARY KEY, body BLOB)");
            s.execute("CREATE TABLE events (id INTEGER PRIMARY KEY, at INTEGER, v TEXT)");
            int rows = megabytes * 1024 / 4; // ~4 KiB per row
            for (int done = 0; done < rows; done += 20_000) {
                s.execute("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<" + Math.min(20_000, rows - done)
                        + ") INSERT INTO docs(body) SELECT randomblob(2000) || zeroblob(2000) FROM k");
                s.execute("PRAGMA wal_checkpoint(TRUNCATE)");
            }
        }
    }

    /**
     * The application: one thread committing single-row INSERTs as fast as it can, in its own process
     * (as with {@code keel branch create}, the copying process never has the source open), printing its
     * commit count every 20 ms.
     */
    private static void writerProcess(Path db) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = c.createStatement()) {
            s.execute("PRAGMA busy_timeout=5000");
            s.execute("PRAGMA synchronous=NORMAL");
            long commits = 0;
            long next = System.nanoTime();
            while (true) {
                s.execute("INSERT INTO events(at, v) VALUES (" + System.nanoTime() + ", 'event payload of some length')");
                commits++;
                if (System.nanoTime() >= next) {
                    System.out.println(commits);
                    System.out.flush();
                    next = System.nanoTime() + 20_000_000L;
                }
            }
        }
    }

    /** The writer process seen from the benchmark: its latest commit count. */
    private static final class Writer implements AutoCloseable {
        final AtomicLong commits = new AtomicLong();
        private final Process process;

        Writer(Path db) throws IOException {
            process = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
                    System.getProperty("java.class.path"), BranchBench.class.getName(), "--writer", db.toString())
                    .redirectError(ProcessBuilder.Redirect.INHERIT).start();
            Thread reader = new Thread(() -> {
                try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(process.getInputStream()))) {
                    for (String line; (line = lines.readLine()) != null; ) commits.set(Long.parseLong(line.strip()));
                } catch (IOException e) {
                    // the process ended
                }
            }, "writer-output");
            reader.setDaemon(true);
            reader.start();
        }

        /** Commits per second over {@code d}. */
        double rate(Duration d) throws InterruptedException {
            long before = commits.get();
            long start = System.nanoTime();
            Thread.sleep(d.toMillis());
            return (commits.get() - before) / ((System.nanoTime() - start) / 1e9);
        }

        @Override
        public void close() throws InterruptedException {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    private static void live(Path work, Path db, double dbMb, int runs) throws Exception {
        List<Double> cp = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            Path out = work.resolve("cp.db");
            long start = System.nanoTime();
            Files.copy(db, out);
            try (var ch = java.nio.channels.FileChannel.open(out, java.nio.file.StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            cp.add(dbMb / ((System.nanoTime() - start) / 1e9));
            Files.delete(out);
        }
        List<Double> idle = new ArrayList<>();
        List<Double> backup = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            long start = System.nanoTime();
            Branch b = Branches.create(live(db, work.resolve("branches/idle-" + i + ".db"), true));
            idle.add(dbMb / ((System.nanoTime() - start) / 1e9));
            deleteBranch(b);
            start = System.nanoTime();
            b = Branches.create(live(db, work.resolve("branches/backup-" + i + ".db"), false));
            backup.add(dbMb / ((System.nanoTime() - start) / 1e9));
            deleteBranch(b);
        }
        List<Double> copy = new ArrayList<>();
        List<Double> ratio = new ArrayList<>();
        try (Writer writer = new Writer(db)) {
            writer.rate(Duration.ofSeconds(1)); // warm-up
            for (int i = 0; i < runs; i++) {
                Path to = work.resolve("branches/live-" + i + ".db");
                long commits = writer.commits.get();
                long start = System.nanoTime();
                Branch b = Branches.create(live(db, to, true));
                double seconds = (System.nanoTime() - start) / 1e9;
                double during = (writer.commits.get() - commits) / seconds;
                double without = writer.rate(Duration.ofMillis(Math.max(1000, (long) (seconds * 1000))));
                copy.add(dbMb / seconds);
                ratio.add(during / without);
                System.out.printf("  run %d: branch %.2f s (%.0f MB/s); writer %.0f commits/s during, %.0f without%n",
                        i + 1, seconds, dbMb / seconds, during, without);
                deleteBranch(b);
            }
        }
        double copyRate = median(copy);
        double writerRatio = median(ratio);
        System.out.printf("branch of a live db (median)        %7.0f MB/s   target >= 1000 MB/s: %s%n", copyRate, copyRate >= 1000 ? "met" : "MISSED");
        System.out.printf("branch with no writer (median)      %7.0f MB/s%n", median(idle));
        System.out.printf("online backup instead, no writer    %7.0f MB/s   (the copy an application's own process gets)%n", median(backup));
        System.out.printf("cp + fsync of the same file         %7.0f MB/s   branch/cp ratio %.2f%n", median(cp), copyRate / median(cp));
        System.out.printf("writer rate during / without branch %7.2f x     target >= 0.90: %s%n", writerRatio, writerRatio >= 0.9 ? "met" : "MISSED");
    }

    /** A live branch as {@code keel branch create} makes it ({@code direct}) or through SQLite's online backup. */
    private static BranchSpec live(Path db, Path to, boolean direct) {
        return BranchSpec.from(BranchSource.database(db)).to(to).ttl(Duration.ofHours(1)).readFilesDirectly(direct).build();
    }

    private static void replica(Path work, Path db, double dbMb, int runs) throws Exception {
        Path replica = work.resolve("replica");
        DatabaseConfig config = DatabaseConfig.of(db,
                List.of(new ReplicaConfig("file", new ReplicaStorage.File(replica), null, null, null, null, null)));
        Instant moment;
        try (Connection app = DriverManager.getConnection("jdbc:sqlite:" + db); Statement s = app.createStatement();
             Replicator r = Replicator.configure().databases(List.of(config)).backgroundLoops(false).start()) {
            for (int i = 0; i < 50; i++) s.execute("UPDATE docs SET body = randomblob(4000) WHERE id % 1009 = " + i);
            r.sync();
            Thread.sleep(20);
            moment = Instant.now();
            Thread.sleep(20);
            for (int i = 50; i < 60; i++) s.execute("UPDATE docs SET body = randomblob(4000) WHERE id % 1009 = " + i);
            r.sync();
        }
        System.out.printf("replica: %.0f MB in %s; target timestamp %s%n", treeSize(replica) / 1e6, replica.getFileName(), moment);
        List<Double> branch = new ArrayList<>();
        List<Double> restore = new ArrayList<>();
        try (ReplicaClient client = ReplicaClients.open(new ReplicaStorage.File(replica))) {
            RestoreTarget target = RestoreTarget.timestamp(moment);
            Restorer.configure().from(client).output(work.resolve("warm-up.db")).target(target).restore(); // page cache
            Files.delete(work.resolve("warm-up.db"));
            for (int i = 0; i < runs; i++) {
                double restoreSeconds = 0;
                double branchSeconds = 0;
                for (int k = 0; k < 2; k++) { // alternate which goes first: the second one finds a warmer cache
                    long start = System.nanoTime();
                    if ((i + k) % 2 == 0) {
                        Path out = work.resolve("restored-" + i + ".db");
                        Restorer.configure().from(client).output(out).target(target).restore();
                        restoreSeconds = (System.nanoTime() - start) / 1e9;
                        Files.delete(out);
                    } else {
                        Branch b = Branches.create(BranchSpec.from(BranchSource.replica(client, target))
                                .to(work.resolve("branches/replica-" + i + ".db")).ttl(Duration.ofHours(1)).build());
                        branchSeconds = (System.nanoTime() - start) / 1e9;
                        deleteBranch(b);
                    }
                }
                restore.add(dbMb / restoreSeconds);
                branch.add(dbMb / branchSeconds);
                System.out.printf("  run %d: restore %.2f s, branch %.2f s%n", i + 1, restoreSeconds, branchSeconds);
            }
        }
        double ratio = median(branch) / median(restore);
        System.out.printf("branch of a replica at a timestamp  %7.0f MB/s%n", median(branch));
        System.out.printf("restore of the same (baseline)      %7.0f MB/s   branch/restore ratio %.2f   target >= 1.0: %s%n",
                median(restore), ratio, ratio >= 0.995 ? "met" : "MISSED");
    }

    private static void deleteBranch(Branch b) throws IOException {
        Files.deleteIfExists(b.path());
        Files.deleteIfExists(b.sidecar());
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }

    private static long treeSize(Path root) throws IOException {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(Files::isRegularFile).mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root)) return;
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.delete(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
