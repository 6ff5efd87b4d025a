package dev.keel.cli.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KeySuggesterTest {
    private static final List<String> KEYS = List.of("path", "replicas", "meta-path", "sync-interval",
            "access-key-id", "retention", "bucket", "url");

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {"pth|path", "replica|replicas", "metapath|meta-path", "sync_interval|sync-interval",
            "syncInterval|sync-interval", "accessKeyId|access-key-id", "retension|retention", "bukcet|bucket",
            "URL|url", "zzzzzz|", "endpoint|"})
    void suggestsPlausibleTypos(String typo, String expected) {
        assertThat(KeySuggester.closest(typo, KEYS)).isEqualTo(expected);
    }
}
