package dev.keel.cli.branch;

import dev.keel.cli.OutputOptions;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.fleet.branch.Branch;
import dev.keel.fleet.branch.Branches;
import dev.keel.fleet.branch.ReapReport;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keel branch reap}: deletes expired branches with their side files. Exits 74 when a file could
 * not be deleted (the branch stays listed and the next reap tries again); unreadable sidecars are warnings.
 */
@Command(name = "reap", description = "Delete expired branches with their -wal, -shm, -journal and Keel files.")
public final class BranchReapCommand implements Callable<Integer> {
    @CommandLine.Mixin
    OutputOptions output;

    @Option(names = {"--dir", "-dir"}, paramLabel = "DIR", defaultValue = ".", description = "Directory of branches (default: the current one).")
    Path dir;

    @Option(names = {"--dry-run", "-dry-run"}, description = "Say what would be deleted; delete nothing.")
    boolean dryRun;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ReapReport r = Branches.reap(dir, dryRun);
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("directory", dir.toAbsolutePath().normalize().toString());
            m.put("dryRun", dryRun);
            m.put("reaped", r.reaped().stream().map(x -> Map.of("path", x.branch().path().toString(),
                    "expires", x.branch().expires().toString(), "files", x.files().stream().map(Path::toString).toList())).toList());
            m.put("forgotten", r.forgotten().stream().map(b -> b.sidecar().toString()).toList());
            m.put("leftovers", r.leftovers().stream().map(Path::toString).toList());
            m.put("kept", r.kept().size());
            m.put("problems", BranchListCommand.problems(r.problems()));
            output.printJson(out, m);
        } else {
            String verb = dryRun ? "would delete" : "deleted";
            for (ReapReport.Reaped x : r.reaped()) {
                out.println(output.redact(verb + " " + x.branch().path() + " (expired " + x.branch().expires() + "; "
                        + x.files().size() + " files)"));
            }
            for (Branch b : r.forgotten()) out.println(output.redact((dryRun ? "would forget " : "forgot ") + b.sidecar() + " (database gone)"));
            for (Path f : r.leftovers()) {
                out.println(output.redact(verb + " " + f + " (temp file of a branch creation that was interrupted)"));
            }
            out.println(r.reaped().size() + " expired, " + r.kept().size() + " kept" + (dryRun ? " (dry run)" : ""));
            out.flush();
            BranchListCommand.warn(spec.commandLine().getErr(), r.problems(), output);
        }
        boolean failedDelete = r.problems().stream().anyMatch(p -> p.message().startsWith("cannot delete"));
        if (failedDelete) {
            throw new KeelException(ErrorCode.IO, "some expired branches could not be deleted", dir.toString(),
                    "see the warnings above; check permissions, then run keel branch reap again");
        }
        return 0;
    }
}
