package dev.keel.cli.config;

import dev.keel.cli.output.Redaction;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The config-file options every config-reading command shares (as a picocli mixin):
 * {@code -config PATH} and {@code -no-expand-env}, each also spelled with two dashes.
 */
public final class ConfigOptions {
    @Option(names = {"-config", "--config"}, paramLabel = "PATH",
            description = "Config file (Litestream 0.3 format). Default: $KEEL_CONFIG, ./keel.yml, /etc/keel.yml, /etc/litestream.yml.")
    String configPath;

    @Option(names = {"-no-expand-env", "--no-expand-env"},
            description = "Do not replace $VAR and $${VAR} in the config file with environment variables.")
    boolean noExpandEnv;

    /** The path given with -config, or null. */
    public String configPath() {
        return configPath;
    }

    /** True unless -no-expand-env was given. */
    public boolean expandEnv() {
        return !noExpandEnv;
    }

    /** Finds and reads the config file for this process's environment. */
    public KeelConfig load() {
        return load(ConfigEnvironment.system());
    }

    /** Set by picocli: the command this mixin belongs to, whose output must hide the config's secrets. */
    @Spec(Spec.Target.MIXEE)
    CommandSpec mixee;

    /**
     * Names the command these options belong to when they are nested in another mixin: picocli then
     * gives them that mixin's spec, which does not lead to the run whose output must hide the secrets.
     */
    public void mixedInto(CommandSpec command) {
        this.mixee = command;
    }

    /**
     * Finds and reads the config file as seen from {@code env}; from then on everything the command
     * prints hides the file's secrets.
     */
    public KeelConfig load(ConfigEnvironment env) {
        KeelConfig config = new ConfigLoader(env).load(configPath, expandEnv());
        Redaction.of(mixee).learn(config.redactor());
        return config;
    }
}
