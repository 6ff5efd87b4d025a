package dev.keel.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A TCP proxy on 127.0.0.1 in front of a real server, to make the server misbehave the way real ones
 * do: answer HTTP requests with 503, accept connections and never answer (a hung server), or answer
 * slowly, or sit behind a link with a round-trip time. Changing the behaviour drops open connections,
 * so the next request meets it.
 */
public final class FaultProxy implements AutoCloseable {
    /** How the proxy treats connections. */
    public enum Mode { PASS, HTTP_503, HANG, SLOW, LATENCY, REFUSE_WRITES }

    private final int targetPort;
    private final ServerSocket server;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private final AtomicInteger errorsLeft = new AtomicInteger();
    private final AtomicInteger errorsSent = new AtomicInteger();
    private volatile Mode mode = Mode.PASS;
    private volatile Duration delay = Duration.ZERO;
    private final List<Request> hungRequests = new CopyOnWriteArrayList<>();

    /** A request that reached the proxy while it hung: when its head had arrived, and its request line. */
    public record Request(Instant at, String line) {
    }

    /** Starts a proxy to {@code 127.0.0.1:targetPort} on a free port. */
    public FaultProxy(int targetPort) throws IOException {
        this.targetPort = targetPort;
        this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::acceptLoop, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    public int port() {
        return server.getLocalPort();
    }

    /** http://127.0.0.1:PORT of the proxy. */
    public String httpEndpoint() {
        return "http://127.0.0.1:" + port();
    }

    /** Forwards everything unchanged. */
    public FaultProxy pass() {
        return switchTo(Mode.PASS);
    }

    /** Answers the next {@code count} HTTP requests with 503 SlowDown, then forwards again. */
    public FaultProxy http503(int count) {
        errorsLeft.set(count);
        return switchTo(Mode.HTTP_503);
    }

    /**
     * Accepts connections and reads requests but never answers (a network partition as the client sees it).
     * Each connection's first request is kept, see {@link #requestsWhileHung()}.
     */
    public FaultProxy hang() {
        return switchTo(Mode.HANG);
    }

    /** Forwards, waiting {@code perChunk} before passing on each chunk the server sends. */
    public FaultProxy slow(Duration perChunk) {
        delay = perChunk;
        return switchTo(Mode.SLOW);
    }

    /**
     * Forwards as over a link with round-trip time {@code rtt} and no bandwidth limit: a new connection
     * takes one round trip, and each turn of the conversation (a request after an answer, an answer
     * after a request) waits half a round trip before its first bytes pass.
     */
    public FaultProxy latency(Duration rtt) {
        delay = rtt;
        return switchTo(Mode.LATENCY);
    }

    /**
     * Answers every HTTP request that would change something (PUT, POST, DELETE) with 403
     * AccessDenied, as a server does for read-only credentials, and forwards the others one per
     * connection (so that each request meets the check).
     */
    public FaultProxy refuseWrites() {
        return switchTo(Mode.REFUSE_WRITES);
    }

    /**
     * The requests that reached the proxy while it hung, in order: what a client tried to send during a
     * partition (one per connection; a client waits for an answer before it sends a second).
     */
    public List<Request> requestsWhileHung() {
        return List.copyOf(hungRequests);
    }

    /** 503 and 403 answers sent so far. */
    public int errorsSent() {
        return errorsSent.get();
    }

    private FaultProxy switchTo(Mode next) {
        mode = next;
        for (Socket s : open) closeQuietly(s);
        return this;
    }

    private void acceptLoop() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                open.add(client);
                Mode now = mode;
                Thread t = new Thread(() -> handle(client, now), "fault-proxy-" + now);
                t.setDaemon(true);
                t.start();
            } catch (IOException closed) {
                return;
            }
        }
    }

    private void handle(Socket client, Mode now) {
        try {
            switch (now) {
                case PASS, SLOW, LATENCY -> forward(client, now, new byte[0]);
                case HANG -> hang(client);
                case HTTP_503 -> answer503(client);
                case REFUSE_WRITES -> refuseWrite(client);
            }
        } catch (IOException ignored) {
            // the client or the proxy closed the connection
        } finally {
            open.remove(client);
            closeQuietly(client);
        }
    }

    private void hang(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        String head = readHead(in);
        if (head == null) return;
        hungRequests.add(new Request(Instant.now(), head.substring(0, head.indexOf("\r\n"))));
        in.transferTo(OutputStream.nullOutputStream());
    }

    private void answer503(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        String head = readHead(in);
        if (head == null) return;
        if (errorsLeft.getAndDecrement() <= 0) {
            mode = Mode.PASS;
            forward(client, Mode.PASS, head.getBytes(StandardCharsets.US_ASCII));
            return;
        }
        answerError(client, head, "503 Slow Down", "SlowDown", "Please reduce your request rate.");
    }

    private void refuseWrite(Socket client) throws IOException {
        InputStream in = client.getInputStream();
        String head = readHead(in);
        if (head == null) return;
        String method = head.substring(0, Math.max(0, head.indexOf(' ')));
        if (!method.equals("PUT") && !method.equals("POST") && !method.equals("DELETE")) {
            // one request per connection: the server closes after answering, the client reconnects
            String oneShot = head.replaceAll("(?im)^connection:.*\r\n", "").replaceFirst("\r\n\r\n$", "\r\nConnection: close\r\n\r\n");
            forward(client, Mode.PASS, oneShot.getBytes(StandardCharsets.US_ASCII));
            return;
        }
        answerError(client, head, "403 Forbidden", "AccessDenied", "Access Denied");
    }

    /** Skips the request's body (unless the client waits for 100-continue) and answers with an S3-style error. */
    private void answerError(Socket client, String head, String status, String code, String message) throws IOException {
        String lower = head.toLowerCase(Locale.ROOT);
        if (!lower.contains("expect: 100-continue")) client.getInputStream().skipNBytes(contentLength(lower));
        String body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" + message
                + "</Message></Error>";
        errorsSent.incrementAndGet(); // counted before the client can see the answer
        OutputStream out = client.getOutputStream();
        out.write(("HTTP/1.1 " + status + "\r\nContent-Type: application/xml\r\nContent-Length: " + body.length()
                + "\r\nConnection: close\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        int b;
        while ((b = in.read()) >= 0) {
            head.write(b);
            matched = (b == "\r\n\r\n".charAt(matched)) ? matched + 1 : (b == '\r' ? 1 : 0);
            if (matched == 4) return head.toString(StandardCharsets.US_ASCII);
        }
        return null;
    }

    private static long contentLength(String head) {
        for (String line : head.split("\r\n")) {
            if (line.startsWith("content-length:")) return Long.parseLong(line.substring(15).trim());
        }
        return 0;
    }

    /** Connects to the server, sends {@code prefix} (bytes already read from the client), then pumps both ways. */
    private void forward(Socket client, Mode how, byte[] prefix) throws IOException {
        try (Socket upstream = new Socket(InetAddress.getLoopbackAddress(), targetPort)) {
            open.add(upstream);
            // Pass each chunk on at once: with Nagle's algorithm a relayed answer can wait for a delayed ACK.
            client.setTcpNoDelay(true);
            upstream.setTcpNoDelay(true);
            if (how == Mode.LATENCY) sleep(delay.toMillis()); // the connection's handshake
            upstream.getOutputStream().write(prefix);
            AtomicReference<Socket> lastSender = new AtomicReference<>();
            Thread up = new Thread(() -> pump(client, upstream, how == Mode.LATENCY ? lastSender : null, false), "fault-proxy-up");
            up.setDaemon(true);
            up.start();
            pump(upstream, client, how == Mode.LATENCY ? lastSender : null, how == Mode.SLOW);
        } finally {
            closeQuietly(client);
        }
    }

    /** {@code turns}: the side that sent last on this connection, when each turn waits half a round trip. */
    private void pump(Socket from, Socket to, AtomicReference<Socket> turns, boolean slow) {
        byte[] buf = new byte[16 * 1024];
        try {
            InputStream in = from.getInputStream();
            OutputStream out = to.getOutputStream();
            int n;
            while ((n = in.read(buf)) >= 0) {
                if (slow && !delay.isZero()) Thread.sleep(delay.toMillis());
                if (turns != null && turns.getAndSet(from) != from) Thread.sleep(delay.toMillis() / 2);
                out.write(buf, 0, n);
                out.flush();
            }
        } catch (IOException | InterruptedException ignored) {
            // one side closed
        } finally {
            open.remove(from);
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        server.close();
        for (Socket s : open) closeQuietly(s);
    }
}
