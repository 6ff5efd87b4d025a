package dev.keel.cli.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A stand-in S3 endpoint on 127.0.0.1 for the start-up training: answers every request with an empty
 * bucket listing, so that the AWS SDK's request path (signing, HTTP, XML) is exercised and archived
 * without any traffic leaving the machine.
 */
final class LoopbackS3 implements AutoCloseable {
    private static final String EMPTY_LISTING = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>training</Name>"
            + "<KeyCount>0</KeyCount><MaxKeys>1000</MaxKeys><IsTruncated>false</IsTruncated></ListBucketResult>";
    private final ServerSocket server;
    private final Thread acceptor;

    LoopbackS3() throws IOException {
        server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
        acceptor = new Thread(this::serve, "keel-training-s3");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String endpoint() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void serve() {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                answer(s);
            } catch (IOException e) {
                // closed, or a client gave up: the training only needs the client side's classes
            }
        }
    }

    private static void answer(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            // headers: nothing to read from them
        }
        byte[] body = EMPTY_LISTING.getBytes(StandardCharsets.UTF_8);
        boolean head = requestLine != null && requestLine.startsWith("HEAD ");
        String headers = "HTTP/1.1 200 OK\r\nContent-Type: application/xml\r\nContent-Length: " + body.length
                + "\r\nConnection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) out.write(body);
        out.flush();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
