package dev.keel.bench.storage;

import dev.keel.bench.storage.soak.SoakRun;
import java.util.List;

/**
 * Storage outages, soaked: {@code keel replicate} (the real launcher, as a process) follows a database
 * written in bursts while its storage server (s3proxy, Azurite or an SFTP server, each its own process)
 * is killed with SIGKILL and started again on the same port and data, with random timings, SIGTERM
 * during the outage and SIGKILL of Keel; after each cycle {@code keel restore} must bring back every
 * committed row. Prints failures with their seed, and the time from the server's return to the replica
 * being current as p50/p99. Arguments: {@code [--backend s3|azure|sftp|all] [--cycles N] [--seed S]
 * [--minutes M]} (M: stop starting cycles after M minutes and print what ran).
 */
public final class OutageSoak {
    private OutageSoak() {
    }

    public static void main(String[] args) throws Exception {
        String backend = "all";
        int cycles = 100;
        long seed = System.nanoTime();
        long minutes = 0;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--backend" -> backend = args[++i];
                case "--cycles" -> cycles = Integer.parseInt(args[++i]);
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--minutes" -> minutes = Long.parseLong(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument " + args[i]
                        + "; usage: storage.OutageSoak [--backend s3|azure|sftp|all] [--cycles N] [--seed S] [--minutes M]");
            }
        }
        List<String> backends = backend.equals("all") ? List.of("s3", "azure", "sftp") : List.of(backend);
        int failed = 0;
        long deadline = minutes == 0 ? Long.MAX_VALUE : System.nanoTime() + minutes * 60_000_000_000L;
        for (String b : backends) failed += new SoakRun(b, cycles, seed, deadline).run();
        System.exit(failed == 0 ? 0 : 1);
    }
}
