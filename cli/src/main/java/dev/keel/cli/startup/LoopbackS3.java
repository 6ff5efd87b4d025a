package dev.keel.cli.startup;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;

/**
 * A stand-in S3 endpoint on 127.0.0.1 for the start-up training: serves a directory as the bucket
 * {@code training} (listings, GETs and ranged GETs, no authentication), so that the S3 backend's
 * request path (signing, HTTP, XML) is exercised and archived without any traffic leaving the machine.
 */
final class LoopbackS3 implements AutoCloseable {
    static final String BUCKET = "training";
    private final Path root;
    private final ServerSocket server;

    /** Serves the files under {@code root} as objects named by their relative paths. */
    LoopbackS3(Path root) throws IOException {
        this.root = root;
        server = new ServerSocket(0, 16, InetAddress.getByName("127.0.0.1"));
        Thread acceptor = new Thread(this::serve, "keel-training-s3");
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

    private void answer(Socket s) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(s.getInputStream(), StandardCharsets.ISO_8859_1));
        String requestLine = in.readLine();
        String range = null;
        String line;
        while ((line = in.readLine()) != null && !line.isEmpty()) {
            if (line.regionMatches(true, 0, "Range:", 0, 6)) range = line.substring(6).trim();
        }
        if (requestLine == null) return;
        String[] parts = requestLine.split(" ");
        String target = parts.length > 1 ? parts[1] : "/";
        int query = target.indexOf('?');
        String path = URLDecoder.decode(query < 0 ? target : target.substring(0, query), StandardCharsets.UTF_8);
        String key = path.startsWith("/" + BUCKET + "/") ? path.substring(BUCKET.length() + 2) : "";
        byte[] body;
        String status = "200 OK";
        if (key.isEmpty()) {
            body = listing(query < 0 ? "" : prefix(target.substring(query + 1))).getBytes(StandardCharsets.UTF_8);
        } else if (Files.isRegularFile(root.resolve(key))) {
            body = Files.readAllBytes(root.resolve(key));
            if (range != null && range.startsWith("bytes=")) {
                String[] bounds = range.substring(6).split("-", -1);
                int from = Math.min(Integer.parseInt(bounds[0]), body.length);
                int to = bounds[1].isEmpty() ? body.length - 1 : Math.min(Integer.parseInt(bounds[1]), body.length - 1);
                body = java.util.Arrays.copyOfRange(body, from, Math.max(from, to + 1));
                status = "206 Partial Content";
            }
        } else {
            body = "<Error><Code>NoSuchKey</Code></Error>".getBytes(StandardCharsets.UTF_8);
            status = "404 Not Found";
        }
        boolean head = parts[0].equals("HEAD");
        String headers = "HTTP/1.1 " + status + "\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n";
        OutputStream out = s.getOutputStream();
        out.write(headers.getBytes(StandardCharsets.ISO_8859_1));
        if (!head) out.write(body);
        out.flush();
    }

    private static String prefix(String query) {
        for (String parameter : query.split("&")) {
            if (parameter.startsWith("prefix=")) return URLDecoder.decode(parameter.substring(7), StandardCharsets.UTF_8);
        }
        return "";
    }

    /** A ListObjectsV2 answer with every file whose key starts with {@code prefix}, on one page. */
    private String listing(String prefix) throws IOException {
        StringBuilder xml = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
                + "<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>" + BUCKET + "</Name>");
        List<Path> files;
        try (Stream<Path> walk = Files.walk(root)) {
            files = walk.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path file : files) {
            String key = root.relativize(file).toString().replace('\\', '/');
            if (!key.startsWith(prefix)) continue;
            xml.append("<Contents><Key>").append(key).append("</Key><LastModified>")
                    .append(Instant.ofEpochMilli(Files.getLastModifiedTime(file).toMillis()))
                    .append("</LastModified><Size>").append(Files.size(file)).append("</Size></Contents>");
        }
        return xml.append("<IsTruncated>false</IsTruncated></ListBucketResult>").toString();
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
