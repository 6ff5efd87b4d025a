package dev.keel.cli.schema;

import dev.keel.cli.OutputOptions;
import dev.keel.schema.MigrationResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel diff}: prints the plan (SQL, a comment per step saying why) and changes nothing. */
@Command(name = "diff", description = "Print the statements keel migrate would run, and why; change nothing.")
public final class DiffCommand implements Callable<Integer> {
    @CommandLine.Mixin
    SchemaOptions schema;

    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--pre", "-pre"}, paramLabel = "FILE", description = "SQL to run first (rolled back), as migrate would.")
    Path pre;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        MigrationResult r = schema.builder().pre(pre).load().diff();
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) output.printJson(out, SchemaRenderer.json(r));
        else out.print(SchemaRenderer.plan(r));
        out.flush();
        return 0;
    }
}
