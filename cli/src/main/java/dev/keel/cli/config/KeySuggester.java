package dev.keel.cli.config;

import java.util.Collection;
import java.util.Locale;

/**
 * Finds the allowed key a misspelt one was probably meant to be ({@code pth} -> {@code path},
 * {@code sync_interval} -> {@code sync-interval}), by edit distance with transpositions, ignoring
 * case, dashes and underscores.
 */
final class KeySuggester {
    private static final int MAX_KEY_LENGTH = 64;

    private KeySuggester() {
    }

    /** The closest allowed key, or null when none is close enough to be a plausible typo. */
    static String closest(String key, Collection<String> allowed) {
        if (key.length() > MAX_KEY_LENGTH) return null; // no key is that long; and the distance table would be huge
        String wanted = normalize(key);
        int limit = Math.max(2, wanted.length() / 4);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : allowed) {
            int d = distance(wanted, normalize(candidate));
            if (d <= limit && d < bestDistance) {
                best = candidate;
                bestDistance = d;
            }
        }
        return best;
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Optimal string alignment distance: insertions, deletions, substitutions and adjacent swaps. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) d[i][0] = i;
        for (int j = 0; j <= b.length(); j++) d[0][j] = j;
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
                }
            }
        }
        return d[a.length()][b.length()];
    }
}
