package dev.keel.cli.schema;

import dev.keel.cli.OutputOptions;
import dev.keel.core.ErrorCode;
import dev.keel.schema.MigrationResult;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** {@code keel check}: exit 0 when the database matches the wanted schema, 2 (drift) when it differs. */
@Command(name = "check", description = "Exit 0 when the database matches schema.sql, 2 when it differs (prints the differences).")
public final class CheckCommand implements Callable<Integer> {
    @CommandLine.Mixin
    SchemaOptions schema;

    @CommandLine.Mixin
    OutputOptions output;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        MigrationResult r = schema.builder().load().check();
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("database", r.database());
            m.put("schema", schema.schemaLabel());
            m.put("matches", r.upToDate());
            m.put("differences", r.plan().differences());
            output.printJson(out, m);
        } else if (r.upToDate()) {
            out.println(r.database() + " matches " + schema.schemaLabel());
        } else {
            out.print(r.database() + " differs from " + schema.schemaLabel() + ":\n" + SchemaRenderer.differences(r));
        }
        out.flush();
        return r.upToDate() ? 0 : ErrorCode.DRIFT.exitStatus();
    }
}
