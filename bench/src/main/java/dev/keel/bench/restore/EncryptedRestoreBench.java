package dev.keel.bench.restore;

import com.exceptionfactory.jagged.x25519.X25519KeyPairGenerator;
import dev.keel.replication.api.AgeEncryption;
import dev.keel.replication.api.ReplicaConfig;
import dev.keel.replication.cipher.AgeCipher;
import dev.keel.replication.restore.Restorer;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaClients;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;

/**
 * Restore of an age-encrypted directory replica against the same replica in plain LZ4, in one run:
 * 100k rows in ~300 WAL segments (as in {@link RestoreBench}), the encrypted copy made file by file
 * exactly as Keel uploads (LZ4 frame inside an age file, X25519 recipient). Measured in process
 * (the library's restore, JVM warm) and as the whole {@code keel restore -config} command; rounds
 * alternate the order. Target: encrypted <= 1.10 x plain.
 *
 * <pre>bench/run restore.EncryptedRestoreBench [ROUNDS=15] [COMMAND_RUNS=5]</pre>
 */
public final class EncryptedRestoreBench {
    private EncryptedRestoreBench() {
    }

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
        int commandRuns = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        Path work = Files.createTempDirectory("keel-age-restore-");
        try {
            Path plain = work.resolve("plain");
            Path db = work.resolve("source.db");
            build(db, plain);
            KeyPair key = new X25519KeyPairGenerator().generateKeyPair();
            AgeEncryption age = new AgeEncryption(List.of(key.getPublic().toString()), List.of(key.getPrivate().toString()));
            Path encrypted = work.resolve("encrypted");
            encryptCopy(plain, encrypted, AgeCipher.of(age));
            System.out.printf("replica: %d objects, plain %.2f MB, encrypted %.2f MB%n", objects(plain).size(),
                    size(plain) / 1e6, size(encrypted) / 1e6);

            ReplicaConfig plainReplica = ReplicaConfig.of(new ReplicaStorage.File(plain));
            ReplicaConfig ageReplica = ReplicaConfig.of(new ReplicaStorage.File(encrypted)).withAge(age);
            Path out = work.resolve("out.db");
            for (int i = 0; i < 3; i++) { // warm-up: JIT, page cache
                restore(plainReplica, out);
                restore(ageReplica, out);
            }
            double[] plainTimes = new double[rounds];
            double[] ageTimes = new double[rounds];
            double[] ratios = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                if (r % 2 == 0) {
                    plainTimes[r] = restore(plainReplica, out);
                    ageTimes[r] = restore(ageReplica, out);
                } else {
                    ageTimes[r] = restore(ageReplica, out);
                    plainTimes[r] = restore(plainReplica, out);
                }
                ratios[r] = ageTimes[r] / plainTimes[r];
            }
            double ratio = median(ratios);
            System.out.printf("in process: plain median %.1f ms, encrypted median %.1f ms; encrypted/plain (median per round) %.3f"
                    + "   target <= 1.10: %s%n", median(plainTimes) * 1e3, median(ageTimes) * 1e3, ratio, ratio <= 1.10 ? "met" : "MISSED");

            Path root = Path.of(System.getProperty("keel.root", ".")).toAbsolutePath();
            Path plainYml = config(work.resolve("plain.yml"), db, plain, List.of());
            Path ageYml = config(work.resolve("age.yml"), db, encrypted, List.of("age:", "  identities:", "    - " + key.getPrivate()));
            List<String> keel = List.of(root.resolve("keel").toString(), "restore", "-o", out.toString(), "-config");
            command(keel, plainYml, db, out); // warm-up of the launcher
            double[] plainCmd = new double[commandRuns];
            double[] ageCmd = new double[commandRuns];
            double[] cmdRatios = new double[commandRuns];
            for (int r = 0; r < commandRuns; r++) {
                plainCmd[r] = command(keel, plainYml, db, out);
                ageCmd[r] = command(keel, ageYml, db, out);
                cmdRatios[r] = ageCmd[r] / plainCmd[r];
            }
            double cmdRatio = median(cmdRatios);
            System.out.printf("keel restore command: plain median %.3f s, encrypted median %.3f s; ratio %.3f   target <= 1.10: %s%n",
                    median(plainCmd), median(ageCmd), cmdRatio, cmdRatio <= 1.10 ? "met" : "MISSED");
            System.out.printf("load average %.2f on %d cores%n",
                    java.lang.management.ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage(),
                    Runtime.getRuntime().availableProcessors());
        } finally {
            try (Stream<Path> files = Files.walk(work)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    /** The small replica of {@link RestoreBench}: 100k rows, 300 segments over three WAL indexes. */
    private static void build(Path db, Path replica) throws Exception {
        try (BenchReplica r = new BenchReplica(db, replica)) {
            r.transaction("CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, amount INTEGER, note TEXT)");
            r.restart(true);
            for (int tx = 0; tx < 300; tx++) {
                int n = tx < 200 ? 333 : 334;
                r.transaction("WITH RECURSIVE k(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM k WHERE x<" + n + ") "
                        + "INSERT INTO t(name, amount, note) SELECT 'customer-' || (abs(random()) % 100000), "
                        + "abs(random()) % 100000, hex(randomblob(40)) FROM k");
                if (tx == 99 || tx == 199) r.restart(false);
            }
        }
    }

    /** Each object as Keel uploads it for a replica with recipients; timestamps kept (restore reads them). */
    private static void encryptCopy(Path plain, Path encrypted, AgeCipher cipher) throws Exception {
        for (Path f : objects(plain)) {
            Path target = encrypted.resolve(plain.relativize(f).toString());
            Files.createDirectories(target.getParent());
            try (OutputStream out = cipher.encrypting(Files.newOutputStream(target))) {
                out.write(Files.readAllBytes(f));
            }
            Files.setLastModifiedTime(target, Files.getLastModifiedTime(f));
        }
    }

    private static double restore(ReplicaConfig replica, Path out) throws Exception {
        Files.deleteIfExists(out);
        long start = System.nanoTime();
        try (ReplicaClient client = ReplicaClients.open(replica)) {
            Restorer.configure().from(client).output(out).restore();
        }
        return (System.nanoTime() - start) / 1e9;
    }

    private static Path config(Path file, Path db, Path replica, List<String> extra) throws Exception {
        StringBuilder s = new StringBuilder("dbs:\n  - path: " + db + "\n    replicas:\n      - path: " + replica + "\n");
        for (String line : extra) s.append("        ").append(line).append('\n');
        return Files.writeString(file, s.toString());
    }

    private static double command(List<String> keel, Path config, Path db, Path out) throws Exception {
        Files.deleteIfExists(out);
        List<String> all = new ArrayList<>(keel);
        all.add(config.toString());
        all.add(db.toString());
        long start = System.nanoTime();
        Process p = new ProcessBuilder(all).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        int status = p.waitFor();
        if (status != 0) throw new IllegalStateException(all + " exited " + status);
        return (System.nanoTime() - start) / 1e9;
    }

    private static List<Path> objects(Path root) throws Exception {
        try (Stream<Path> files = Files.walk(root)) {
            return files.filter(p -> p.toString().endsWith(".lz4")).sorted().toList();
        }
    }

    private static long size(Path root) throws Exception {
        long total = 0;
        for (Path f : objects(root)) total += Files.size(f);
        return total;
    }

    private static double median(double[] values) {
        double[] v = values.clone();
        Arrays.sort(v);
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }
}
