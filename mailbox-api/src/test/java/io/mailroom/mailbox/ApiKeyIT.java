package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.servlet.mvc.method.RequestMappingInfo;
import org.springframework.web.servlet.mvc.method.annotation.RequestMappingHandlerMapping;

/**
 * API keys: created with the bootstrap admin token only, shown once, revocable; scoped to admin, to accounts, or to
 * the gateway role. A key scoped to account A (and A's own password) can never reach account B, on every route there
 * is, which this test finds in Spring MVC's own handler mappings so that a new endpoint cannot slip past it.
 */
class ApiKeyIT extends MailboxApiITBase {

    @Autowired
    @Qualifier("requestMappingHandlerMapping")
    private RequestMappingHandlerMapping mappings;

    @Test
    void onlyTheBootstrapTokenCreatesKeysAndARevokedKeyStopsAtOnce() {
        Response adminKey = createKey(Map.of("name", "ops", "scope", "ADMIN"));
        String key = adminKey.json().path("key").asString();

        Response byKey = post("/api/v1/api-keys", "Bearer " + key, Map.of("name", "escalate", "scope", "ADMIN"));
        Response domains = get("/api/v1/domains", "Bearer " + key);
        Response listed = get("/api/v1/api-keys/" + adminKey.json().path("id").asLong(), admin());
        String storedHash = jdbc.sql("SELECT secret_sha256 FROM api_keys WHERE id = ?").param(adminKey.json().path("id").asLong())
                .query(String.class).single();

        assertThat(key).startsWith("mrk_");
        assertThat(byKey.status()).isEqualTo(403);
        assertThat(domains.status()).isEqualTo(200);
        assertThat(listed.json().path("key").isNull()).as("the secret is shown once").isTrue();
        assertThat(storedHash).doesNotContain(key.substring(key.lastIndexOf('_') + 1));

        assertThat(send("DELETE", "/api/v1/api-keys/" + adminKey.json().path("id").asLong(), admin(), null, null).status()).isEqualTo(204);
        assertThat(get("/api/v1/domains", "Bearer " + key).status()).isEqualTo(401);
        assertThat(get("/api/v1/domains", "Bearer " + key.substring(0, key.length() - 1) + "0").status()).isEqualTo(401);
    }

    @Test
    void aGatewayKeyActsAsAServiceAndNothingMore() {
        String address = newAccount();
        String key = createKey(Map.of("name", "imap-1", "scope", "GATEWAY")).json().path("key").asString();

        assertThat(get("/internal/v1/accounts/" + address + "/maildrop", "Bearer " + key).status()).isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + address, "Bearer " + key).status()).isEqualTo(403);
    }

    @Test
    void aKeyScopedToAccountAReachesANotBOnEveryRoute() {
        String alice = newAccount();
        String bob = newAccount();
        String key = createKey(Map.of("name", "alice-tool", "scope", "ACCOUNTS", "accounts", List.of(alice)))
                .json().path("key").asString();
        assertThat(get("/api/v1/accounts/" + alice + "/mailboxes", "Bearer " + key).status()).as("positive control").isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + alice + "/messages", basic(alice, PASSWORD)).status()).isEqualTo(200);

        List<String> checked = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, ?> mapping : mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = mapping.getKey();
            Set<String> patterns = info.getPatternValues();
            Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
            Set<MediaType> consumes = info.getConsumesCondition().getConsumableMediaTypes();
            String contentType = consumes.isEmpty() ? "application/json" : consumes.iterator().next().toString();
            for (String pattern : patterns) {
                if (!pattern.startsWith("/api/") && !pattern.startsWith("/internal/")) {
                    continue;
                }
                String path = pattern.replace("{address}", bob).replaceAll("\\{[^}]+}", "1");
                for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    for (String credentials : List.of("Bearer " + key, basic(alice, PASSWORD))) {
                        Response response = send(method.name(), path, credentials, contentType, "{}".getBytes());
                        assertThat(response.status()).as(method + " " + pattern + " with " + credentials.substring(0, 6))
                                .isEqualTo(403);
                    }
                    checked.add(method + " " + pattern);
                }
            }
        }
        assertThat(checked).as("the routes found").hasSizeGreaterThan(40)
                .contains("GET /api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}/raw",
                        "GET /api/v1/accounts/{address}/events", "DELETE /api/v1/accounts/{address}/mailboxes/{mailboxId}",
                        "POST /internal/v1/accounts/{address}/mailboxes/{mailboxId}/flags");
        assertThat(get("/api/v1/accounts/" + bob + "/mailboxes", admin()).json().size()).as("bob's mailboxes untouched").isEqualTo(6);
    }

    @Test
    void refusesKeysForUnknownAccountsOrWithoutAccounts() {
        assertThat(createKey(Map.of("name", "x", "scope", "ACCOUNTS", "accounts", List.of("nobody@" + newDomain()))).status())
                .isEqualTo(422);
        assertThat(createKey(Map.of("name", "x", "scope", "ACCOUNTS")).status()).isEqualTo(400);
        assertThat(createKey(Map.of("name", "x", "scope", "ROOT")).status()).isEqualTo(400);
    }

    private Response createKey(Map<String, Object> request) {
        return post("/api/v1/api-keys", admin(), request);
    }
}
