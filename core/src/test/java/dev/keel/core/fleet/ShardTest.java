package dev.keel.core.fleet;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.KeelException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShardTest {
    @Test
    void everyDatabaseIsInExactlyOneShardAndSharesAreBalanced() {
        int count = 4;
        int[] sizes = new int[count];
        for (int i = 0; i < 4000; i++) {
            String name = "tenants/t" + i + ".db";
            int owners = 0;
            for (int s = 0; s < count; s++) {
                if (new Shard(s, count).contains(name)) {
                    owners++;
                    sizes[s]++;
                }
            }
            assertThat(owners).as(name).isEqualTo(1);
        }
        for (int size : sizes) assertThat(size).isBetween(850, 1150);
    }

    @Test
    void membershipDependsOnlyOnTheName() {
        List<Boolean> first = new ArrayList<>();
        List<Boolean> second = new ArrayList<>();
        for (int i = 0; i < 100; i++) first.add(Shard.parse("1/3").contains("db" + i));
        for (int i = 0; i < 100; i++) second.add(new Shard(1, 3).contains("db" + i));
        assertThat(first).isEqualTo(second).contains(true, false);
    }

    @Test
    void refusesMalformedShares() {
        for (String bad : new String[] {"3/3", "-1/3", "1", "a/b", "1/0", "1/3/4", "", "99999999/99999999"}) {
            assertThatThrownBy(() -> Shard.parse(bad)).as(bad).isInstanceOf(KeelException.class)
                    .hasMessageContaining("I/N");
        }
        assertThat(Shard.parse(" 0/1 ")).isEqualTo(Shard.ALL);
    }
}
