package dev.keel.replication.restore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.replication.api.Generation;
import dev.keel.replication.api.ReplicaLayout;
import dev.keel.replication.file.FileReplicaClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which generation a restore picks when a generation change falls within one second of the storage's
 * timestamps (S3 LastModified has one-second resolution): an older generation that finished uploading
 * its tail in the same second as the next generation's first objects must not win.
 */
class GenerationChoiceTest {
    /** Sorts before {@link #NEW}, so a choice by name order picks the wrong one. */
    static final Generation OLD = new Generation("0000000000000001");
    static final Generation NEW = new Generation("ffffffffffffff01");
    static final Instant STARTED = Instant.parse("2024-03-01T10:00:00Z");
    static final Instant CHANGED = Instant.parse("2024-03-01T11:00:07Z");

    @TempDir
    Path dir;

    @Test
    void latestPrefersTheGenerationCreatedLaterWhenBothEndInTheSameSecond() throws Exception {
        Path replica = replicaWithGenerationChange();
        List<String> newRows = TestReplica.rows(dir.resolve("new/source.db"));

        ReplicaCatalog catalog = ReplicaCatalog.load(new FileReplicaClient(replica));
        assertThat(catalog.info(OLD).updatedAt()).isEqualTo(catalog.info(NEW).updatedAt());
        assertThat(catalog.latestGeneration().orElseThrow().generation()).isEqualTo(NEW);

        Path out = dir.resolve("latest.db");
        RestoreResult result = Restorer.restore(new FileReplicaClient(replica), RestoreOptions.to(out));
        assertThat(result.generation()).isEqualTo(NEW);
        assertThat(TestReplica.rows(out)).isEqualTo(newRows);
    }

    @Test
    void aTimestampInTheSecondOfTheChangeUsesTheNewGeneration() throws Exception {
        Path replica = replicaWithGenerationChange();
        Path out = dir.resolve("at.db");
        RestoreResult result = Restorer.restore(new FileReplicaClient(replica),
                RestoreOptions.to(out).withTarget(RestoreTarget.timestamp(CHANGED)));
        assertThat(result.generation()).isEqualTo(NEW);
        assertThat(TestReplica.rows(out)).isEqualTo(TestReplica.rows(dir.resolve("new/source.db")));

        Path before = dir.resolve("before.db");
        RestoreResult earlier = Restorer.restore(new FileReplicaClient(replica),
                RestoreOptions.to(before).withTarget(RestoreTarget.timestamp(CHANGED.minusSeconds(1))));
        assertThat(earlier.generation()).isEqualTo(OLD);
    }

    @Test
    void generationsWhoseTimeSpansOverlapAreRefusedNamingBoth() throws Exception {
        Path replica = replicaWithGenerationChange();
        // Here each generation has objects at both times (a snapshot upload retried, a touched file):
        // file times cannot order them, and name order must not decide.
        try (Stream<Path> files = Files.walk(replica)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                boolean snapshot = f.getFileName().toString().endsWith(".snapshot.lz4");
                boolean named = f.toString().contains(OLD.id());
                Instant t = named == snapshot ? CHANGED : STARTED;
                Files.setLastModifiedTime(f, FileTime.from(t));
            }
        }
        ReplicaCatalog catalog = ReplicaCatalog.load(new FileReplicaClient(replica));
        for (RestoreTarget target : List.of(RestoreTarget.latest(), RestoreTarget.timestamp(CHANGED))) {
            assertThatThrownBy(() -> RestorePlanner.chooseGeneration(catalog, null, target))
                    .isInstanceOfSatisfying(KeelException.class, e -> {
                        assertThat(e.code()).isEqualTo(ErrorCode.BAD_INPUT);
                        assertThat(e.getMessage()).contains(OLD.id()).contains(NEW.id()).contains("overlap");
                        assertThat(e.hint()).contains("-generation");
                    });
        }
        Path out = dir.resolve("chosen.db");
        Restorer.restore(new FileReplicaClient(replica), RestoreOptions.to(out).withGeneration(NEW));
        assertThat(TestReplica.rows(out)).isEqualTo(TestReplica.rows(dir.resolve("new/source.db")));
    }

    /**
     * A replica holding OLD (snapshot at {@link #STARTED}, WAL up to {@link #CHANGED}) and NEW (all of
     * its objects at {@link #CHANGED}, the same second), each with different rows.
     */
    private Path replicaWithGenerationChange() throws Exception {
        Path replica = dir.resolve("old/replica");
        try (TestReplica old = new TestReplica(Files.createDirectories(dir.resolve("old")), OLD);
             TestReplica next = new TestReplica(Files.createDirectories(dir.resolve("new")), NEW)) {
            old.insert(20, 100);
            old.insert(5, 100);
            next.insert(23, 100);
            next.insert(3, 100);
            assertThat(old.rows()).isNotEqualTo(next.rows());
            Path from = next.root.resolve(ReplicaLayout.GENERATIONS).resolve(NEW.id());
            Path to = replica.resolve(ReplicaLayout.GENERATIONS).resolve(NEW.id());
            try (Stream<Path> files = Files.walk(from)) {
                for (Path f : files.toList()) {
                    Path target = to.resolve(from.relativize(f).toString());
                    if (Files.isDirectory(f)) Files.createDirectories(target);
                    else Files.copy(f, target, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        }
        try (Stream<Path> files = Files.walk(replica)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                boolean oldSnapshot = f.toString().contains(OLD.id()) && f.getFileName().toString().endsWith(".snapshot.lz4");
                Files.setLastModifiedTime(f, FileTime.from(oldSnapshot ? STARTED : CHANGED));
            }
        }
        return replica;
    }
}
