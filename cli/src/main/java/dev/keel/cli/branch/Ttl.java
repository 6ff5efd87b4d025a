package dev.keel.cli.branch;

import dev.keel.cli.config.GoDuration;
import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import dev.keel.fleet.branch.BranchSpec;
import java.time.Duration;

/** {@code --ttl}: a Go-style duration as the config file writes them ({@code 72h}, {@code 30m}, {@code 1h30m}), bounded. */
final class Ttl {
    private Ttl() {
    }

    static Duration parse(String text) {
        Duration ttl;
        try {
            ttl = GoDuration.parse(text);
        } catch (IllegalArgumentException e) {
            String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw new KeelException(ErrorCode.USAGE, "invalid --ttl '" + shown + "': " + e.getMessage(), null,
                    "write a duration such as 72h, 30m or 1h30m (at most 8760h)");
        }
        return BranchSpec.checkTtl(ttl);
    }
}
