package dev.keel.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The proxy's latency mode costs one round trip per connection and one per exchange, and nothing more. */
@Timeout(30)
class FaultProxyTest {
    @Test
    void latencyCostsARoundTripPerConnectionAndPerExchange() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
             FaultProxy proxy = new FaultProxy(echo.getLocalPort())) {
            Thread server = new Thread(() -> answerLines(echo), "echo");
            server.setDaemon(true);
            server.start();

            Duration fast = exchanges(proxy.port(), 3);
            proxy.latency(Duration.ofMillis(200));
            Duration slow = exchanges(proxy.port(), 3);
            // lower bounds only: a loaded machine makes everything slower, never the injected latency shorter
            assertThat(slow).isGreaterThanOrEqualTo(Duration.ofMillis(780)).isGreaterThan(fast);
        }
    }

    /** Connects, sends {@code count} lines one after the other, each answered before the next; returns the time taken. */
    private static Duration exchanges(int port, int count) throws IOException {
        long start = System.nanoTime();
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port);
             BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
             PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
            for (int i = 0; i < count; i++) {
                out.println("ping " + i);
                assertThat(in.readLine()).isEqualTo("pong " + i);
            }
        }
        return Duration.ofNanos(System.nanoTime() - start);
    }

    private static void answerLines(ServerSocket server) {
        while (!server.isClosed()) {
            try (Socket s = server.accept();
                 BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.UTF_8));
                 PrintWriter out = new PrintWriter(s.getOutputStream(), true, StandardCharsets.UTF_8)) {
                String line;
                while ((line = in.readLine()) != null) out.println(line.replace("ping", "pong"));
            } catch (IOException closed) {
                // the test ended
            }
        }
    }
}
