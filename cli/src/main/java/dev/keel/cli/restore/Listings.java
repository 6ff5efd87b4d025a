package dev.keel.cli.restore;

import dev.keel.replication.restore.ReplicaCatalog;
import dev.keel.replication.restore.ReplicaChoice;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.Map;

/** Helpers the listing commands share: one catalog per replica, and Litestream's time formats. */
final class Listings {
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ssXXX");

    private Listings() {
    }

    /** Lists every replica once; a replica that cannot be listed fails the command, naming it. */
    static Map<String, ReplicaCatalog> catalogs(ReplicaSources sources) {
        Map<String, ReplicaCatalog> out = new LinkedHashMap<>();
        for (ReplicaChoice.Candidate r : sources.replicas()) out.put(r.name(), ReplicaChoice.catalog(r.client()));
        return out;
    }

    /** Go's {@code time.RFC3339} in the local zone, as Litestream prints object times. */
    static String time(Instant t) {
        return t == null ? "-" : RFC3339.format(t.atZone(ZoneId.systemDefault()));
    }

    /** Litestream's {@code truncateDuration}: fewer digits the longer the duration. */
    static Duration truncate(Duration d) {
        Duration abs = d.abs();
        ChronoUnit unit;
        if (abs.compareTo(Duration.ofSeconds(10)) > 0) unit = ChronoUnit.SECONDS;
        else if (abs.compareTo(Duration.ofSeconds(1)) > 0) return Duration.ofMillis(d.toMillis() / 100 * 100);
        else if (abs.compareTo(Duration.ofMillis(1)) > 0) unit = ChronoUnit.MILLIS;
        else if (abs.compareTo(Duration.ofNanos(1000)) > 0) unit = ChronoUnit.MICROS;
        else return d;
        return d.truncatedTo(unit);
    }
}
