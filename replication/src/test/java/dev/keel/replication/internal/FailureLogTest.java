package dev.keel.replication.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailureLogTest {
    private static final long SECOND = 1_000_000_000L;

    private static IOException uploadFailed(String key) {
        return new IOException("PUT " + key + " failed", new ConnectException("Connection refused"));
    }

    @Test
    void theSameKindOfFailureWithChangingMessagesIsLoggedOnceThenAsAPeriodicReminderWithACount() {
        FailureLog log = new FailureLog(Duration.ofMinutes(5));
        List<String> lines = new ArrayList<>();
        // a 60 s outage at a 100 ms interval, a new snapshot key in every message
        for (int i = 0; i < 600; i++) {
            String line = log.failed(uploadFailed("generations/g/snapshots/" + i + ".snapshot.lz4"), i * SECOND / 10);
            if (line != null) lines.add(line);
        }
        assertThat(lines).hasSize(1);
        assertThat(lines.get(0)).startsWith("failed, will retry: PUT generations/g/snapshots/0.snapshot.lz4 failed");

        // it goes on past five minutes: one reminder with the count
        for (int i = 600; i < 3100; i++) {
            String line = log.failed(uploadFailed("k" + i), i * SECOND / 10);
            if (line != null) lines.add(line);
        }
        assertThat(lines).hasSize(2);
        assertThat(lines.get(1)).startsWith("still failing (3000 more failures in the last 5 min, 3001 since 5 min ago)");

        assertThat(log.succeeded(3100 * SECOND / 10)).isEqualTo("works again after 3100 failures in 5 min");
        assertThat(log.succeeded(3101 * SECOND / 10)).isNull();
        assertThat(log.failed(uploadFailed("again"), 3200 * SECOND / 10)).startsWith("failed, will retry");
    }

    @Test
    void aDifferentKindOfFailureIsLoggedAtOnce() {
        FailureLog log = new FailureLog(Duration.ofMinutes(5));
        assertThat(log.failed(uploadFailed("a"), 0)).isNotNull();
        assertThat(log.failed(uploadFailed("b"), SECOND)).isNull();
        assertThat(log.failed(new IOException("No space left on device"), 2 * SECOND)).isNotNull();
        KeelException auth = new KeelException(ErrorCode.STORAGE_UNAVAILABLE, "access denied", "s3://b", "check the keys");
        assertThat(log.failed(auth, 3 * SECOND)).contains("access denied");
        assertThat(log.failed(auth, 4 * SECOND)).isNull();
        assertThat(log.failed(new KeelException(ErrorCode.IO, "access denied", "s3://b", "x"), 5 * SECOND))
                .as("same class, another error code").isNotNull();
        assertThat(log.succeeded(6 * SECOND)).isEqualTo("works again after 6 failures in 6 s");
    }
}
