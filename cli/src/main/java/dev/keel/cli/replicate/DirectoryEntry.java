package dev.keel.cli.replicate;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.core.fleet.DatabaseDirectory;
import dev.keel.replication.api.DirectoryConfig;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code keel replicate -dir DIR [-pattern GLOB] [-recursive] REPLICA_URL...}: the same {@code dir:}
 * entry a config file would give, with every timing at its default and watch on.
 */
final class DirectoryEntry {
    private DirectoryEntry() {
    }

    static DirectoryConfig of(Path dir, String pattern, boolean recursive, List<String> urls, boolean withConfig) {
        if (withConfig) {
            throw new KeelException(ErrorCode.USAGE, "give either -config or -dir with replica URLs, not both", null,
                    "put the directory in the config file as a 'dir:' entry, or leave -config out");
        }
        if (urls.isEmpty()) {
            throw new KeelException(ErrorCode.USAGE, "no replica URL after -dir " + dir, dir.toString(),
                    "give at least one; each database's replica is URL/<its path below the directory>,"
                            + " e.g. keel replicate -dir " + dir + " s3://bucket/tenants");
        }
        DatabaseDirectory directory = new DatabaseDirectory(dir, pattern, recursive);
        return DirectoryConfig.of(directory, ReplicateCommand.replicas(urls));
    }
}
