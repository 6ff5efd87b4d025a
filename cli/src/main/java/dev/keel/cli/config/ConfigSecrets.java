package dev.keel.cli.config;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The secret values a config file holds, found in its text before the YAML is parsed, so that even
 * a file that fails to parse never has a secret shown in an error: the values of the keys that hold
 * credentials, with {@code $VAR}s in them expanded (a variable's value may span lines), and the
 * passwords of URLs.
 */
final class ConfigSecrets {
    /** Keys whose values are credentials, in any replica type or at the top level. */
    static final List<String> KEYS = List.of("access-key-id", "secret-access-key", "password", "account-key", "sas-token");

    private static final Pattern SECRET_KEY = Pattern.compile(
            "(?:^|[\\s{,\\-?])[\"']?(" + String.join("|", KEYS) + ")[\"']?\\s*:\\s*(.*)$");
    private static final Pattern URL_PASSWORD = Pattern.compile("//[^:/@\\s]*:([^\\s/]*)@");
    /** An age secret key, wherever it stands (a list item of {@code identities:}, a $VAR's value). */
    private static final Pattern AGE_IDENTITY = Pattern.compile("AGE-SECRET-KEY-1[0-9A-Za-z]+");

    private ConfigSecrets() {
    }

    /**
     * Every value that may be a secret in {@code raw} (the file as written) and {@code expanded} (after
     * {@code $VAR} expansion; null when expansion is off).
     */
    static Set<String> scan(String raw, String expanded, Map<String, String> env) {
        Set<String> out = new LinkedHashSet<>();
        scanText(raw, out);
        if (expanded != null) {
            scanText(expanded, out);
            for (String line : raw.split("\n", -1)) {
                Matcher m = SECRET_KEY.matcher(line);
                if (m.find()) candidates(EnvExpander.expand(m.group(2), env).text(), out);
                if (line.indexOf('$') >= 0 && line.contains("//")) {
                    Matcher u = URL_PASSWORD.matcher(EnvExpander.expand(line, env).text());
                    while (u.find()) out.add(u.group(1));
                }
            }
        }
        return out;
    }

    /** A known secret from a parsed value (a URL's decoded password, a key's value): added when non-empty. */
    static void add(Set<String> secrets, String value) {
        if (value != null && !value.isEmpty()) secrets.add(value);
    }

    private static void scanText(String text, Set<String> out) {
        for (String line : text.split("\n", -1)) {
            Matcher m = SECRET_KEY.matcher(line);
            if (m.find()) candidates(m.group(2), out);
            Matcher u = URL_PASSWORD.matcher(line);
            while (u.find()) out.add(u.group(1));
            Matcher a = AGE_IDENTITY.matcher(line);
            while (a.find()) out.add(a.group());
        }
    }

    /** The value as written, without quotes, and up to the end of a flow mapping's entry: one of them is the secret. */
    private static void candidates(String value, Set<String> out) {
        String v = value.strip();
        out.add(v);
        int comment = v.indexOf(" #");
        if (comment >= 0) out.add(v = v.substring(0, comment).strip());
        if (v.length() >= 2 && (v.startsWith("\"") || v.startsWith("'"))) {
            int close = v.indexOf(v.charAt(0), 1);
            out.add(close > 0 ? v.substring(1, close) : v.substring(1));
        }
        if (!v.isEmpty() && "*&!".indexOf(v.charAt(0)) >= 0) out.add(v.substring(1)); // alias, anchor or tag: the rest is a name
        int end = indexOfAny(v, ",}");
        if (end > 0) out.add(v.substring(0, end).strip());
        for (String part : v.split("[\\s,{}\\[\\]\"']+")) out.add(part);
    }

    private static int indexOfAny(String s, String chars) {
        for (int i = 0; i < s.length(); i++) {
            if (chars.indexOf(s.charAt(i)) >= 0) return i;
        }
        return -1;
    }
}
