package dev.keel.fleet.branch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.replication.api.Generation;
import dev.keel.replication.api.Position;
import java.nio.file.Path;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class SidecarTest {
    private final Path db = Path.of("/branches/t.db");

    @Test
    void whatIsWrittenReadsBackEqualEvenWithAwkwardValues() throws Exception {
        Branch b = new Branch(db, Instant.parse("2030-01-01T00:00:00Z"), Instant.parse("2030-01-04T00:00:00Z"),
                " ann\\n@host\t", "s3://bucket/app?x=1#=:!", new BranchOrigin.Replica("timestamp 2029-12-31T00:00:00Z", 3,
                new Position(new Generation("0123456789abcdef"), 5, 4152)), "/tmp/scrub file.sql", true);
        assertThat(Sidecar.parse(Sidecar.format(b), db)).isEqualTo(b);
        Branch live = new Branch(db, Instant.EPOCH, Instant.EPOCH.plusSeconds(60), "u@h", "/srv/app.db",
                new BranchOrigin.Live(Instant.EPOCH, "wal"), null, false);
        assertThat(Sidecar.parse(Sidecar.format(live), db)).isEqualTo(live);
        assertThat(Sidecar.format(live)).contains("\nexpires=1970-01-01T00:01:00Z\n", "\nsource=/srv/app.db\n");
    }

    @Test
    void defectsAreNamed() {
        assertThatThrownBy(() -> Sidecar.parse("created=x\n", db)).hasMessageContaining("keel-branch=1");
        assertThatThrownBy(() -> Sidecar.parse("keel-branch=1\ncreated=2030-01-01T00:00:00Z\nexpires=soon\n", db))
                .hasMessageContaining("bad time for expires");
        assertThatThrownBy(() -> Sidecar.parse("keel-branch=1\ncreated=2030-01-01T00:00:00Z\nexpires=2030-01-01T00:00:00Z\n"
                + "source=x\nsource.kind=replica\ntarget=latest\ngeneration=ZZ\n", db)).hasMessageContaining("bad generation");
        assertThatThrownBy(() -> Sidecar.parse("keel-branch=1\ncreated=2030-01-01T00:00:00Z\nexpires=2030-01-01T00:00:00Z\n"
                + "source=x\nsource.kind=tape\n", db)).hasMessageContaining("unknown source.kind");
    }
}
