package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class KeelExceptionTest {
    @Test
    void describesSubjectAndMessage() {
        var e = new KeelException(ErrorCode.BAD_INPUT, "unknown key 'pth'", "keel.yml:3", "did you mean 'path'?");
        assertThat(e.describe()).isEqualTo("keel.yml:3: unknown key 'pth'");
        assertThat(e.code().exitStatus()).isEqualTo(65);
        assertThat(e.withSubject("other.yml:4").describe()).isEqualTo("other.yml:4: unknown key 'pth'");
        assertThat(e.withSubject("x").hint()).isEqualTo("did you mean 'path'?");
    }

    @Test
    void exitStatusesAreDistinctWhereTheyMustBe() {
        assertThat(ErrorCode.DRIFT.exitStatus()).isEqualTo(2);
        assertThat(ErrorCode.USAGE.exitStatus()).isEqualTo(64);
        assertThat(ErrorCode.STORAGE_UNAVAILABLE.exitStatus()).isEqualTo(69);
        assertThat(ErrorCode.IO.exitStatus()).isEqualTo(74);
    }
}
