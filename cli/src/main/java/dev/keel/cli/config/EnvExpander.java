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
    private EnvExpander() {
    }

    /** The expanded text plus, per 1-based line of the input, the names that had no value. */
    record Result(String text, Map<Integer, List<String>> unsetByLine) {
        /** The unset variables used on {@code line}, or an empty list. */
        List<String> unsetOn(int line) {
            return unsetByLine.getOrDefault(line, List.of());
        }
    }

    static Result expand(String s, Map<String, String> env) {
        StringBuilder out = new StringBuilder(s.length());
        Map<Integer, List<String>> unset = new LinkedHashMap<>();
        int line = 1;
        int i = 0;
        for (int j = 0; j < s.length(); j++) {
            char c = s.charAt(j);
            if (c == '\n') line++;
            if (c != '$' || j + 1 >= s.length()) continue;
            out.append(s, i, j);
            int[] width = new int[1];
            String name = shellName(s, j + 1, width);
            if (name.isEmpty() && width[0] > 0) {
                // Bad syntax ("${" or "${}"): Go drops those characters.
            } else if (name.isEmpty()) {
                out.append('$');
            } else {
                String value = env.get(name);
                if (value == null) {
                    unset.computeIfAbsent(line, k -> new ArrayList<>()).add(name);
                } else {
                    out.append(value);
                }
            }
            j += width[0];
            i = j + 1;
        }
        out.append(s, Math.min(i, s.length()), s.length());
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
