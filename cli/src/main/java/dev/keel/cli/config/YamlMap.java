package dev.keel.cli.config;

import dev.keel.core.KeelException;
import dev.keel.replication.api.InvalidSettingException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * One YAML mapping of the config file with typed, line-aware accessors. Every failure is a
 * BAD_INPUT error naming the file, the line and the key; unknown keys are errors with a
 * "did you mean" suggestion. Null values ({@code key:} with nothing after it) count as absent,
 * as they do for Litestream. YAML merge keys ({@code <<: *defaults}) are honoured.
 */
final class YamlMap {
    private static final Set<String> TRUE = Set.of("true", "yes", "y", "on");
    private static final Set<String> FALSE = Set.of("false", "no", "n", "off");

    private final ConfigSource source;
    private final String where;
    private final Node node;
    private final Map<String, NodeTuple> entries;

    private YamlMap(ConfigSource source, String where, Node node, Map<String, NodeTuple> entries) {
        this.source = source;
        this.where = where;
        this.node = node;
        this.entries = entries;
    }

    /** The mapping at {@code node}; {@code where} names it in messages ("" for the top level, else "dbs[0]"). */
    static YamlMap of(ConfigSource source, String where, Node node) {
        if (!(node instanceof MappingNode mapping)) {
            throw source.error(line(node), (where.isEmpty() ? "the file" : where) + " should be a mapping of keys to values, not "
                    + describe(node), where.isEmpty() ? "a config file starts with keys such as 'dbs:'"
                    : "write 'key: value' pairs here, indented under " + where);
        }
        return new YamlMap(source, where, node, entries(source, where, mapping));
    }

    /**
     * The keys of {@code mapping} with its merge keys applied, computed once per mapping: through aliases
     * one mapping can be merged into many, and without the cache a chain of them costs 2^n.
     */
    private static Map<String, NodeTuple> entries(ConfigSource source, String where, MappingNode mapping) {
        Map<Node, Map<String, NodeTuple>> cache = source.mergedEntries;
        if (cache.containsKey(mapping)) {
            Map<String, NodeTuple> done = cache.get(mapping);
            if (done == null) {
                throw source.error(line(mapping), "a merge key ('<<') in " + label(where) + " merges the mapping into itself",
                        "merge only mappings defined before this one, each once");
            }
            return done;
        }
        cache.put(mapping, null); // in progress: meeting it again means a merge cycle
        Map<String, NodeTuple> explicit = new LinkedHashMap<>();
        List<NodeTuple> merged = new ArrayList<>();
        for (NodeTuple tuple : mapping.getValue()) {
            Node key = tuple.getKeyNode();
            if (!(key instanceof ScalarNode scalar)) {
                throw source.error(line(key), "a key in " + label(where) + " is " + describe(key) + ", not a name",
                        "keys are plain names such as 'path:'; quote a key that starts with '[' or '{'");
            }
            if (key.getTag().equals(Tag.MERGE) || scalar.getValue().equals("<<")) {
                collectMerged(source, where, tuple.getValueNode(), merged);
                continue;
            }
            NodeTuple previous = explicit.putIfAbsent(scalar.getValue(), tuple);
            if (previous != null) {
                throw source.error(line(key), "duplicate key " + quote(scalar.getValue()) + " in " + label(where)
                        + " (first at line " + line(previous.getKeyNode()) + ")", "keep one of them");
            }
        }
        for (NodeTuple tuple : merged) {
            explicit.putIfAbsent(((ScalarNode) tuple.getKeyNode()).getValue(), tuple);
        }
        cache.put(mapping, explicit);
        return explicit;
    }

    private static void collectMerged(ConfigSource source, String where, Node value, List<NodeTuple> into) {
        if (value instanceof SequenceNode seq) {
            for (Node item : seq.getValue()) {
                if (item instanceof SequenceNode) {
                    throw source.error(line(item), "a merge key ('<<') in " + label(where) + " holds a list inside a list",
                            "merge a mapping ('<<: *name') or a list of mappings ('<<: [*a, *b]')");
                }
                collectMerged(source, where, item, into);
            }
            return;
        }
        if (!(value instanceof MappingNode mapping)) {
            throw source.error(line(value), "a merge key ('<<') in " + label(where) + " holds " + describe(value) + ", not a mapping",
                    "merge a mapping ('<<: *name') or a list of mappings ('<<: [*a, *b]')");
        }
        into.addAll(entries(source, where, mapping).values());
    }

    /** 1-based line where this mapping starts. */
    int line() {
        return line(node);
    }

    /** 1-based line of {@code key}, or of the mapping when the key is absent. */
    int line(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple == null ? line() : line(tuple.getKeyNode());
    }

    String where() {
        return where;
    }

    ConfigSource source() {
        return source;
    }

    /** The keys present, in file order. */
    Set<String> keys() {
        return entries.keySet();
    }

    /** True when {@code key} is present with a non-null value. */
    boolean has(String key) {
        NodeTuple tuple = entries.get(key);
        return tuple != null && !isNull(tuple.getValueNode());
    }

    /** Fails on the first key not in {@code allowed}, suggesting the closest allowed key. */
    void rejectUnknownKeys(Collection<String> allowed) {
        for (Map.Entry<String, NodeTuple> e : entries.entrySet()) {
            if (allowed.contains(e.getKey())) continue;
            String suggestion = KeySuggester.closest(e.getKey(), allowed);
            String message = "unknown key " + quote(e.getKey()) + " in " + label(where)
                    + (suggestion == null ? "" : "; did you mean '" + suggestion + "'?");
            throw source.error(line(e.getValue().getKeyNode()), message, "keys allowed here: " + String.join(", ", allowed));
        }
    }

    /** A BAD_INPUT error at the line of {@code key}'s value (or of this mapping when absent). */
    KeelException error(String key, String message, String hint) {
        NodeTuple tuple = entries.get(key);
        return source.error(tuple == null ? line() : line(tuple.getValueNode()), message, hint);
    }

    /**
     * The config error for a setting the replication engine refused (its records check every value):
     * at the line of the key the setting came from, with the key's name and the value as written.
     */
    KeelException invalid(InvalidSettingException e) {
        String key = kebab(e.setting());
        NodeTuple tuple = entries.get(key);
        String written = tuple != null && tuple.getValueNode() instanceof ScalarNode v ? ", not " + quote(v.getValue()) : "";
        String hint = key.endsWith("interval") || key.equals("retention")
                ? "Keel schedules its loops in milliseconds: write at least 1ms, e.g. 500ms, 10s or 1h"
                : key.equals("lease-ttl")
                ? "write a duration from 2s to 1h, e.g. 30s (the default) or 5m"
                : "see the table of keys in the config documentation for the allowed values";
        return error(key, path(key) + " " + kebabWords(e.requirement()) + written, hint);
    }

    /** "syncInterval" -> "sync-interval": the config key of a record component. */
    static String kebab(String camel) {
        StringBuilder out = new StringBuilder();
        for (char c : camel.toCharArray()) {
            if (Character.isUpperCase(c)) out.append('-').append(Character.toLowerCase(c));
            else out.append(c);
        }
        return out.toString();
    }

    private static String kebabWords(String text) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\b[a-z]+(?:[A-Z][a-z]+)+\\b").matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) m.appendReplacement(out, kebab(m.group()));
        m.appendTail(out);
        return out.toString();
    }

    /** A BAD_INPUT error at the first line of this mapping. */
    KeelException error(String message, String hint) {
        return source.error(line(), message, hint);
    }

    /** "dbs[0].replicas[1].retention": how messages name a key. */
    String path(String key) {
        return where.isEmpty() ? key : where + "." + key;
    }

    Optional<String> string(String key) {
        Node value = value(key);
        if (value == null) return Optional.empty();
        return Optional.of(scalar(key, value, "a string"));
    }

    Optional<Boolean> bool(String key) {
        Node value = value(key);
        if (value == null) return Optional.empty();
        String text = scalar(key, value, "true or false").toLowerCase(Locale.ROOT);
        if (TRUE.contains(text)) return Optional.of(true);
        if (FALSE.contains(text)) return Optional.of(false);
        throw error(key, path(key) + " should be true or false, not " + quote(text), "write true or false");
    }

    Optional<Integer> integer(String key) {
        Node value = value(key);
        if (value == null) return Optional.empty();
        String text = scalar(key, value, "a whole number");
        try {
            return Optional.of(Integer.parseInt(text.replace("_", "")));
        } catch (NumberFormatException e) {
            throw error(key, path(key) + " should be a whole number, not " + quote(text),
                    "write a number from 1 to " + Integer.MAX_VALUE + ", without a unit");
        }
    }

    Optional<Duration> duration(String key) {
        Node value = value(key);
        if (value == null) return Optional.empty();
        String text = scalar(key, value, "a duration");
        try {
            return Optional.of(GoDuration.parse(text));
        } catch (IllegalArgumentException e) {
            throw error(key, "bad duration " + quote(text) + " for " + path(key) + ": " + e.getMessage(),
                    "write durations like 500ms, 10s, 5m, 1h30m or 72h");
        }
    }

    /** A size in bytes under {@code key} ({@code 512MB}, {@code 1GiB}); see {@link ByteSize}. */
    Optional<Long> byteSize(String key) {
        Node value = value(key);
        if (value == null) return Optional.empty();
        String text = scalar(key, value, "a size");
        try {
            return Optional.of(ByteSize.parse(text));
        } catch (IllegalArgumentException e) {
            throw error(key, "bad size " + quote(text) + " for " + path(key) + ": " + e.getMessage(),
                    "write sizes like 64MB, 512MiB or 1GiB");
        }
    }

    /** A file system path under {@code key}, expanded ({@code ~/}, relative to the working directory). */
    Optional<java.nio.file.Path> filePath(String key, ConfigEnvironment env) {
        Optional<String> text = string(key);
        if (text.isEmpty()) return Optional.empty();
        if (text.get().isBlank()) throw error(key, path(key) + " is empty", "give a file system path");
        try {
            java.nio.file.Path expanded = env.expandPath(text.get());
            if (expanded == null) {
                throw error(key, "cannot expand '~' in " + path(key) + ": no home directory is known",
                        "write the path out in full");
            }
            return Optional.of(expanded);
        } catch (java.nio.file.InvalidPathException e) {
            throw error(key, path(key) + " is not a valid path: " + e.getReason(), "give a file system path without NUL characters");
        }
    }

    /** The mapping under {@code key}, if present. */
    Optional<YamlMap> map(String key) {
        Node value = value(key);
        if (value == null) return Optional.empty();
        return Optional.of(of(source, path(key), value));
    }

    /** The list of mappings under {@code key}; empty when absent. */
    List<YamlMap> maps(String key) {
        List<YamlMap> out = new ArrayList<>();
        List<Node> items = sequence(key, "a list of mappings");
        for (int i = 0; i < items.size(); i++) {
            out.add(of(source, path(key) + "[" + i + "]", items.get(i)));
        }
        return out;
    }

    /** The list of strings under {@code key}; empty when absent. */
    List<String> strings(String key) {
        List<String> out = new ArrayList<>();
        for (Node item : sequence(key, "a list of strings")) {
            if (!(item instanceof ScalarNode s)) {
                throw source.error(line(item), path(key) + " should hold strings, not " + describe(item),
                        "write one string per '- ' item");
            }
            out.add(s.getValue());
        }
        return out;
    }

    private List<Node> sequence(String key, String what) {
        Node value = value(key);
        if (value == null) return List.of();
        if (!(value instanceof SequenceNode seq)) {
            throw error(key, path(key) + " should be " + what + ", not " + describe(value),
                    "start each item with '- ' on its own line");
        }
        return seq.getValue();
    }

    private Node value(String key) {
        NodeTuple tuple = entries.get(key);
        if (tuple == null || isNull(tuple.getValueNode())) return null;
        return tuple.getValueNode();
    }

    private String scalar(String key, Node value, String what) {
        if (value instanceof ScalarNode s) return s.getValue();
        throw error(key, path(key) + " should be " + what + ", not " + describe(value),
                "write a single value after '" + key + ":' on the same line");
    }

    private static boolean isNull(Node node) {
        return node instanceof ScalarNode s && node.getTag().equals(Tag.NULL)
                && (s.getValue().isEmpty() || s.getValue().equals("~") || s.getValue().equalsIgnoreCase("null"));
    }

    private static String describe(Node node) {
        if (node == null) return "empty";
        if (node instanceof MappingNode) return "a mapping";
        if (node instanceof SequenceNode) return "a list";
        return quote(((ScalarNode) node).getValue());
    }

    /** Longest value a message quotes: a megabyte of key or value is cut, not echoed. */
    private static final int MAX_QUOTED = 60;

    /** A value from the file as messages show it: in quotes, control characters escaped, long ones cut. */
    static String quote(String value) {
        int n = Math.min(value.length(), MAX_QUOTED);
        if (n < value.length() && Character.isHighSurrogate(value.charAt(n - 1))) n--; // do not split a character
        StringBuilder out = new StringBuilder("'");
        for (int i = 0; i < n; i++) {
            char c = value.charAt(i);
            if (c < 0x20 || c == 0x7f) out.append(String.format("\\u%04x", (int) c));
            else out.append(c);
        }
        out.append('\'');
        if (n < value.length()) out.append(" (cut; ").append(value.length()).append(" characters)");
        return out.toString();
    }


    private static String label(String where) {
        return where.isEmpty() ? "the top level" : where;
    }

    static int line(Node node) {
        return node == null || node.getStartMark() == null ? 1 : node.getStartMark().getLine() + 1;
    }
}
