package dev.keel.cli.startup;

import dev.keel.core.DurableFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.sqlite.util.LibraryLoaderUtil;

/**
 * Copies the native libraries of sqlite-jdbc and lz4-java for this platform out of the jar into one
 * directory. Started with {@code -Dorg.sqlite.lib.path=DIR -Djava.library.path=DIR}, both libraries
 * load from there instead of being extracted to the temp dir (and compared byte by byte) on every
 * process start.
 */
final class NativeLibraries {
    private NativeLibraries() {
    }

    /** Extracts both libraries into {@code dir}; a library this platform has no build of is skipped. */
    static void extract(Path dir) throws IOException {
        Files.createDirectories(dir);
        copy(LibraryLoaderUtil.getNativeLibResourcePath() + "/" + LibraryLoaderUtil.getNativeLibName(),
                dir.resolve(LibraryLoaderUtil.getNativeLibName()));
        String os = lz4OsName();
        if (os != null) {
            copy("/net/jpountz/util/" + os + "/" + System.getProperty("os.arch") + "/" + lz4FileName(os),
                    dir.resolve(System.mapLibraryName("lz4-java")));
        }
    }

    /** lz4-java's name for the operating system in its resource paths (see its {@code Native} class). */
    private static String lz4OsName() {
        String name = System.getProperty("os.name", "");
        if (name.contains("Linux")) return "linux";
        if (name.contains("Mac")) return "darwin";
        if (name.contains("Windows")) return "win32";
        return null;
    }

    private static String lz4FileName(String os) {
        return "liblz4-java." + (os.equals("darwin") ? "dylib" : "so");
    }

    private static void copy(String resource, Path target) throws IOException {
        String path = resource.startsWith("/") ? resource : "/" + resource;
        try (InputStream in = NativeLibraries.class.getResourceAsStream(path)) {
            if (in == null) return;
            DurableFiles.replace(target, target.resolveSibling(target.getFileName() + ".tmp"), in::transferTo);
        }
    }
}
