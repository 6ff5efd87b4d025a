package dev.keel.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.keel.replication.api.Position;
import dev.keel.replication.api.ReplicaLayout;
import java.time.Instant;
import java.util.List;

/**
 * The status page's data: one page of databases after filtering and sorting, the counts per state over
 * all of them, and the totals. Jackson writes it, so every string (a database path may hold anything)
 * arrives in the browser as a JSON string that the page inserts as text.
 */
final class StatusJson {
    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusJson() {
    }

    static byte[] render(List<DatabaseView> all, StatusQuery q, long readyWithinSeconds) throws java.io.IOException {
        ObjectNode root = JSON.createObjectNode();
        ObjectNode counts = root.putObject("counts");
        for (DatabaseView.State s : DatabaseView.State.values()) counts.put(s.label(), 0);
        for (DatabaseView db : all) counts.put(db.state().label(), counts.get(db.state().label()).asInt() + 1);
        List<DatabaseView> matched = all.stream().filter(q::matches).toList();
        List<DatabaseView> page = firstInOrder(matched, q);
        root.put("total", all.size());
        root.put("offset", q.offset());
        root.put("limit", q.limit());
        root.put("readyWithinSeconds", readyWithinSeconds);
        root.put("now", Instant.now().toString());
        ArrayNode out = root.putArray("databases");
        int total = matched.size();
        root.put("matched", total);
        for (int i = q.offset(); i < page.size(); i++) database(out.addObject(), page.get(i));
        return JSON.writeValueAsBytes(root);
    }

    /**
     * The first offset + limit databases in the query's order: a bounded heap instead of sorting all of
     * them, since a person looks at the first pages of 10,000.
     */
    static List<DatabaseView> firstInOrder(List<DatabaseView> matched, StatusQuery q) {
        long keep = Math.min(matched.size(), (long) q.offset() + q.limit());
        if (keep >= matched.size()) return matched.stream().sorted(q.order()).toList();
        java.util.Comparator<DatabaseView> order = q.order();
        java.util.PriorityQueue<DatabaseView> heap = new java.util.PriorityQueue<>(order.reversed());
        for (DatabaseView db : matched) {
            if (heap.size() < keep) {
                heap.add(db);
            } else if (order.compare(db, heap.peek()) < 0) {
                heap.poll();
                heap.add(db);
            }
        }
        return heap.stream().sorted(order).toList();
    }

    private static void database(ObjectNode o, DatabaseView db) {
        o.put("db", db.name());
        o.put("state", db.state().label());
        position(o, db.position());
        o.put("generationReason", db.generationReason());
        o.put("error", db.error());
        o.put("hint", db.hint());
        o.put("lagSeconds", round(db.maxLagSeconds()));
        ArrayNode rs = o.putArray("replicas");
        for (DatabaseView.Replica r : db.replicas()) {
            ObjectNode ro = rs.addObject();
            ro.put("name", r.name());
            ro.put("type", r.type());
            ro.put("location", r.location());
            position(ro, r.position());
            ro.put("lagSeconds", round(r.lagSeconds()));
            ro.put("lagBytes", r.lagBytes());
            ro.put("lastUpload", r.lastUpload() == null ? null : r.lastUpload().toString());
            ro.put("failing", r.failing());
            ro.put("error", r.error());
            ro.put("hint", r.hint());
            ro.put("lastError", r.lastError());
            ro.put("lastErrorAt", r.lastErrorAt() == null ? null : r.lastErrorAt().toString());
        }
    }

    private static void position(ObjectNode o, Position p) {
        o.put("generation", p == null ? null : p.generation().toString());
        o.put("position", p == null ? null : ReplicaLayout.hex(p.index()) + "/" + String.format("%08x", p.offset()));
    }

    private static double round(double seconds) {
        return Math.round(seconds * 1000) / 1000.0;
    }
}
