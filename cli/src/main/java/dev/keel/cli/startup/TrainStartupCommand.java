package dev.keel.cli.startup;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code keel train-startup} (hidden): the launcher runs it once per build to record a
 * class-data-sharing archive of a typical workload and to unpack the native libraries, which makes
 * every later start faster. Not meant to be run by hand.
 */
@Command(name = "train-startup", hidden = true, description = "Record a start-up archive (used by the launcher).")
public final class TrainStartupCommand implements Callable<Integer> {
    @Option(names = "--native-dir", paramLabel = "DIR", description = "Unpack the native libraries into DIR.")
    Path nativeDir;

    @Override
    public Integer call() throws Exception {
        if (nativeDir != null) NativeLibraries.extract(nativeDir);
        List<String> failed = StartupTraining.run();
        if (!failed.isEmpty()) {
            throw new KeelException(ErrorCode.FAILURE, "start-up training commands failed: " + String.join("; ", failed), null,
                    "the launcher runs without a start-up archive; run the failing command by hand to see why");
        }
        return 0;
    }
}
