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
                        "POST /internal/v1/accounts/{address}/mailboxes/{mailboxId}/flags",
                        "POST /internal/v1/accounts/{address}/mailboxes/{mailboxId}/messages/raw");
        assertThat(get("/api/v1/accounts/" + bob + "/mailboxes", admin()).json().size()).as("bob's mailboxes untouched").isEqualTo(6);
    }

    /**
     * The other half of the isolation: a route under A's own address (which the access check lets through) that names
     * one of B's mailboxes, messages or app passwords, in the path, the query or the body, finds nothing. Every route
     * with such a variable is tried, found in the handler mappings as above, and B's data must be as it was.
     */
    @Test
    void aKeyScopedToAccountACannotReachBsResourcesThroughAsOwnAddress() {
        String alice = newAccount();
        String bob = newAccount();
        String key = createKey(Map.of("name", "alice-tool", "scope", "ACCOUNTS", "accounts", List.of(alice)))
                .json().path("key").asString();
        long aliceInbox = mailboxId(alice, "INBOX");
        long aliceArchive = mailboxId(alice, "ARCHIVE");
        long aliceMessage = file(alice, "a-1", message("alice's", "mine")).json().path("messageId").asLong();
        long bobInbox = mailboxId(bob, "INBOX");
        long bobMessage = file(bob, "b-1", message("bob's", "secret")).json().path("messageId").asLong();
        long bobAppPassword = post("/api/v1/accounts/" + bob + "/app-passwords", admin(), Map.of("name", "phone"))
                .json().path("id").asLong();
        String bobBefore = bobsState(bob, bobInbox);
        byte[] jsonBody = json.writeValueAsBytes(Map.of("name", "Stolen", "add", List.of("\\Seen"), "mailboxId", aliceArchive));

        List<String> checked = new ArrayList<>();
        for (Map.Entry<RequestMappingInfo, ?> mapping : mappings.getHandlerMethods().entrySet()) {
            RequestMappingInfo info = mapping.getKey();
            Set<MediaType> consumes = info.getConsumesCondition().getConsumableMediaTypes();
            boolean rfc822 = !consumes.isEmpty() && consumes.iterator().next().toString().equals("message/rfc822");
            for (String pattern : info.getPatternValues()) {
                if (!pattern.startsWith("/api/") || !pattern.contains("{address}")
                        || pattern.replace("{address}", "").indexOf('{') < 0) {
                    continue;
                }
                String path = pattern.replace("{address}", alice)
                        .replace("{mailboxId}", Long.toString(bobInbox))
                        .replace("{messageId}", Long.toString(bobMessage))
                        .replace("{id}", Long.toString(bobAppPassword));
                assertThat(path).as("a variable this test does not know: teach it " + pattern).doesNotContain("{");
                Set<RequestMethod> methods = info.getMethodsCondition().getMethods();
                for (RequestMethod method : methods.isEmpty() ? Set.of(RequestMethod.GET) : methods) {
                    for (String credentials : List.of("Bearer " + key, basic(alice, PASSWORD))) {
                        Response response = rfc822
                                ? send(method.name(), path, credentials, "message/rfc822", message("planted", "x"))
                                : send(method.name(), path, credentials, "application/json", jsonBody);
                        assertThat(response.status()).as(method + " " + path + ": " + response.text()).isEqualTo(404);
                    }
                    checked.add(method + " " + pattern);
                }
            }
        }
        String own = "/api/v1/accounts/" + alice + "/mailboxes/" + aliceInbox + "/messages/" + aliceMessage;
        byte[] intoBobs = json.writeValueAsBytes(Map.of("mailboxId", bobInbox));
        for (String credentials : List.of("Bearer " + key, basic(alice, PASSWORD))) {
            assertThat(send("POST", own + "/copy", credentials, "application/json", intoBobs).status()).isEqualTo(404);
            assertThat(send("POST", own + "/move", credentials, "application/json", intoBobs).status()).isEqualTo(404);
            assertThat(get("/api/v1/accounts/" + alice + "/messages?mailboxId=" + bobInbox, credentials).status()).isEqualTo(404);
        }

        assertThat(checked).as("the routes found").hasSizeGreaterThanOrEqualTo(12)
                .contains("GET /api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}/raw",
                        "DELETE /api/v1/accounts/{address}/app-passwords/{id}",
                        "POST /api/v1/accounts/{address}/mailboxes/{mailboxId}/messages");
        assertThat(bobsState(bob, bobInbox)).as("bob's mailboxes, messages and app passwords untouched").isEqualTo(bobBefore);
        assertThat(get(own, "Bearer " + key).status()).as("positive control: alice's own message").isEqualTo(200);
    }

    private String bobsState(String bob, long inbox) {
        return get("/api/v1/accounts/" + bob + "/mailboxes", admin()).text()
                + get("/api/v1/accounts/" + bob + "/mailboxes/" + inbox + "/messages", admin()).text()
                + get("/api/v1/accounts/" + bob + "/app-passwords", admin()).text()
                + get("/api/v1/accounts/" + bob + "/quota", admin()).text();
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
