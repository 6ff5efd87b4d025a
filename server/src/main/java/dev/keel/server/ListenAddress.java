package dev.keel.server;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.net.InetSocketAddress;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the operations server listens, written as Go's {@code net.Listen} takes it (Litestream's
 * {@code addr}): {@code :9090} is every interface (IPv4 and IPv6), {@code 127.0.0.1:9090} or
 * {@code localhost:9090} one address, {@code [::1]:9090} an IPv6 address. Port 0 picks a free port.
 *
 * @param host the host, or null for every interface
 * @param port 0 to 65535
 */
public record ListenAddress(String host, int port) {
    private static final Pattern FORM = Pattern.compile(
            "^((?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,252}[A-Za-z0-9])?)?|\\[[0-9A-Fa-f:.]+(?:%[A-Za-z0-9._-]+)?\\]):([0-9]{1,5})$");
    static final String HINT = "write ':9090' to listen on every interface, or HOST:PORT such as '127.0.0.1:9090' or '[::1]:9090'";

    public ListenAddress {
        if (port < 0 || port > 65535) {
            throw new KeelException(ErrorCode.USAGE, "port " + port + " is out of range", host, "a port is a number from 0 to 65535");
        }
        host = host == null || host.isEmpty() ? null : host;
    }

    /** Reads {@code :9090}, {@code HOST:9090} or {@code [IPv6]:9090}; anything else is a USAGE error naming it. */
    public static ListenAddress parse(String text) {
        String shown = text == null ? "null" : text.length() > 80 ? text.substring(0, 80) + "..." : text;
        Matcher m = text == null ? null : FORM.matcher(text);
        if (m == null || !m.matches()) {
            throw new KeelException(ErrorCode.USAGE, "'" + shown + "' is not an address to listen on", null, HINT);
        }
        int port = Integer.parseInt(m.group(2));
        if (port > 65535) {
            throw new KeelException(ErrorCode.USAGE, "'" + shown + "' has port " + port + ", out of range",
                    null, "a port is a number from 0 to 65535");
        }
        String host = m.group(1);
        if (host.startsWith("[")) host = host.substring(1, host.length() - 1);
        return new ListenAddress(host, port);
    }

    /** The socket address to bind: the wildcard address when no host is given. */
    public InetSocketAddress socketAddress() {
        return host == null ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    @Override
    public String toString() {
        String h = host == null ? "" : host.indexOf(':') >= 0 ? "[" + host + "]" : host;
        return h + ":" + port;
    }
}
