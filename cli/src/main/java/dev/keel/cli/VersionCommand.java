package dev.keel.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel version}: prints Keel's version (and, with --json, the SQLite it embeds). */
@Command(name = "version", description = "Print Keel's version.")
public final class VersionCommand implements Callable<Integer> {
    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        if (output.json()) {
            output.printJson(spec.commandLine().getOut(), java.util.Map.of("version", version()));
        } else {
            spec.commandLine().getOut().println("keel " + version());
        }
        return 0;
    }

    /** The version baked into the jar at build time. */
    public static String version() {
        try (InputStream in = VersionCommand.class.getResourceAsStream("/keel-version.properties")) {
            if (in == null) return "unknown";
            Properties p = new Properties();
            p.load(in);
            return p.getProperty("version", "unknown");
        } catch (IOException e) {
            return "unknown";
        }
    }

    /** Serves {@code keel --version}. */
    public static final class Provider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[]{"keel " + version()};
        }
    }
}
