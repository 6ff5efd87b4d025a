package dev.keel.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.keel.core.ErrorCode;
import dev.keel.core.KeelException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

class ListenAddressTest {
    @Test
    void readsLitestreamsForms() {
        assertThat(ListenAddress.parse(":9090")).isEqualTo(new ListenAddress(null, 9090));
        assertThat(ListenAddress.parse("127.0.0.1:9090")).isEqualTo(new ListenAddress("127.0.0.1", 9090));
        assertThat(ListenAddress.parse("[::1]:9090")).isEqualTo(new ListenAddress("::1", 9090));
        assertThat(ListenAddress.parse("[::1]:9090").toString()).isEqualTo("[::1]:9090");
        assertThat(ListenAddress.parse(":9090").socketAddress().getAddress().isAnyLocalAddress()).isTrue();
    }

    @Test
    void refusesWhatIsNoAddress() {
        for (String bad : new String[] {"9090", "::1:9090", "host:", "host:99999", "http://x:1", "a b:1", ""}) {
            assertThatThrownBy(() -> ListenAddress.parse(bad)).as(bad)
                    .isInstanceOfSatisfying(KeelException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.USAGE));
        }
    }

    @Test
    void servesOnIpv4AndIpv6Loopback() throws Exception {
        for (String addr : new String[] {"127.0.0.1:0", "[::1]:0"}) {
            try (OperationsServer s = OperationsServer.start(ServerOptions.at(ListenAddress.parse(addr)))) {
                String host = addr.startsWith("[") ? "[::1]" : "127.0.0.1";
                HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        URI.create("http://" + host + ":" + s.address().getPort() + "/healthz")).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).as(addr).isEqualTo(200);
            }
        }
    }
}
