package dev.keel.cli.config;

import dev.keel.core.KeelException;
import dev.keel.replication.ops.Heartbeat;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Set;

/**
 * The top-level {@code heartbeat-url} and {@code heartbeat-interval} keys (Litestream 0.5's): checked
 * here as the library checks them, so a bad value is an error naming the file and line. The URL's
 * password is a secret of the file (hidden in everything shown).
 */
final class HeartbeatSection {
    static final String URL = "heartbeat-url";
    static final String INTERVAL = "heartbeat-interval";

    private HeartbeatSection() {
    }

    /** The heartbeat the file asks for, or null when it has no {@code heartbeat-url}. */
    static KeelConfig.Heartbeat read(YamlMap top, Set<String> secrets) {
        String text = top.string(URL).filter(s -> !s.isEmpty()).orElse(null);
        Duration interval = top.duration(INTERVAL).orElse(null);
        if (text == null) {
            if (interval != null) {
                throw top.error(INTERVAL, INTERVAL + " is set but " + URL + " is not", "add " + URL + ": with the URL to ping, or remove " + INTERVAL);
            }
            return null;
        }
        URI url;
        try {
            url = new URI(text);
        } catch (URISyntaxException e) {
            throw top.error(URL, URL + " is not a URL: " + e.getReason(), "give the URL your monitoring service pings, e.g. https://hc-ping.com/<uuid>");
        }
        String userInfo = url.getRawUserInfo();
        if (userInfo != null && userInfo.indexOf(':') >= 0) {
            String password = userInfo.substring(userInfo.indexOf(':') + 1);
            ConfigSecrets.add(secrets, password);
            ConfigSecrets.add(secrets, java.net.URLDecoder.decode(password, StandardCharsets.UTF_8));
        }
        try {
            Heartbeat checked = Heartbeat.to(url);
            if (interval != null) checked = checked.every(interval);
            return new KeelConfig.Heartbeat(url, checked.interval());
        } catch (KeelException e) {
            throw top.error(e.getMessage().contains("interval") ? INTERVAL : URL, e.getMessage(), e.hint());
        }
    }
}
