package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/** resolveRecipient over accounts, aliases (nested, external, looping), catch-alls and disabled accounts. */
class RecipientResolutionIT extends MailboxApiITBase {

    @Test
    void expandsAliasesToAccountsAndExternalAddresses() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        String carol = newAccount(domain, "carol");
        jdbc.sql("UPDATE accounts SET enabled = false WHERE address = ?").param(carol).update();
        assertThat(post("/api/v1/aliases", admin(), Map.of("address", "team@" + domain,
                "targets", List.of(alice, "Devs@" + domain.toUpperCase(), carol, "partner@example.net"))).status()).isEqualTo(201);
        assertThat(post("/api/v1/aliases", admin(), Map.of("address", "devs@" + domain,
                "targets", List.of(bob, alice, "team@" + domain))).status()).isEqualTo(201);

        JsonNode team = resolve("Team@" + domain);

        assertThat(team.path("status").asString()).isEqualTo("DELIVERABLE");
        assertThat(strings(team.path("accounts"))).as("nested, deduplicated, disabled skipped, loop ended")
                .containsExactly(alice, bob);
        assertThat(strings(team.path("forwards"))).containsExactly("partner@example.net");
        // an account itself, in any case; a disabled one is nobody, even with a catch-all or an alias about
        JsonNode direct = resolve(alice.toUpperCase());
        assertThat(direct.path("status").asString()).isEqualTo("DELIVERABLE");
        assertThat(strings(direct.path("accounts"))).containsExactly(alice);
        assertThat(strings(direct.path("forwards"))).isEmpty();
        assertThat(resolve(carol).path("status").asString()).isEqualTo("UNKNOWN_USER");
    }

    @Test
    void aCatchAllTakesUnknownLocalPartsButNotAliasesOrAccounts() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String catchAll = newAccount(domain, "postmaster");
        post("/api/v1/aliases", admin(), Map.of("address", "sales@" + domain, "targets", List.of(alice)));

        assertThat(resolve("anything@" + domain).path("status").asString()).isEqualTo("UNKNOWN_USER");
        Response set = send("PATCH", "/api/v1/domains/" + domain, admin(), "application/json",
                json.writeValueAsBytes(Map.of("catchAll", catchAll)));

        assertThat(set.json().path("catchAll").asString()).isEqualTo(catchAll);
        assertThat(strings(resolve("anything@" + domain).path("accounts"))).containsExactly(catchAll);
        assertThat(strings(resolve("sales@" + domain).path("accounts"))).containsExactly(alice);
        assertThat(strings(resolve(alice).path("accounts"))).containsExactly(alice);
        assertThat(send("PATCH", "/api/v1/domains/" + domain, admin(), "application/json",
                json.writeValueAsBytes(Map.of("catchAll", "someone@" + newDomain()))).code()).isEqualTo("account-not-found");
        send("PATCH", "/api/v1/domains/" + domain, admin(), "application/json", json.writeValueAsBytes(Map.of("catchAll", "")));
        assertThat(resolve("anything@" + domain).path("status").asString()).isEqualTo("UNKNOWN_USER");
    }

    @Test
    void aliasesNeverShadowAccountsAndAreManagedOverRest() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");

        Response onAccount = post("/api/v1/aliases", admin(), Map.of("address", alice, "targets", List.of("x@example.net")));
        Response badTarget = post("/api/v1/aliases", admin(), Map.of("address", "a@" + domain, "targets", List.of("not an address")));
        Response self = post("/api/v1/aliases", admin(), Map.of("address", "b@" + domain, "targets", List.of("b@" + domain)));
        Response foreignDomain = post("/api/v1/aliases", admin(), Map.of("address", "c@" + newDomain().replace(".test", ".nope"),
                "targets", List.of(alice)));
        Response created = post("/api/v1/aliases", admin(), Map.of("address", "d@" + domain, "targets", List.of(alice)));
        Response replaced = send("PUT", "/api/v1/aliases/d@" + domain, admin(), "application/json",
                json.writeValueAsBytes(Map.of("targets", List.of("ext@example.org"))));

        assertThat(onAccount.code()).isEqualTo("address-taken");
        assertThat(badTarget.code()).isEqualTo("invalid-address");
        assertThat(self.code()).isEqualTo("validation");
        assertThat(foreignDomain.code()).isEqualTo("domain-not-found");
        assertThat(created.status()).isEqualTo(201);
        assertThat(post("/api/v1/aliases", admin(), Map.of("address", "d@" + domain, "targets", List.of(alice))).code())
                .isEqualTo("alias-exists");
        assertThat(strings(replaced.json().path("targets"))).containsExactly("ext@example.org");
        assertThat(get("/api/v1/aliases?domain=" + domain, admin()).json().path("items").size()).isEqualTo(1);
        assertThat(send("DELETE", "/api/v1/aliases/d@" + domain, admin(), null, null).status()).isEqualTo(204);
        assertThat(resolve("d@" + domain).path("status").asString()).isEqualTo("UNKNOWN_USER");
    }

    /** smtp-ingress answers 452 4.2.2 from this: the accounts whose quota leaves room for no message. */
    @Test
    void saysWhichAccountsHaveUsedUpTheirQuota() {
        String domain = newDomain();
        String alice = newAccount(domain, "alice");
        String bob = newAccount(domain, "bob");
        post("/api/v1/aliases", admin(), Map.of("address", "both@" + domain, "targets", List.of(alice, bob)));
        assertThat(strings(resolve(alice).path("full"))).isEmpty();

        assertThat(send("PUT", "/api/v1/accounts/" + alice + "/quota", admin(), "application/json",
                json.writeValueAsBytes(Map.of("messages", 1))).status()).isEqualTo(200);
        assertThat(strings(resolve(alice).path("full"))).as("one message still fits").isEmpty();
        assertThat(file(alice, "q-1", message("fills it", "x")).status()).isEqualTo(201);

        assertThat(strings(resolve(alice).path("full"))).containsExactly(alice);
        assertThat(strings(resolve("both@" + domain).path("full"))).containsExactly(alice);
        assertThat(strings(resolve(bob).path("full"))).isEmpty();
        // storage: a limit set at (or below) the usage leaves room for nothing
        assertThat(file(bob, "q-2", message("bob's", "x")).status()).isEqualTo(201);
        long used = get("/api/v1/accounts/" + bob + "/quota", admin()).json().path("storageUsed").asLong();
        assertThat(used).isPositive();
        assertThat(send("PUT", "/api/v1/accounts/" + bob + "/quota", admin(), "application/json",
                json.writeValueAsBytes(Map.of("storage", used + 1))).status()).isEqualTo(200);
        assertThat(strings(resolve(bob).path("full"))).isEmpty();
        assertThat(send("PUT", "/api/v1/accounts/" + bob + "/quota", admin(), "application/json",
                json.writeValueAsBytes(Map.of("storage", used))).status()).isEqualTo(200);
        assertThat(strings(resolve("both@" + domain).path("full"))).containsExactly(alice, bob);
    }

    private JsonNode resolve(String address) {
        return get("/internal/v1/recipients?address=" + address, internal()).json();
    }

    private static List<String> strings(JsonNode array) {
        List<String> values = new ArrayList<>();
        array.forEach(v -> values.add(v.asString()));
        return values;
    }
}
