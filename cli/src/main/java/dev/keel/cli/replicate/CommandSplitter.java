package dev.keel.cli.replicate;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits an {@code -exec} command line into words the way a POSIX shell would for simple commands:
 * blanks separate words, single quotes keep everything literally, double quotes keep blanks, a
 * backslash escapes the next character. No variables, globs or pipes (wrap those in {@code sh -c '...'}).
 */
final class CommandSplitter {
    private CommandSplitter() {
    }

    static List<String> split(String command) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        boolean inWord = false;
        char quote = 0;
        for (int i = 0; i < command.length(); i++) {
            char c = command.charAt(i);
            if (quote == '\'') {
                if (c == '\'') quote = 0;
                else word.append(c);
            } else if (quote == '"') {
                if (c == '"') quote = 0;
                else if (c == '\\' && i + 1 < command.length() && "\"\\$`".indexOf(command.charAt(i + 1)) >= 0) word.append(command.charAt(++i));
                else word.append(c);
            } else if (c == '\'' || c == '"') {
                quote = c;
                inWord = true;
            } else if (c == '\\' && i + 1 < command.length()) {
                word.append(command.charAt(++i));
                inWord = true;
            } else if (Character.isWhitespace(c)) {
                if (inWord) words.add(word.toString());
                word.setLength(0);
                inWord = false;
            } else {
                word.append(c);
                inWord = true;
            }
        }
        if (quote != 0) {
            throw new KeelException(ErrorCode.USAGE, "the -exec command has an unterminated " + (quote == '"' ? "double" : "single") + " quote",
                    command, "close the quote, or wrap the command in sh -c '...'");
        }
        if (inWord) words.add(word.toString());
        if (words.isEmpty()) throw new KeelException(ErrorCode.USAGE, "the -exec command is empty", null, "give the command to run, e.g. -exec \"myapp --port 8080\"");
        return words;
    }
}
