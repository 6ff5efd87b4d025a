package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.KeelException;
import dev.keel.replication.file.FileReplicaClient;
import dev.keel.replication.spi.Payload;
import dev.keel.testing.FaultyReplicaClient.Operation;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The fault injector does what it promises, around a real directory replica. */
class FaultyReplicaClientTest {
    @TempDir
    Path root;

    private FaultyReplicaClient faulty() {
        return new FaultyReplicaClient(new FileReplicaClient(root));
    }

    @Test
    void failsTheNextCallsOfTheChosenKindThenRecovers() throws IOException {
        FaultyReplicaClient client = faulty().failNext(2, Operation.PUT);
        client.list("");
        assertThatThrownBy(() -> client.write("a", Payload.of(new byte[] {1}))).isInstanceOf(IOException.class)
                .hasMessageContaining("injected");
        assertThatThrownBy(() -> client.write("a", Payload.of(new byte[] {1}))).isInstanceOf(IOException.class);
        client.write("a", Payload.of(new byte[] {1}));
        assertThat(ReplicaClientContract.keys(client.list(""))).containsExactly("a");
        assertThat(client.calls(Operation.PUT)).isEqualTo(3);
        assertThat(client.calls(Operation.LIST)).isEqualTo(2);
    }

    @Test
    void offlineFailsEverythingUntilHealed() throws IOException {
        FaultyReplicaClient client = faulty();
        client.write("a", Payload.of(new byte[] {1}));
        client.offline(true);
        assertThatThrownBy(() -> client.open("a")).isInstanceOf(IOException.class);
        assertThatThrownBy(() -> client.delete(List.of("a"))).isInstanceOf(IOException.class);
        assertThatThrownBy(client::verify).isInstanceOf(KeelException.class);
        client.heal();
        assertThat(ReplicaClientContract.readAll(client.open("a"))).containsExactly(1);
        assertThat(client.calls(Operation.GET)).isEqualTo(2);
        assertThat(client.calls(Operation.DELETE)).isEqualTo(1);
    }

    @Test
    void hangDelaysTheCall() throws IOException {
        FaultyReplicaClient client = faulty().hangNext(1, Duration.ofMillis(300));
        long start = System.nanoTime();
        client.list("");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        start = System.nanoTime();
        client.list("");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(300));
    }

    @Test
    void corruptReadsFlipTheFirstByte() throws IOException {
        FaultyReplicaClient client = faulty();
        client.write("a", Payload.of(new byte[] {1, 2, 3}));
        client.corruptReads(true);
        assertThat(ReplicaClientContract.readAll(client.open("a"))).containsExactly(~1, 2, 3);
        assertThat(ReplicaClientContract.readAll(client.openRange("a", 1, 2))).containsExactly(~2, 3);
        client.corruptReads(false);
        assertThat(ReplicaClientContract.readAll(client.open("a"))).containsExactly(1, 2, 3);
    }
}
