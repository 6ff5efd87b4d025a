package dev.keel.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

public class KeelCliTest {
    /** What one in-process run of the command line printed and returned. */
    public record Run(int status, String out, String err) {
    }

    /** Runs keel in this process with captured output. */
    public static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int status = Keel.commandLine(new PrintWriter(out, true), new PrintWriter(err, true)).execute(args);
        return new Run(status, out.toString(), err.toString());
    }

    @Test
    void versionPrintsTheBuildVersion() {
        Run r = run("version");
        assertThat(r.status()).isZero();
        assertThat(r.out()).startsWith("keel ").doesNotContain("${");
    }

    @Test
    void versionAsJson() {
        Run r = run("version", "--json");
        assertThat(r.status()).isZero();
        assertThat(r.out()).contains("\"version\"");
    }

    @Test
    void unknownOptionIsAUsageError() {
        Run r = run("version", "--bogus");
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.err()).contains("error: ").contains("--bogus").contains("hint: ");
    }

    @Test
    void everySubcommandAnswersHelp() {
        for (String command : Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().keySet()) {
            if (command.equals("help")) continue;
            Run r = run(command, "--help");
            assertThat(r.status()).as(command + ": " + r.err()).isZero();
            assertThat(r.out()).as(command).contains("Usage: keel " + command);
        }
    }

    @Test
    void everySubcommandAcceptsJsonAndStacktraceOptions() {
        for (var entry : Keel.commandLine(new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()))
                .getSubcommands().entrySet()) {
            if (entry.getKey().equals("help") || entry.getValue().getCommandSpec().usageMessage().hidden()) continue;
            var spec = entry.getValue().getCommandSpec();
            assertThat(spec.findOption("--json")).as(entry.getKey() + " --json").isNotNull();
            assertThat(spec.findOption("-x")).as(entry.getKey() + " -x").isNotNull();
        }
    }

    @Test
    void helpShowsEnvironmentVariableSyntaxLiterally() {
        assertThat(run("databases", "--help").out()).contains("${VAR}").doesNotContain("null");
    }

    @Test
    void unknownOptionAsJson() {
        Run r = run("version", "--bogus", "--json");
        assertThat(r.status()).isEqualTo(64);
        assertThat(r.err()).contains("\"code\" : \"USAGE\"");
    }
}
