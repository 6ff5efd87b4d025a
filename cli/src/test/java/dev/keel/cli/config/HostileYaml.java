package dev.keel.cli.config;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** Generates one hostile config file from a seeded random source: a plausible config, then a few mutations. */
final class HostileYaml {
    /** A generated file: its bytes, the environment to load it with, and the secrets no message may show. */
    record Case(byte[] bytes, Map<String, String> env, boolean expandEnv, List<String> secrets, List<String> mutations) {
    }

    private static final String[] DURATION_KEYS = {"sync-interval", "snapshot-interval", "retention", "retention-check-interval",
            "validation-interval"};
    private static final String[] DURATIONS = {"1s", "500ms", "500us", "0", "0s", "-5s", "1h30m", "1.5h", "10", "1 day", "1e9s",
            "99999999999999999999h", "2562047h47m16.854775807s", "2562048h", ".5s", "1.s", "-0", "+1s", "1µs", "ms", ""};
    private static final String[] SIZES = {"1GiB", "0", "512", "-1GB", "1e9GB", "99999999999999999999999TB", "1.5 GB", "MB", "lots"};
    private static final String[] WRONG = {"[a, b]", "{a: 1}", "42", "true", "~", "\"\"", "-1", "2147483648", "!!binary AAAA",
            "*undefined", "&a x", "'", "|", ">\n  folded"};

    private final Random random;
    private final Path dir;
    private final String secret;
    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> secrets = new ArrayList<>();
    private final List<String> mutations = new ArrayList<>();

    HostileYaml(Random random, Path dir) {
        this.random = random;
        this.dir = dir;
        this.secret = "Sx" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36) + "q";
        secrets.add(secret);
        env.put("KEEL_SECRET", secret + "E");
        env.put("KEEL_SECRET_LINES", secret + "L1\n" + secret + "L2: [");
        env.put("KEEL_SHARED", dir.resolve("shared").toString());
        env.put("KEEL_BUCKET", "bkt");
        secrets.add(secret + "E");
        secrets.add(secret + "L1");
        secrets.add(secret + "L2");
    }

    Case next() {
        StringBuilder y = new StringBuilder();
        if (random.nextInt(4) == 0) y.append("addr: \"").append(pick(":9090", "h:70000", "[::1]:1", "x", ":")).append("\"\n");
        if (random.nextInt(3) == 0) y.append("secret-access-key: ").append(secretValue()).append('\n');
        y.append("dbs:\n");
        int dbs = 1 + random.nextInt(3);
        for (int d = 0; d < dbs; d++) database(y, d);
        String text = y.toString();
        int n = 1 + random.nextInt(3);
        for (int i = 0; i < n; i++) text = mutate(text);
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        if (random.nextInt(12) == 0) bytes = binary(bytes);
        return new Case(bytes, env, random.nextInt(8) != 0, secrets, mutations);
    }

    private void database(StringBuilder y, int d) {
        String path = pick(dir.resolve("db" + d + ".db").toString(), dir.resolve("x/../db" + d + ".db").toString(),
                dir.resolve("données/δβ" + d + ".db").toString(), "$KEEL_SHARED/db.db", "relative" + d + ".db", "~/h" + d + ".db");
        y.append("  - path: ").append(path).append('\n');
        if (random.nextInt(4) == 0) y.append("    monitor-interval: ").append(pick(DURATIONS)).append('\n');
        if (random.nextInt(5) == 0) y.append("    max-shadow-backlog: ").append(pick(SIZES)).append('\n');
        if (random.nextInt(6) == 0) y.append("    min-checkpoint-page-count: ").append(pick("0", "-1", "20000", "lots", "1_000")).append('\n');
        if (random.nextInt(6) == 0) y.append("    meta-path: ").append(pick("$KEEL_SHARED", dir.resolve("meta").toString(), "")).append('\n');
        y.append("    replicas:\n");
        int replicas = random.nextInt(3);
        for (int r = 0; r < replicas; r++) replica(y, d, r);
    }

    private void replica(StringBuilder y, int d, int r) {
        List<String> keys = new ArrayList<>();
        switch (random.nextInt(7)) {
            case 0 -> keys.add("path: " + pick(dir.resolve("r" + d + r).toString(), "$KEEL_SHARED", dir.resolve("r/../r" + d).toString()));
            case 1 -> keys.add("url: s3://$KEEL_BUCKET/" + pick("p" + d + r, "shared", "") );
            case 2 -> {
                keys.add("type: s3");
                keys.add("bucket: " + pick("b", "$KEEL_BUCKET", ""));
                keys.add("path: p" + d + r);
                keys.add("secret-access-key: " + secretValue());
                keys.add("access-key-id: " + secretValue());
                if (random.nextBoolean()) keys.add("endpoint: http://u:" + secret + "@minio:9000");
            }
            case 3 -> keys.add("url: sftp://u:" + pick(secret, "$KEEL_SECRET", secret + "%4") + "@h" + pick("", ":22", ":99999") + "/p" + d + r);
            case 4 -> {
                keys.add("type: sftp");
                keys.add("host: " + pick("h", "h:2222", "[::1]:22", "h:0"));
                keys.add("user: u");
                keys.add("password: " + secretValue());
                keys.add("path: /p" + d + r);
            }
            case 5 -> {
                keys.add("type: abs");
                keys.add("account-name: acct");
                keys.add("bucket: c");
                keys.add("path: p" + d + r);
                keys.add("account-key: " + secretValue());
                keys.add("sas-token: \"sv=1&sig=" + secret + "\"");
            }
            default -> keys.add("url: " + pick("abs://acct@c/p?sig=" + secret, "file:///r%00x", "gcs://b/p", "s3://b:9000/p",
                    "//u:" + secret + "@h/p"));
        }
        if (random.nextBoolean()) keys.add(pick(DURATION_KEYS) + ": " + pick(DURATIONS));
        y.append("      - ").append(String.join("\n        ", keys)).append('\n');
    }

    private String secretValue() {
        return pick(secret, "$KEEL_SECRET", "${KEEL_SECRET}", "\"" + secret + "\"", "'" + secret + "'", "$KEEL_SECRET_LINES");
    }

    private String mutate(String text) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int at = random.nextInt(lines.size());
        String kind = pick("bomb", "merge-bomb", "nesting", "huge", "tabs", "duplicate", "wrong-type", "delete", "truncate",
                "control", "self-merge", "long-key");
        mutations.add(kind);
        switch (kind) {
            case "bomb" -> {
                StringBuilder b = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for (int i = 1; i < 12; i++) {
                    b.append('a').append(i).append(": &a").append(i).append(" [");
                    for (int j = 0; j < 9; j++) b.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
                    b.append("]\n");
                }
                return b + text;
            }
            case "merge-bomb" -> {
                StringBuilder b = new StringBuilder("dbs:\n  - &m0 {path: " + dir.resolve("m0.db") + "}\n");
                for (int i = 1; i < 45; i++) {
                    b.append("  - &m").append(i).append(" {<<: [*m").append(i - 1).append(", *m").append(i - 1)
                            .append("], path: ").append(dir.resolve("m" + i + ".db")).append("}\n");
                }
                return b.toString();
            }
            case "nesting" -> {
                int depth = 10 + random.nextInt(20_000);
                lines.set(at, lines.get(at) + " " + "[".repeat(depth) + "]".repeat(random.nextBoolean() ? depth : 0));
            }
            case "huge" -> lines.set(at, lines.get(at) + "x".repeat(100_000 + random.nextInt(1_100_000)));
            case "tabs" -> lines.set(at, lines.get(at).replace("  ", "\t"));
            case "duplicate" -> lines.add(at, lines.get(at));
            case "wrong-type" -> {
                String line = lines.get(at);
                int colon = line.indexOf(": ");
                if (colon > 0) lines.set(at, line.substring(0, colon + 2) + pick(WRONG));
            }
            case "delete" -> lines.remove(at);
            case "truncate" -> lines.set(at, lines.get(at).substring(0, random.nextInt(lines.get(at).length() + 1)));
            case "control" -> lines.set(at, lines.get(at) + (char) (1 + random.nextInt(31)) + "\u2028\ufeff");
            case "self-merge" -> lines.set(at, lines.get(at).replaceFirst("- ", "- &self\n    <<: *self\n    "));
            default -> lines.set(at, lines.get(at).replaceFirst("^(\\s*-?\\s*)", "$1" + "k".repeat(1 + random.nextInt(300_000)) + "_"));
        }
        return String.join("\n", lines);
    }

    private byte[] binary(byte[] bytes) {
        mutations.add("binary");
        byte[] out = bytes.clone();
        for (int i = 0; i < 1 + random.nextInt(8); i++) out[random.nextInt(out.length)] = (byte) random.nextInt(256);
        return out;
    }

    @SafeVarargs
    private <T> T pick(T... options) {
        return options[random.nextInt(options.length)];
    }
}
