package dev.keel.cli.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Replaces {@code $VAR} and {@code ${VAR}} in config text exactly as Go's {@code os.ExpandEnv}
 * does (what Litestream runs on its config file): unset variables become empty, {@code ${}} is
 * eaten, a {@code $} followed by nothing name-like stays. It also remembers which unset variables
 * were used on which line, so a later error on that line can say why a value is empty.
 */
final class EnvExpander {
    /** Distinct unset names remembered per line: enough to name a few in a hint and say there are more. */
    private static final int MAX_UNSET_PER_LINE = 10;

    private EnvExpander() {
    }

    /** The expanded text plus, per 1-based line of the input, the names that had no value. */
    record Result(String text, Map<Integer, List<String>> unsetByLine) {
        /** The unset variables used on {@code line}, or an empty list. */
        List<String> unsetOn(int line) {
            return unsetByLine.getOrDefault(line, List.of());
        }
    }

    /** Thrown when the expanded text would pass the size limit (at the 1-based {@code line} of the input). */
    static final class TooLong extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final int line;

        TooLong(int line) {
            super(null, null, false, false);
            this.line = line;
        }
    }

    static Result expand(String s, Map<String, String> env) {
        return expand(s, env, Integer.MAX_VALUE);
    }

    /**
     * As {@link #expand(String, Map)}, failing with {@link TooLong} as soon as the result would pass
     * {@code maxLength} characters: a small file of many {@code $BIG} references must not fill memory.
     */
    static Result expand(String s, Map<String, String> env, int maxLength) {
        StringBuilder out = new StringBuilder(Math.min(s.length(), maxLength));
        Map<Integer, List<String>> unset = new LinkedHashMap<>();
        int line = 1;
        int i = 0;
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\n') line++;
            if (c != '$' || j + 1 >= s.length()) continue;
            out.append(s, i, j);
            if (out.length() > maxLength) throw new TooLong(line);
            int[] width = new int[1];
            String name = shellName(s, j + 1, width);
            if (name.isEmpty() && width[0] > 0) {
                // Bad syntax ("${" or "${}"): Go drops those characters.
            } else if (name.isEmpty()) {
                out.append('$');
            } else {
                String value = env.get(name);
                if (value == null) {
                    List<String> names = unset.computeIfAbsent(line, k -> new ArrayList<>());
                    if (!names.contains(name) && names.size() <= MAX_UNSET_PER_LINE) names.add(name);
                } else {
                    if (out.length() + value.length() > maxLength) throw new TooLong(line);
                    out.append(value);
                }
            }
            j += width[0];
            i = j + 1;
        }
        out.append(s, Math.min(i, s.length()), s.length());
        if (out.length() > maxLength) throw new TooLong(line);
        return new Result(out.toString(), unset);
    }

    /** Go's getShellName: the variable name starting at {@code from}, and in width[0] how many chars it used. */
    private static String shellName(String s, int from, int[] width) {
        char first = s.charAt(from);
        if (first == '{') {
            if (s.length() - from > 2 && isSpecial(s.charAt(from + 1)) && s.charAt(from + 2) == '}') {
                width[0] = 3;
                return s.substring(from + 1, from + 2);
            }
            for (int k = from + 1; k < s.length(); k++) {
                if (s.charAt(k) == '}') {
                    if (k == from + 1) {
                        width[0] = 2;
                        return "";
                    }
                    width[0] = k - from + 1;
                    return s.substring(from + 1, k);
                }
            }
            width[0] = 1;
            return "";
        }
        if (isSpecial(first)) {
            width[0] = 1;
            return s.substring(from, from + 1);
        }
        int k = from;
        while (k < s.length() && isAlphaNum(s.charAt(k))) k++;
        width[0] = k - from;
        return s.substring(from, k);
    }

    private static boolean isSpecial(char c) {
        return "*#$@!?-0123456789".indexOf(c) >= 0;
    }

    private static boolean isAlphaNum(char c) {
        return c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z';
    }
}
