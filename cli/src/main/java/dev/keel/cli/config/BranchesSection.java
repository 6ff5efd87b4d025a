package dev.keel.cli.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The top-level {@code branches:} key: directories of branches that {@code keel replicate} reaps when
 * they expire. Each must be an existing directory, so a typo is reported at startup instead of
 * leaving branches to pile up.
 */
final class BranchesSection {
    static final String KEY = "branches";

    private BranchesSection() {
    }

    static List<Path> read(YamlMap top, ConfigEnvironment env) {
        List<Path> dirs = new ArrayList<>();
        List<String> items = top.strings(KEY);
        for (int i = 0; i < items.size(); i++) {
            String text = items.get(i);
            String where = KEY + "[" + i + "]";
            Path dir;
            try {
                dir = text.isBlank() ? null : env.expandPath(text);
            } catch (InvalidPathException e) {
                dir = null;
            }
            if (dir == null) {
                throw top.error(KEY, where + " is not a directory path: " + YamlMap.quote(text), "give a directory of branches");
            }
            if (!Files.isDirectory(dir)) {
                throw top.error(KEY, where + " " + YamlMap.quote(text) + (Files.exists(dir) ? " is not a directory" : " does not exist"),
                        "create the directory, or remove it from branches:");
            }
            if (!dirs.contains(dir)) dirs.add(dir);
        }
        return List.copyOf(dirs);
    }
}
