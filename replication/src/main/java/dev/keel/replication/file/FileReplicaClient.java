package dev.keel.replication.file;

import dev.keel.core.DurableFiles;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.BoundedInputStream;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;

/**
 * A replica in a local directory. Writes go to a temp file that is fsynced, renamed into place and
 * followed by an fsync of the directory, so an acknowledged object survives a power cut.
 */
public final class FileReplicaClient implements ReplicaClient {
    private static final String TEMP_SUFFIX = ".tmp";
    private final Path root;

    public FileReplicaClient(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    public Path root() {
        return root;
    }

    @Override
    public String type() {
        return "file";
    }

    @Override
    public String describe() {
        return "file://" + root;
    }

    @Override
    public void verify() {
        try {
            Files.createDirectories(root);
            Path probe = Files.createTempFile(root, ".keel-verify-", TEMP_SUFFIX);
            Files.delete(probe);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.IO, "replica directory is not writable: " + e.getMessage(), describe(),
                    "check that the directory exists or can be created and that keel may write to it", e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        List<ObjectInfo> out = new ArrayList<>();
        // Walk from the deepest directory the prefix names, then filter by the full prefix.
        int slash = prefix.lastIndexOf('/');
        Path start = slash < 0 ? root : resolve(prefix.substring(0, slash));
        if (!Files.isDirectory(start, LinkOption.NOFOLLOW_LINKS)) return out;
        walk(start, prefix, out);
        return out;
    }

    private void walk(Path dir, String prefix, List<ObjectInfo> out) throws IOException {
        try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
            for (Path entry : entries) {
                BasicFileAttributes attrs;
                try {
                    attrs = Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                } catch (NoSuchFileException gone) {
                    continue; // deleted while we listed
                }
                String key = keyOf(entry);
                if (attrs.isDirectory()) {
                    if (prefix.startsWith(key + "/") || (key + "/").startsWith(prefix)) walk(entry, prefix, out);
                } else if ((attrs.isRegularFile() || attrs.isSymbolicLink()) && key.startsWith(prefix)
                        && !entry.getFileName().toString().endsWith(TEMP_SUFFIX)) {
                    // A link is listed (with its own size and time) but never followed, here or in open():
                    // restore must see that something is there, and must not read outside the tree.
                    out.add(new ObjectInfo(key, attrs.size(), attrs.lastModifiedTime().toInstant()));
                }
            }
        } catch (NoSuchFileException gone) {
            // directory removed while listing: nothing to report
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return Channels.newInputStream(openForRead(key));
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        FileChannel channel = openForRead(key);
        channel.position(offset);
        return new BoundedInputStream(Channels.newInputStream(channel), length);
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        Path target = resolve(key);
        Path temp = target.resolveSibling(target.getFileName() + "." + UUID.randomUUID() + TEMP_SUFFIX);
        DurableFiles.replace(target, temp, out -> {
            try (InputStream in = payload.open()) {
                in.transferTo(out);
            }
        });
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        for (String key : keys) {
            Path file = resolve(key);
            Files.deleteIfExists(file);
            removeEmptyParents(file.getParent());
        }
    }

    /** Keeps the tree tidy after retention removes a generation's last files. */
    private void removeEmptyParents(Path dir) throws IOException {
        while (dir != null && dir.startsWith(root) && !dir.equals(root)) {
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                if (entries.iterator().hasNext()) return;
            } catch (NoSuchFileException gone) {
                dir = dir.getParent();
                continue;
            }
            try {
                Files.delete(dir);
            } catch (IOException raced) {
                return; // another writer put something there: fine
            }
            dir = dir.getParent();
        }
    }

    /**
     * Opens an object without following links: the file itself must not be a link (O_NOFOLLOW), and the
     * directories on its way must resolve inside the root. Replica trees are untrusted input.
     */
    private FileChannel openForRead(String key) throws IOException {
        Path path = resolve(key);
        try {
            if (Files.isSymbolicLink(path) || !path.toRealPath().startsWith(root.toRealPath())) {
                throw new KeelException(ErrorCode.BAD_INPUT, "is a symbolic link (or lies under one) pointing elsewhere;"
                        + " Keel does not follow links in a replica", describe() + "/" + key,
                        "replace the link with the file itself, or remove it");
            }
            return FileChannel.open(path, StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw new NoSuchObjectException(key);
        }
    }

    @Override
    public java.util.Optional<dev.keel.replication.spi.ConditionalObjects> conditionalObjects() {
        return java.util.Optional.of(new FileConditionalObjects(this::resolve));
    }

    /** Maps a key to a path, refusing keys that would leave the root (keys may come from listings). */
    private Path resolve(String key) {
        if (key.isEmpty() || key.startsWith("/") || key.contains("\\")) {
            throw new IllegalArgumentException("invalid replica key: " + key);
        }
        Path path = root.resolve(key).normalize();
        if (!path.startsWith(root) || path.equals(root)) {
            throw new IllegalArgumentException("replica key escapes the replica root: " + key);
        }
        return path;
    }

    private String keyOf(Path path) {
        return root.relativize(path).toString().replace(java.io.File.separatorChar, '/');
    }

}
