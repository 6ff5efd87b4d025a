package dev.keel.replication.api;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class DescriptorLimitTest {
    @Test
    void aFleetBeyondTheBudgetIsReportedWithHowManyAreParkedAndHowToRaiseTheLimit() {
        DescriptorLimit low = new DescriptorLimit(10_000, 20_000, 10_000L * DescriptorLimit.PER_HELD_DATABASE + DescriptorLimit.BASE);
        assertThat(low.heldBudget()).isEqualTo((20_000 - 2_000) / DescriptorLimit.PER_HELD_DATABASE);
        assertThat(low.enough()).isFalse();
        assertThat(low.tooLow()).isFalse();
        assertThat(low.parked()).isEqualTo(10_000 - 3_600);
        assertThat(low.warning()).contains("20000", "3600 of the 10000 databases", "parks the other 6400",
                Long.toString(low.needed()), "LimitNOFILE", "ulimit -n");
        assertThat(new DescriptorLimit(10, 1024, 104).enough()).isTrue();
        assertThat(new DescriptorLimit(10, -1, 104).enough()).as("unknown limit").isTrue();
        assertThat(new DescriptorLimit(10, -1, 104).heldBudget()).isEqualTo(Integer.MAX_VALUE);
    }

    @Test
    void aLimitBelowTheReserveIsTooLow() {
        DescriptorLimit tiny = new DescriptorLimit(100, 200, 464);
        assertThat(tiny.tooLow()).isTrue();
        assertThat(tiny.heldBudget()).isEqualTo(DescriptorLimit.MIN_HELD);
        assertThat(tiny.warning()).contains("too low", "200", "ulimit -n");
    }

    @Test
    void thisProcessReportsItsOwnLimit() {
        DescriptorLimit limit = DescriptorLimit.forDatabases(3);
        assertThat(limit.needed()).isEqualTo(3L * DescriptorLimit.PER_HELD_DATABASE + DescriptorLimit.BASE);
        if (System.getProperty("os.name").startsWith("Linux")) assertThat(limit.softLimit()).isPositive();
    }
}
