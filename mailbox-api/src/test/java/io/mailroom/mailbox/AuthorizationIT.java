package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;

class AuthorizationIT extends MailboxApiITBase {

    @Test
    void noCredentialsIsUnauthorizedWithAChallenge() {
        Response tools = get("/api/v1/domains", null);
        Response internalApi = get("/internal/v1/recipients?address=a@b.test", null);

        assertThat(tools.status()).isEqualTo(401);
        assertThat(tools.code()).isEqualTo("unauthenticated");
        assertThat(tools.header("Content-Type")).startsWith("application/problem+json");
        assertThat(tools.headers().allValues("WWW-Authenticate")).anyMatch(v -> v.startsWith("Bearer"))
                .anyMatch(v -> v.startsWith("Basic"));
        assertThat(internalApi.status()).isEqualTo(401);
        assertThat(internalApi.headers().allValues("WWW-Authenticate")).containsExactly("Bearer realm=\"mailroom\"");
    }

    @Test
    void anUnknownTokenIsUnauthorized() {
        Response response = get("/api/v1/domains", "Bearer " + ADMIN_TOKEN + "x");

        assertThat(response.status()).isEqualTo(401);
        assertThat(response.code()).isEqualTo("unauthenticated");
    }

    @Test
    void unknownPathsUnderTheApisStillNeedCredentials() {
        assertThat(get("/api/v1/nothing-here", null).status()).isEqualTo(401);
        assertThat(get("/api/v1/nothing-here", admin()).code()).isEqualTo("not-found");
    }

    @Test
    void theInternalTokenMayNotUseTheToolsApi() {
        Response createDomain = post("/api/v1/domains", internal(), Map.of("name", "x" + System.nanoTime() + ".test"));
        Response createAccount = post("/api/v1/accounts", internal(), Map.of("address", "a@b.test", "password", PASSWORD));
        Response read = get("/api/v1/domains", internal());

        assertThat(createDomain.status()).isEqualTo(403);
        assertThat(createDomain.code()).isEqualTo("forbidden");
        assertThat(createAccount.status()).isEqualTo(403);
        assertThat(read.status()).isEqualTo(403);
    }

    @Test
    void theAdminTokenMayNotUseTheInternalApi() {
        String address = newAccount();

        Response maildrop = get("/internal/v1/accounts/" + address + "/maildrop", admin());
        Response filing = send("PUT", "/internal/v1/accounts/" + address + "/deliveries/x1", admin(), "message/rfc822",
                message("hi", "there"));

        assertThat(maildrop.status()).isEqualTo(403);
        assertThat(maildrop.code()).isEqualTo("forbidden");
        assertThat(filing.status()).isEqualTo(403);
        assertThat(get("/internal/v1/accounts/" + address + "/maildrop", internal()).status()).isEqualTo(200);
    }

    @Test
    void anAccountOwnerMayReadOnlyTheirOwnAccount() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        String aliceCredentials = basic(alice, PASSWORD);

        assertThat(get("/api/v1/accounts/" + alice, aliceCredentials).status()).isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + alice.toUpperCase() + "/mailboxes", aliceCredentials).status()).isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + alice, basic(alice.toUpperCase(), PASSWORD)).status()).isEqualTo(200);

        Response others = get("/api/v1/accounts/" + bob + "/mailboxes", aliceCredentials);
        assertThat(others.status()).isEqualTo(403);
        assertThat(others.code()).isEqualTo("forbidden");
        assertThat(get("/api/v1/domains", aliceCredentials).status()).isEqualTo(403);
        assertThat(post("/api/v1/domains", aliceCredentials, Map.of("name", "evil.test")).status()).isEqualTo(403);
        assertThat(get("/internal/v1/accounts/" + alice + "/maildrop", aliceCredentials).status()).isEqualTo(403);
    }

    @Test
    void aWrongPasswordIsUnauthorized() {
        String alice = newAccount();

        assertThat(get("/api/v1/accounts/" + alice, basic(alice, PASSWORD + "!")).status()).isEqualTo(401);
        assertThat(get("/api/v1/accounts/" + alice, basic("nobody@" + newDomain(), PASSWORD)).status()).isEqualTo(401);
        assertThat(get("/api/v1/accounts/" + alice, "Basic !!!not-base64").status()).isEqualTo(401);
    }

    @Test
    void aDisabledAccountCannotLogIn() {
        String alice = newAccount();
        jdbc.sql("UPDATE accounts SET enabled = false WHERE address = ?").param(alice).update();

        assertThat(get("/api/v1/accounts/" + alice, basic(alice, PASSWORD)).status()).isEqualTo(401);
    }

    @Test
    void probesAndDocumentationAreOpen() {
        assertThat(get("/actuator/health/liveness", null).status()).isEqualTo(200);
        assertThat(get("/actuator/health/readiness", null).status()).isEqualTo(200);
        Response prometheus = get("/actuator/prometheus", null);
        assertThat(prometheus.status()).isEqualTo(200);
        assertThat(prometheus.text()).contains("application=\"mailbox-api\"");
    }
}
