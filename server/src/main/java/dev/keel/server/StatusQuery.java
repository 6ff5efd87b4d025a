package dev.keel.server;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request of the status page's JSON: filter by name and state, sort, and one page of the result.
 * Parsed from the query string with every value bounded; a bad value is an {@link IllegalArgumentException}
 * whose message the server returns with status 400.
 *
 * @param name   case-insensitive part of the database path ("" for all)
 * @param state  one state's label, "problems" for every state but ok, or "all"
 * @param sort   state (worst first), name, lag, lag_bytes or last_upload
 * @param desc   reverses the order
 */
record StatusQuery(String name, String state, String sort, boolean desc, int offset, int limit) {
    static final int MAX_LIMIT = 500;
    static final int MAX_NAME = 256;
    static final int MAX_QUERY = 2048;
    private static final List<String> SORTS = List.of("state", "name", "lag", "lag_bytes", "last_upload");

    static StatusQuery parse(String rawQuery) {
        Map<String, String> p = new HashMap<>();
        if (rawQuery != null) {
            if (rawQuery.length() > MAX_QUERY) throw new IllegalArgumentException("the query string is longer than " + MAX_QUERY);
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) continue;
                int eq = pair.indexOf('=');
                String k = decode(eq < 0 ? pair : pair.substring(0, eq));
                p.put(k, eq < 0 ? "" : decode(pair.substring(eq + 1)));
            }
        }
        String name = p.getOrDefault("q", "");
        if (name.length() > MAX_NAME) throw new IllegalArgumentException("q is longer than " + MAX_NAME + " characters");
        String state = p.getOrDefault("state", "all").toLowerCase(Locale.ROOT);
        boolean known = state.equals("all") || state.equals("problems");
        for (DatabaseView.State s : DatabaseView.State.values()) known |= s.label().equals(state);
        if (!known) throw new IllegalArgumentException("state must be all, problems, failing, waiting, lagging, parked or ok");
        String sort = p.getOrDefault("sort", "state");
        if (!SORTS.contains(sort)) throw new IllegalArgumentException("sort must be one of " + String.join(", ", SORTS));
        String order = p.getOrDefault("order", "asc");
        if (!order.equals("asc") && !order.equals("desc")) throw new IllegalArgumentException("order must be asc or desc");
        int offset = number(p, "offset", 0, Integer.MAX_VALUE, 0);
        int limit = number(p, "limit", 1, MAX_LIMIT, 50);
        return new StatusQuery(name, state, sort, order.equals("desc"), offset, limit);
    }

    private static String decode(String s) {
        return URLDecoder.decode(s, StandardCharsets.UTF_8);
    }

    private static int number(Map<String, String> p, String key, int min, int max, int fallback) {
        String v = p.get(key);
        if (v == null || v.isEmpty()) return fallback;
        if (!v.matches("[0-9]{1,10}")) throw new IllegalArgumentException(key + " must be a number");
        long n = Long.parseLong(v);
        if (n < min || n > max) throw new IllegalArgumentException(key + " must be from " + min + " to " + max);
        return (int) n;
    }

    boolean matches(DatabaseView db) {
        if (!name.isEmpty() && !db.name().toLowerCase(Locale.ROOT).contains(name.toLowerCase(Locale.ROOT))) return false;
        return switch (state) {
            case "all" -> true;
            case "problems" -> db.state() != DatabaseView.State.OK && db.state() != DatabaseView.State.PARKED;
            default -> db.state().label().equals(state);
        };
    }

    Comparator<DatabaseView> order() {
        Comparator<DatabaseView> c = switch (sort) {
            case "name" -> Comparator.comparing(DatabaseView::name);
            case "lag" -> Comparator.comparingDouble(DatabaseView::maxLagSeconds).reversed().thenComparing(DatabaseView::name);
            case "lag_bytes" -> Comparator.comparingLong(DatabaseView::maxLagBytes).reversed().thenComparing(DatabaseView::name);
            case "last_upload" -> Comparator.comparingLong(StatusQuery::oldestUpload).thenComparing(DatabaseView::name);
            default -> MetricsCollector.WORST_FIRST;
        };
        return desc ? c.reversed() : c;
    }

    /** The replica upload longest ago (never counts as oldest). */
    private static long oldestUpload(DatabaseView db) {
        long oldest = Long.MAX_VALUE;
        for (DatabaseView.Replica r : db.replicas()) {
            oldest = Math.min(oldest, r.lastUpload() == null ? Long.MIN_VALUE : r.lastUpload().toEpochMilli());
        }
        return oldest;
    }
}
