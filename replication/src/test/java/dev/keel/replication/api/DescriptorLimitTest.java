package dev.keel.replication.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DescriptorLimitTest {
    @Test
    void aFleetBeyondTheSoftLimitIsReportedWithWhatItNeedsAndHowToRaiseIt() {
        DescriptorLimit low = new DescriptorLimit(10_000, 1024, 10_000L * DescriptorLimit.PER_DATABASE + DescriptorLimit.BASE);
        assertThat(low.enough()).isFalse();
        assertThat(low.warning()).contains("1024", "10000 databases", Long.toString(low.needed()), "LimitNOFILE", "ulimit -n");
        assertThat(new DescriptorLimit(10, 1024, 124).enough()).isTrue();
        assertThat(new DescriptorLimit(10, -1, 124).enough()).as("unknown limit").isTrue();
    }

    @Test
    void thisProcessReportsItsOwnLimit() {
        DescriptorLimit limit = DescriptorLimit.forDatabases(3);
        assertThat(limit.needed()).isEqualTo(3L * DescriptorLimit.PER_DATABASE + DescriptorLimit.BASE);
        if (System.getProperty("os.name").startsWith("Linux")) assertThat(limit.softLimit()).isPositive();
    }
}
