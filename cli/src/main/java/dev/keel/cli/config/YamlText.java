package dev.keel.cli.config;

import java.io.StringReader;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.reader.ReaderException;

/**
 * Turns config text into a YAML node tree with the parser's limits on: few aliases to collections
 * (no "billion laughs"), shallow nesting, no recursive structures. Every parser failure becomes a
 * config error at its line with a hint.
 */
final class YamlText {
    /** A config file is a handful of levels deep; anything deeper is not one. */
    static final int MAX_NESTING = 50;
    /** Anchors to lists or mappings: enough to share replica settings among many databases. */
    static final int MAX_COLLECTION_ALIASES = 100;

    private YamlText() {
    }

    /**
     * Longest line the parser is given. SnakeYAML copies its read window while it scans one token, so
     * its time grows with the square of a line's length (a 700 KB line takes seconds); real config
     * lines, host keys and SAS tokens included, are far shorter.
     */
    static final int MAX_LINE = 64 * 1024;

    /** The document's root node, or null when the text holds none. */
    static Node compose(String text, ConfigSource source) {
        rejectLongLines(text, source);
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setAllowRecursiveKeys(false);
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setNestingDepthLimit(MAX_NESTING);
        options.setCodePointLimit(Math.max(text.length(), ConfigFileReader.MAX_BYTES) + 1);
        try {
            return new Yaml(options).compose(new StringReader(text));
        } catch (ReaderException e) {
            throw source.error(lineAt(text, e.getPosition()), "YAML syntax error: the character "
                    + String.format("U+%04X", e.getCodePoint()) + " is not allowed in YAML",
                    "remove control characters; a config file is plain text");
        } catch (MarkedYAMLException e) {
            Mark mark = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String problem = e.getProblem() == null ? e.getMessage()
                    : e.getContext() == null ? e.getProblem() : e.getContext() + " " + e.getProblem();
            throw source.error(mark == null ? 1 : mark.getLine() + 1, "YAML syntax error: " + cut(problem),
                    "check the indentation and quoting on this line and the one before (indent with spaces, not tabs)");
        } catch (YAMLException e) {
            throw source.error(1, "YAML error: " + cut(e.getMessage()), hintFor(String.valueOf(e.getMessage())));
        } catch (StackOverflowError e) {
            throw source.error(1, "YAML error: the document is nested too deeply", "a config file is only a few levels deep");
        }
    }

    private static void rejectLongLines(String text, ConfigSource source) {
        int line = 1;
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i < text.length() && text.charAt(i) != '\n') continue;
            if (i - start > MAX_LINE) {
                throw source.error(line, "line " + line + " is " + (i - start) + " characters long, more than a config file's"
                        + " lines can be (64 KiB)", "check this line for pasted data, or a $VAR that expanded to a large value");
            }
            line++;
            start = i + 1;
        }
    }

    private static String hintFor(String message) {
        if (message.contains("aliases")) {
            return "a config file needs few anchors ('&name') and aliases ('*name'); write the shared settings out";
        }
        if (message.contains("Nesting Depth")) return "a config file is only a few levels deep";
        if (message.contains("recursive")) return "an alias cannot refer to the mapping or list that contains it";
        return "a config file holds one YAML document of keys and values";
    }

    /** Parser messages may quote the input; a line of them is plenty. */
    private static String cut(String message) {
        String m = String.valueOf(message).replace('\n', ' ');
        return m.length() <= 200 ? m : m.substring(0, 200) + "...";
    }

    private static int lineAt(String text, int codePointIndex) {
        int line = 1;
        int limit = Math.min(text.length(), text.offsetByCodePoints(0, Math.min(codePointIndex, text.codePointCount(0, text.length()))));
        for (int i = 0; i < limit; i++) {
            if (text.charAt(i) == '\n') line++;
        }
        return line;
    }
}
