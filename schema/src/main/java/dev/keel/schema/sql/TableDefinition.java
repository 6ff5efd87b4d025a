package dev.keel.schema.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A CREATE TABLE statement taken apart at the top level: the table name, each column definition,
 * each table constraint and the table options, in canonical form so definitions can be compared.
 */
public record TableDefinition(String sql, String name, int nameStart, int nameEnd,
                              List<ColumnDefinition> columns, List<String> constraints, String options) {

    /** One column definition: its name, its canonical definition without the name, and its original text. */
    public record ColumnDefinition(String name, String normalized, String text, List<SqlToken> tokens) {
        /** True when the definition (after the name) contains the bare word {@code word}. */
        public boolean has(String word) {
            for (int i = 1; i < tokens.size(); i++) {
                if (tokens.get(i).isWord(word)) return true;
            }
            return false;
        }
    }

    private static final List<String> CONSTRAINT_STARTS = List.of("CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN");

    /** Parses a CREATE TABLE statement; empty for anything else (virtual tables, CREATE TABLE AS). */
    public static Optional<TableDefinition> parse(String sql) {
        List<SqlToken> all = SqlTokenizer.tokenize(sql);
        List<SqlToken> code = SqlTokenizer.withoutComments(all);
        int i = 0;
        if (i >= code.size() || !code.get(i).isWord("CREATE")) return Optional.empty();
        i++;
        if (i < code.size() && (code.get(i).isWord("TEMP") || code.get(i).isWord("TEMPORARY"))) i++;
        if (i >= code.size() || !code.get(i).isWord("TABLE")) return Optional.empty();
        i++;
        if (i + 2 < code.size() && code.get(i).isWord("IF") && code.get(i + 1).isWord("NOT") && code.get(i + 2).isWord("EXISTS")) {
            i += 3;
        }
        int nameFirst = i;
        if (i + 2 < code.size() && code.get(i + 1).isPunct(".")) i += 2;
        if (i >= code.size() || !code.get(i).isName()) return Optional.empty();
        SqlToken nameToken = code.get(i);
        i++;
        if (i >= code.size() || !code.get(i).isPunct("(")) return Optional.empty();
        int depth = 0;
        int segmentStart = i + 1;
        List<List<SqlToken>> segments = new ArrayList<>();
        int close = -1;
        for (int j = i; j < code.size(); j++) {
            SqlToken t = code.get(j);
            if (t.isPunct("(")) depth++;
            else if (t.isPunct(")")) {
                depth--;
                if (depth == 0) {
                    segments.add(code.subList(segmentStart, j));
                    close = j;
                    break;
                }
            } else if (t.isPunct(",") && depth == 1) {
                segments.add(code.subList(segmentStart, j));
                segmentStart = j + 1;
            }
        }
        if (close < 0) return Optional.empty();
        List<ColumnDefinition> columns = new ArrayList<>();
        List<String> constraints = new ArrayList<>();
        for (List<SqlToken> segment : segments) {
            if (segment.isEmpty()) continue;
            SqlToken first = segment.get(0);
            boolean isConstraint = first.kind() == SqlToken.Kind.WORD
                    && CONSTRAINT_STARTS.stream().anyMatch(first::isWord);
            if (isConstraint) {
                constraints.add(Normalizer.normalize(segment));
            } else {
                columns.add(new ColumnDefinition(first.name(), Normalizer.normalize(segment.subList(1, segment.size())),
                        text(sql, all, segment), List.copyOf(segment)));
            }
        }
        String options = Normalizer.normalize(code.subList(close + 1, code.size()));
        SqlToken firstName = code.get(nameFirst);
        return Optional.of(new TableDefinition(sql, nameToken.name(), firstName.offset(),
                nameToken.offset() + nameToken.text().length(), List.copyOf(columns), List.copyOf(constraints), options));
    }

    /** The segment as written; with single spaces instead when a comment sits inside it (it would swallow the rest). */
    private static String text(String sql, List<SqlToken> all, List<SqlToken> segment) {
        int start = segment.get(0).offset();
        SqlToken last = segment.get(segment.size() - 1);
        int end = last.offset() + last.text().length();
        boolean comment = all.stream().anyMatch(t -> t.isComment() && t.offset() > start && t.offset() < end);
        return comment ? Normalizer.compact(segment) : sql.substring(start, end);
    }

    /** The statement with the table name replaced by {@code newName} (quoted), everything else as written. */
    public String withName(String newName) {
        return sql.substring(0, nameStart) + Identifiers.quote(newName) + sql.substring(nameEnd);
    }

    public Optional<ColumnDefinition> column(String columnName) {
        return columns.stream().filter(c -> Identifiers.same(c.name(), columnName)).findFirst();
    }

    /** True when the table uses AUTOINCREMENT (its rowids are never reused). */
    public boolean autoincrement() {
        return columns.stream().anyMatch(c -> c.has("AUTOINCREMENT"))
                || constraints.stream().anyMatch(c -> c.contains("autoincrement"));
    }
}
