package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.mailroom.mailbox.web.GatewayCallObservation;

/**
 * The gateway calls ({@code /internal/v1/accounts/**}) are timed by {@code mailroom.gateway.requests} (method, route
 * pattern, status) instead of Spring's {@code http.server.requests}, and keep their trace id.
 */
class GatewayCallObservationIT extends MailboxApiITBase {

    private static final String FETCH_ROUTE = "/internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/fetch";

    @Autowired
    MeterRegistry registry;

    @Test
    void timesAGatewayCallByRouteAndStatus() {
        String address = newAccount();
        long inbox = mailboxId(address, "INBOX");
        assertThat(file(address, "observed-1", message("observed", "body")).status()).isEqualTo(201);
        long okBefore = count("POST", FETCH_ROUTE, "200");
        long missingBefore = count("POST", FETCH_ROUTE, "404");

        Response found = post("/internal/v1/accounts/" + segment(address) + "/mailboxes/" + inbox + "/messages/fetch",
                internal(), Map.of("uids", "1:*"));
        Response missing = post("/internal/v1/accounts/" + segment(address) + "/mailboxes/" + (inbox + 1_000_000)
                + "/messages/fetch", internal(), Map.of("uids", "1:*"));

        assertThat(found.status()).isEqualTo(200);
        assertThat(found.json().path("messages").size()).isEqualTo(1);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("mailbox-not-found");
        // the timer is recorded when the filter chain returns, which may be just after the client has the answer
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(count("POST", FETCH_ROUTE, "200")).isEqualTo(okBefore + 1);
            assertThat(count("POST", FETCH_ROUTE, "404")).isEqualTo(missingBefore + 1);
        });
        assertThat(registry.find("http.server.requests").tag("uri", FETCH_ROUTE).timers())
                .as("no Spring HTTP observation of gateway calls").isEmpty();
    }

    @Test
    void refusedCredentialsAreTimedWithoutARouteAndOtherRoutesKeepTheHttpObservation() {
        String address = newAccount();
        long refusedBefore = count("GET", "none", "401");

        Response refused = get("/internal/v1/accounts/" + segment(address) + "/mailboxes", "Bearer wrong-token");
        Response admin = get("/api/v1/accounts/" + segment(address), admin());

        assertThat(refused.status()).isEqualTo(401);
        assertThat(admin.status()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            assertThat(count("GET", "none", "401")).isEqualTo(refusedBefore + 1);
            assertThat(registry.find("http.server.requests").tag("uri", "/api/v1/accounts/{address}").timers())
                    .isNotEmpty();
        });
    }

    @Test
    void aGatewayCallContinuesTheCallersTraceAndLogsUnderItsId() throws Exception {
        String address = newAccount();
        String traceId = "4bf92f3577b34da6a3ce929d0e0e4736";

        HttpRequest request = HttpRequest.newBuilder(uri("/internal/v1/accounts/" + segment(address) + "/mailboxes"))
                .header("Authorization", internal())
                .header("traceparent", "00-" + traceId + "-00f067aa0ba902b7-01")
                .build();
        HttpResponse<Void> response = http.send(request, HttpResponse.BodyHandlers.discarding());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("X-Trace-Id")).contains(traceId);
    }

    private long count(String method, String route, String status) {
        Timer timer = registry.find(GatewayCallObservation.TIMER)
                .tags("method", method, "route", route, "status", status).timer();
        return timer == null ? 0 : timer.count();
    }
}
