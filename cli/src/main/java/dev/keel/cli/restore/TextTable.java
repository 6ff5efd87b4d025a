package dev.keel.cli.restore;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * Columns laid out like Go's {@code tabwriter} with padding 2 and spaces, as Litestream prints its
 * listings: every column but the last is padded to its widest cell plus two spaces. The table is
 * printed through the run's redaction, as every other output is.
 */
public final class TextTable {
    private final List<String[]> rows = new ArrayList<>();

    public TextTable(String... header) {
        rows.add(header);
    }

    public TextTable row(Object... cells) {
        String[] r = new String[cells.length];
        for (int i = 0; i < cells.length; i++) r[i] = String.valueOf(cells[i]);
        rows.add(r);
        return this;
    }

    /** Prints the table with {@code redact} applied to the whole text (secrets hidden, columns laid out first). */
    public void print(PrintWriter out, UnaryOperator<String> redact) {
        int columns = rows.get(0).length;
        int[] width = new int[columns];
        for (String[] r : rows) {
            for (int i = 0; i < columns - 1; i++) width[i] = Math.max(width[i], r[i].length());
        }
        StringBuilder sb = new StringBuilder();
        for (String[] r : rows) {
            for (int i = 0; i < columns - 1; i++) sb.append(r[i]).append(" ".repeat(width[i] - r[i].length() + 2));
            sb.append(r[columns - 1]).append('\n');
        }
        out.print(redact.apply(sb.toString()));
        out.flush();
    }
}
