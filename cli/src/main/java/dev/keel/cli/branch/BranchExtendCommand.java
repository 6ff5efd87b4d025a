package dev.keel.cli.branch;

import dev.keel.cli.OutputOptions;
import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.Branches;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code keel branch extend PATH --ttl 24h}: the branch now expires that long from now. */
@Command(name = "extend", description = "Push a branch's expiry to --ttl from now.")
public final class BranchExtendCommand implements Callable<Integer> {
    @CommandLine.Mixin
    OutputOptions output;

    @Parameters(index = "0", paramLabel = "PATH", description = "The branch database.")
    Path path;

    @Option(names = {"--ttl", "-ttl"}, required = true, paramLabel = "DURATION", description = "New time-to-live from now, e.g. 24h.")
    String ttl;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        Branch b = Branches.extend(path, Ttl.parse(ttl));
        PrintWriter out = spec.commandLine().getOut();
        Instant now = Instant.now();
        if (output.json()) {
            output.printJson(out, BranchView.json(b, now));
        } else {
            out.println(output.redact("branch " + b.path() + " now expires " + b.expires() + " (" + BranchView.left(b, now) + ")"));
            out.flush();
        }
        return 0;
    }
}
