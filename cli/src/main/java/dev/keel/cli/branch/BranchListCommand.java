package dev.keel.cli.branch;

import dev.keel.cli.OutputOptions;
import dev.keel.cli.restore.TextTable;
import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.BranchListing;
import dev.keel.fleet.branch.Branches;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code keel branch list}: the branches of a directory with their age and time left; unreadable sidecars as warnings. */
@Command(name = "list", description = "List the branches in a directory, with age and time left (expired ones marked).")
public final class BranchListCommand implements Callable<Integer> {
    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--dir", "-dir"}, paramLabel = "DIR", defaultValue = ".", description = "Directory of branches (default: the current one).")
    Path dir;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        BranchListing l = Branches.list(dir);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("directory", dir.toAbsolutePath().normalize().toString());
            m.put("branches", l.branches().stream().map(b -> BranchView.json(b, l.now())).toList());
            m.put("orphans", l.orphans().stream().map(b -> b.sidecar().toString()).toList());
            m.put("problems", problems(l.problems()));
            output.printJson(out, m);
            return 0;
        }
        TextTable table = new TextTable("branch", "age", "expires", "source", "creator");
        for (Branch b : l.branches()) {
            table.row(b.path().getFileName(), BranchView.words(b.age(l.now())), BranchView.left(b, l.now()), b.source(), b.creator());
        }
        for (Branch b : l.orphans()) {
            table.row(b.path().getFileName(), BranchView.words(b.age(l.now())), "database gone (reap forgets it)", b.source(), b.creator());
        }
        table.print(out, output::redact);
        warn(spec.commandLine().getErr(), l.problems(), output);
        return 0;
    }

    static List<Map<String, String>> problems(List<BranchListing.Problem> problems) {
        return problems.stream().map(p -> Map.of("file", p.file().toString(), "message", p.message())).toList();
    }

    static void warn(PrintWriter err, List<BranchListing.Problem> problems, OutputOptions output) {
        for (BranchListing.Problem p : problems) err.println(output.redact("warning: " + p.file() + ": " + p.message()));
        err.flush();
    }
}
