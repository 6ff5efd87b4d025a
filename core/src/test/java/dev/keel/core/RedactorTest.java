package dev.keel.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
    @Test
    void hidesUrlPasswordsAndCredentialParameters() {
        assertThat(Redactor.urls("cannot reach http://user:pa:ss@host:9000/x now")).isEqualTo("cannot reach http://user:***@host:9000/x now");
        assertThat(Redactor.urls("sftp://u:p@ss@h/x")).isEqualTo("sftp://u:***@h/x");
        assertThat(Redactor.urls("abs://a@c/p?sv=2024&sig=SECRET%2B&se=2030")).isEqualTo("abs://a@c/p?sv=***&sig=***&se=***");
        assertThat(Redactor.urls("https://b.s3/k?X-Amz-Credential=AK/1&X-Amz-Signature=ff&partNumber=2"))
                .isEqualTo("https://b.s3/k?X-Amz-Credential=***&X-Amz-Signature=***&partNumber=2");
        assertThat(Redactor.urls("x?access_token=T1&api-key=K&password=P&page=3")).isEqualTo("x?access_token=***&api-key=***&password=***&page=3");
        assertThat(Redactor.urls("s3://bucket.localhost:9000/app and sftp://user@host/x")).isEqualTo("s3://bucket.localhost:9000/app and sftp://user@host/x");
        assertThat(Redactor.urls(null)).isNull();
    }

    @Test
    void hidesKnownSecretsWhereverTheyAppearLongestFirst() {
        Redactor r = Redactor.URLS.with(List.of("TOPSECRET", "TOPSECRET-AND-MORE", "ab"));
        assertThat(r.redact("key TOPSECRET-AND-MORE then TOPSECRET, ab stays")).isEqualTo("key *** then ***, ab stays");
        assertThat(r.with(List.of("TOPSECRET"))).isSameAs(r);
    }
}
