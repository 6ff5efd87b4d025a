package dev.keel.storage.gcs;

import com.google.api.gax.retrying.RetrySettings;
import com.google.auth.oauth2.GoogleCredentials;
import com.google.cloud.NoCredentials;
import com.google.cloud.http.HttpTransportOptions;
import com.google.cloud.storage.Storage;
import com.google.cloud.storage.StorageOptions;
import com.google.cloud.storage.StorageRetryStrategy;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.spi.ReplicaStorage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.UnaryOperator;

/**
 * Builds the Google Cloud Storage client for one replica: where to send requests (Google, or the
 * emulator that {@code STORAGE_EMULATOR_HOST} names, as Go's client and so Litestream do), which
 * credentials to send (none to an emulator; the key file {@code GOOGLE_APPLICATION_CREDENTIALS} names;
 * else the library's application default credentials), timeouts and retries.
 */
final class GcsClientFactory {
    static final String EMULATOR_HOST = "STORAGE_EMULATOR_HOST";
    static final String CREDENTIALS_FILE = "GOOGLE_APPLICATION_CREDENTIALS";
    static final int MAX_CREDENTIALS_BYTES = 64 * 1024;

    private GcsClientFactory() {
    }

    static Storage create(ReplicaStorage.Gcs storage, GcsOptions options, UnaryOperator<String> env) {
        var builder = StorageOptions.http()
                .setTransportOptions(HttpTransportOptions.newBuilder()
                        .setConnectTimeout(millis(options.connectTimeout()))
                        .setReadTimeout(millis(options.ioTimeout()))
                        .build())
                .setRetrySettings(RetrySettings.newBuilder()
                        .setMaxAttempts(options.maxTries())
                        .setInitialRetryDelayDuration(Duration.ofMillis(200))
                        .setRetryDelayMultiplier(2.0)
                        .setMaxRetryDelayDuration(Duration.ofSeconds(5))
                        .setTotalTimeoutDuration(options.totalTimeout())
                        .build())
                // Keel's writes are idempotent (a replica key is written with the same bytes, or replaced
                // whole), so every failed request may be tried again, not only those the library knows to be.
                .setStorageRetryStrategy(StorageRetryStrategy.getUniformStorageRetryStrategy());
        String emulator = emulatorEndpoint(env);
        if (emulator != null) {
            builder.setHost(emulator).setProjectId("keel-emulator").setCredentials(NoCredentials.getInstance());
        } else {
            GoogleCredentials credentials = credentialsFile(storage, env);
            if (credentials != null) builder.setCredentials(credentials);
        }
        return builder.build().getService();
    }

    /** The emulator's base URL from {@code STORAGE_EMULATOR_HOST} ({@code host:port}, or a URL), else null. */
    static String emulatorEndpoint(UnaryOperator<String> env) {
        String host = env.apply(EMULATOR_HOST);
        if (host == null || host.isBlank()) return null;
        host = host.strip();
        while (host.endsWith("/")) host = host.substring(0, host.length() - 1);
        return host.contains("://") ? host : "http://" + host;
    }

    /** Where requests go, for messages. */
    static String endpoint(UnaryOperator<String> env) {
        String emulator = emulatorEndpoint(env);
        return emulator != null ? emulator + " (" + EMULATOR_HOST + ")" : "https://storage.googleapis.com";
    }

    /**
     * The key file {@code GOOGLE_APPLICATION_CREDENTIALS} names, read here so that a missing or broken
     * file is refused naming the file (the library would fall back to other credentials without a word);
     * null when the variable is unset.
     */
    private static GoogleCredentials credentialsFile(ReplicaStorage.Gcs storage, UnaryOperator<String> env) {
        String name = env.apply(CREDENTIALS_FILE);
        if (name == null || name.isBlank()) return null;
        Path file = Path.of(name);
        try {
            // a key file is a few KiB: a FIFO, a device or a huge file is refused before it is read
            if (!Files.isRegularFile(file) || Files.size(file) > MAX_CREDENTIALS_BYTES) {
                throw new IOException("not a regular file of at most " + MAX_CREDENTIALS_BYTES + " bytes");
            }
            try (InputStream in = new java.io.ByteArrayInputStream(Files.readAllBytes(file))) {
                return GoogleCredentials.fromStream(in);
            }
        } catch (IOException | RuntimeException e) {
            // never the parser's message: it may quote the file, which holds a private key
            String problem = !Files.isRegularFile(file) && Files.exists(file) ? "is not a regular file"
                    : Files.isReadable(file) ? "is not a Google credentials JSON file of at most " + MAX_CREDENTIALS_BYTES
                            + " bytes (" + e.getClass().getSimpleName() + ")"
                    : "cannot be read";
            throw new KeelException(ErrorCode.BAD_INPUT, "the credentials file " + file + " named by " + CREDENTIALS_FILE + " "
                    + problem, storage.describe(), "point " + CREDENTIALS_FILE + " at a service account key file "
                    + "(IAM > Service accounts > Keys > JSON), or unset it to use the platform's credentials");
        }
    }

    private static int millis(Duration d) {
        return (int) Math.min(Integer.MAX_VALUE, d.toMillis());
    }
}
