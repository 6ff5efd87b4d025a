package dev.keel.cli.config;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/** Writes config files into a test's temp dir and loads them with a controlled environment. */
final class ConfigFixture {
    final Path dir;
    final Path work;
    final Path home;
    final Path etc;

    ConfigFixture(Path dir) {
        this.dir = dir;
        this.work = mkdir(dir.resolve("work"));
        this.home = mkdir(dir.resolve("home"));
        this.etc = mkdir(dir.resolve("etc"));
    }

    ConfigEnvironment env(Map<String, String> variables) {
        return new ConfigEnvironment(variables, work, home, etc);
    }

    Path write(String name, String text) {
        Path file = dir.resolve(name);
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, text);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return file;
    }

    KeelConfig load(String yaml) {
        return load(yaml, Map.of(), true);
    }

    KeelConfig load(String yaml, Map<String, String> variables, boolean expandEnv) {
        Path file = write("keel.yml", yaml);
        return new ConfigLoader(env(variables)).load(file.toString(), expandEnv);
    }

    private static Path mkdir(Path p) {
        try {
            return Files.createDirectories(p);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
