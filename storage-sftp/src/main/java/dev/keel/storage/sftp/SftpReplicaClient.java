package dev.keel.storage.sftp;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.BoundedInputStream;
import dev.keel.replication.spi.NoSuchObjectException;
import dev.keel.replication.spi.ObjectInfo;
import dev.keel.replication.spi.Payload;
import dev.keel.replication.spi.ReplicaClient;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.sshd.sftp.client.SftpClient;
import org.apache.sshd.sftp.client.SftpClient.Attributes;
import org.apache.sshd.sftp.client.SftpClient.CloseableHandle;
import org.apache.sshd.sftp.client.SftpClient.DirEntry;
import org.apache.sshd.sftp.client.SftpClient.OpenMode;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHFsyncExtension;
import org.apache.sshd.sftp.client.extensions.openssh.OpenSSHPosixRenameExtension;
import org.apache.sshd.sftp.client.impl.AbstractSftpClient;
import org.apache.sshd.sftp.client.impl.SftpOutputStreamAsync;
import org.apache.sshd.sftp.common.SftpConstants;
import org.apache.sshd.sftp.common.SftpException;

/**
 * A replica in a directory on an SFTP server. Writes go to a hidden temp file that is fsynced
 * (fsync@openssh.com, when offered) and renamed over the target (posix-rename@openssh.com, when
 * offered), so readers see the old object or the new one, never a part.
 */
public final class SftpReplicaClient implements ReplicaClient {
    private static final int BUFFER = 32 * 1024;
    private static final String TEMP_SUFFIX = ".tmp";

    private final ReplicaStorage.Sftp storage;
    private final SftpConnection connection;
    private final String root;
    /** Directories known to exist, so a write costs no mkdir round trips once its directory is there. */
    private final Set<String> knownDirs = ConcurrentHashMap.newKeySet();

    public SftpReplicaClient(ReplicaStorage.Sftp storage) {
        this(storage, SftpOptions.defaults());
    }

    public SftpReplicaClient(ReplicaStorage.Sftp storage, SftpOptions options) {
        this.storage = storage;
        try {
            this.connection = new SftpConnection(storage, options);
        } catch (IllegalArgumentException e) {
            throw new KeelException(ErrorCode.BAD_INPUT, e.getMessage(), storage.describe(),
                    "copy the key line from the server's /etc/ssh/ssh_host_*_key.pub or from ssh-keyscan");
        }
        String path = storage.path();
        while (path.length() > 1 && path.endsWith("/")) path = path.substring(0, path.length() - 1);
        this.root = path;
    }

    @Override
    public String type() {
        return "sftp";
    }

    @Override
    public String describe() {
        return storage.describe();
    }

    @Override
    public void verify() {
        try {
            SftpClient sftp = connection.client();
            String probeDir = root.isEmpty() ? "." : root;
            mkdirs(sftp, probeDir);
            String probe = child(probeDir, ".keel-verify-" + UUID.randomUUID() + TEMP_SUFFIX);
            try (CloseableHandle handle = sftp.open(probe, OpenMode.Write, OpenMode.Create, OpenMode.Truncate)) {
                sftp.write(handle, 0, new byte[] {1});
            }
            sftp.remove(probe);
        } catch (SftpAccessException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, e.getMessage(), describe(), e.hint(), e);
        } catch (IOException e) {
            throw new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "cannot write to the replica directory: " + e.getMessage(),
                    describe(), "check that path exists or can be created and that user " + connection.user() + " may write there", e);
        }
    }

    @Override
    public List<ObjectInfo> list(String prefix) throws IOException {
        return call("LIST " + prefix, sftp -> {
            List<ObjectInfo> out = new ArrayList<>();
            int slash = prefix.lastIndexOf('/');
            walk(sftp, slash < 0 ? "" : prefix.substring(0, slash), prefix, out);
            return out;
        });
    }

    /** Lists {@code dirKey} and descends only into directories that can hold keys with {@code prefix}. */
    private void walk(SftpClient sftp, String dirKey, String prefix, List<ObjectInfo> out) throws IOException {
        List<DirEntry> read = new ArrayList<>();
        String dir = remote(dirKey);
        try {
            // The iterable reads lazily and reports failures unchecked.
            for (DirEntry entry : sftp.readDir(dir)) read.add(entry);
        } catch (UncheckedIOException | SftpException e) {
            IOException cause = e instanceof UncheckedIOException u ? u.getCause() : (IOException) e;
            if (cause instanceof SftpException status && status.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) return;
            if (cause instanceof SftpException && !isDirectory(sftp, dir)) return; // a prefix that names a file
            throw cause;
        }
        for (DirEntry entry : read) {
            String name = entry.getFilename();
            if (name.equals(".") || name.equals("..")) continue;
            String key = dirKey.isEmpty() ? name : dirKey + "/" + name;
            Attributes attrs = entry.getAttributes();
            if (attrs.isDirectory()) {
                if (prefix.startsWith(key + "/") || (key + "/").startsWith(prefix)) walk(sftp, key, prefix, out);
            } else if (attrs.isRegularFile() && key.startsWith(prefix) && !isTemp(name)) {
                Instant modified = attrs.getModifyTime() == null ? Instant.EPOCH : attrs.getModifyTime().toInstant();
                out.add(new ObjectInfo(key, attrs.getSize(), modified));
            }
        }
    }

    @Override
    public InputStream open(String key) throws IOException {
        return call("GET " + key, sftp -> {
            try {
                return sftp.read(remote(key), BUFFER);
            } catch (SftpException e) {
                throw notFoundOr(key, e);
            }
        });
    }

    @Override
    public InputStream openRange(String key, long offset, long length) throws IOException {
        if (offset < 0 || length < 0) throw new IllegalArgumentException("negative range: " + offset + "+" + length);
        InputStream whole = open(key);
        try {
            long skipped = 0;
            while (skipped < offset) {
                long n = whole.skip(offset - skipped);
                if (n <= 0) {
                    if (whole.read() < 0) break; // past the end: nothing to read
                    n = 1;
                }
                skipped += n;
            }
            return new BoundedInputStream(whole, length);
        } catch (IOException | RuntimeException e) {
            whole.close();
            throw e;
        }
    }

    @Override
    public void write(String key, Payload payload) throws IOException {
        String target = remote(key);
        String dir = parent(target);
        String temp = child(dir, "." + target.substring(target.lastIndexOf('/') + 1) + "." + UUID.randomUUID() + TEMP_SUFFIX);
        call("PUT " + key, sftp -> {
            try {
                upload(sftp, dir, temp, payload);
                rename(sftp, temp, target);
                return null;
            } catch (IOException | RuntimeException e) {
                removeQuietly(sftp, temp);
                throw e;
            }
        });
    }

    private CloseableHandle createTemp(SftpClient sftp, String dir, String temp) throws IOException {
        try {
            mkdirs(sftp, dir);
            return sftp.open(temp, OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) throw e;
            knownDirs.clear(); // someone removed a directory we thought was there
            mkdirs(sftp, dir);
            return sftp.open(temp, OpenMode.Write, OpenMode.Create, OpenMode.Truncate);
        }
    }

    private void upload(SftpClient sftp, String dir, String temp, Payload payload) throws IOException {
        try (CloseableHandle handle = createTemp(sftp, dir, temp)) {
            // The async stream pipelines writes instead of waiting for each acknowledgement.
            try (OutputStream out = new SftpOutputStreamAsync((AbstractSftpClient) sftp, BUFFER, temp, handle, false);
                 InputStream in = payload.open()) {
                in.transferTo(out);
            }
            OpenSSHFsyncExtension fsync = sftp.getExtension(OpenSSHFsyncExtension.class);
            if (fsync != null && fsync.isSupported()) fsync.fsync(handle);
        }
    }

    private static void rename(SftpClient sftp, String from, String to) throws IOException {
        OpenSSHPosixRenameExtension posix = sftp.getExtension(OpenSSHPosixRenameExtension.class);
        if (posix != null && posix.isSupported()) {
            posix.posixRename(from, to);
            return;
        }
        if (sftp.getVersion() >= SftpConstants.SFTP_V5) {
            sftp.rename(from, to, SftpClient.CopyMode.Overwrite, SftpClient.CopyMode.Atomic);
            return;
        }
        // SFTP v3 without the OpenSSH extension cannot replace a file: remove, then rename (brief gap).
        removeQuietly(sftp, to);
        sftp.rename(from, to);
    }

    @Override
    public void delete(Collection<String> keys) throws IOException {
        if (keys.isEmpty()) return;
        call("DELETE of " + keys.size() + " objects", sftp -> {
            Set<String> dirs = new TreeSet<>((a, b) -> b.length() != a.length() ? b.length() - a.length() : a.compareTo(b));
            for (String key : keys) {
                String path = remote(key);
                try {
                    sftp.remove(path);
                } catch (SftpException e) {
                    if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) throw e;
                }
                dirs.add(parent(path));
            }
            removeEmptyDirs(sftp, dirs);
            return null;
        });
    }

    /** Keeps the tree tidy after retention removed a generation: deepest directories first, never the root. */
    private void removeEmptyDirs(SftpClient sftp, Set<String> dirs) {
        for (String dir : dirs) {
            for (String d = dir; d != null && isBelowRoot(d); d = parent(d)) {
                knownDirs.remove(d);
                try {
                    sftp.rmdir(d);
                } catch (IOException notEmptyOrGone) {
                    break;
                }
            }
        }
    }

    @Override
    public void close() {
        connection.close();
    }

    // ---- paths ----

    private String remote(String key) {
        if (key.isEmpty()) return root.isEmpty() ? "." : root;
        if (key.startsWith("/") || key.contains("\\") || ("/" + key + "/").contains("/../")) {
            throw new IllegalArgumentException("invalid replica key: " + key);
        }
        return root.isEmpty() ? key : child(root, key);
    }

    private static String child(String dir, String name) {
        return dir.equals("/") ? "/" + name : dir + "/" + name;
    }

    private String parent(String path) {
        int slash = path.lastIndexOf('/');
        if (slash < 0) return ".";
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private boolean isBelowRoot(String dir) {
        if (root.isEmpty()) return !dir.equals(".") && !dir.startsWith("/");
        return dir.startsWith(root + "/");
    }

    private static boolean isDirectory(SftpClient sftp, String path) throws IOException {
        try {
            return sftp.stat(path).isDirectory();
        } catch (SftpException e) {
            if (e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE) return false;
            throw e;
        }
    }

    private static boolean isTemp(String name) {
        return name.startsWith(".") && name.endsWith(TEMP_SUFFIX);
    }

    private void mkdirs(SftpClient sftp, String dir) throws IOException {
        if (dir.equals(".") || dir.equals("/") || knownDirs.contains(dir)) return;
        try {
            Attributes attrs = sftp.stat(dir);
            if (!attrs.isDirectory()) throw new IOException(dir + " exists and is not a directory");
        } catch (SftpException e) {
            if (e.getStatus() != SftpConstants.SSH_FX_NO_SUCH_FILE) throw e;
            mkdirs(sftp, parent(dir));
            try {
                sftp.mkdir(dir);
            } catch (SftpException raced) {
                if (!sftp.stat(dir).isDirectory()) throw raced; // another writer made it first: fine
            }
        }
        knownDirs.add(dir);
    }

    private static void removeQuietly(SftpClient sftp, String path) {
        try {
            sftp.remove(path);
        } catch (IOException | RuntimeException ignored) {
            // it may never have been created, or the session is gone
        }
    }

    private static IOException notFoundOr(String key, SftpException e) {
        return e.getStatus() == SftpConstants.SSH_FX_NO_SUCH_FILE ? new NoSuchObjectException(key) : e;
    }

    // ---- error handling ----

    /** One SFTP operation on the live client. */
    private interface SftpCall<T> {
        T run(SftpClient sftp) throws IOException;
    }

    /**
     * Runs a call; status errors from the server pass through, while a broken session is dropped
     * so the next call logs in again.
     */
    private <T> T call(String action, SftpCall<T> call) throws IOException {
        SftpClient sftp = connection.client();
        try {
            return call.run(sftp);
        } catch (NoSuchObjectException e) {
            throw e;
        } catch (SftpException e) {
            throw new IOException(action + " failed on " + describe() + ": " + e.getMessage(), e);
        } catch (IOException e) {
            if (!sftp.isOpen() || !sftp.getClientSession().isOpen()) connection.invalidate(sftp);
            throw new IOException(action + " failed on " + describe() + ": " + e.getMessage(), e);
        }
    }
}
