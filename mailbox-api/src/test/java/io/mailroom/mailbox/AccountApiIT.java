package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.StreamSupport;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.mailbox.MailboxCounters;

import tools.jackson.databind.JsonNode;

class AccountApiIT extends MailboxApiITBase {

    @Test
    void createsAnAccountWithItsDefaultMailboxes() {
        String domain = newDomain();

        Response created = post("/api/v1/accounts", admin(),
                Map.of("address", "Alice@" + domain.toUpperCase(), "password", PASSWORD, "displayName", "Alice Liddell"));

        assertThat(created.status()).as(created.text()).isEqualTo(201);
        JsonNode account = created.json();
        String address = "alice@" + domain;
        assertThat(account.path("address").asString()).isEqualTo(address);
        assertThat(account.path("displayName").asString()).isEqualTo("Alice Liddell");
        assertThat(account.path("id").asLong()).isPositive();
        assertThat(account.path("createdAt").asString()).isNotBlank();
        assertThat(account.has("password")).isFalse();
        assertThat(account.has("passwordHash")).isFalse();
        assertThat(created.header("Location")).isEqualTo("/api/v1/accounts/" + address);

        Response mailboxes = get("/api/v1/accounts/" + address + "/mailboxes", admin());
        assertThat(mailboxes.status()).isEqualTo(200);
        Map<String, String> roleByName = new HashMap<>();
        mailboxes.json().forEach(mailbox -> roleByName.put(mailbox.path("name").asString(), mailbox.path("role").asString()));
        assertThat(roleByName).containsExactlyInAnyOrderEntriesOf(Map.of(
                "INBOX", "INBOX", "Sent", "SENT", "Drafts", "DRAFTS", "Trash", "TRASH", "Junk", "JUNK", "Archive", "ARCHIVE"));
        List<Long> uidValidities = StreamSupport.stream(mailboxes.json().spliterator(), false)
                .map(mailbox -> mailbox.path("uidValidity").asLong()).toList();
        assertThat(uidValidities).doesNotHaveDuplicates().allSatisfy(v -> assertThat(v).isBetween(1L, 4294967295L));
        mailboxes.json().forEach(mailbox -> {
            assertThat(mailbox.path("uidNext").asLong()).isEqualTo(1);
            assertThat(mailbox.path("highestModSeq").asLong()).isEqualTo(1);
            assertThat(mailbox.path("messages").asLong()).isZero();
            assertThat(mailbox.path("unseen").asLong()).isZero();
            assertThat(mailbox.path("size").asLong()).isZero();
        });

        Response fetched = get("/api/v1/accounts/ALICE@" + domain, admin());
        assertThat(fetched.status()).isEqualTo(200);
        assertThat(fetched.json().path("id").asLong()).isEqualTo(account.path("id").asLong());
    }

    @Test
    void storesThePasswordAsASchemePrefixedBcryptHash() {
        String address = newAccount();

        String hash = jdbc.sql("SELECT password_hash FROM accounts WHERE address = ?").param(address).query(String.class).single();

        assertThat(hash).startsWith("{BLF-CRYPT}$2").doesNotContain(PASSWORD);
    }

    @Test
    void needsAnExistingDomain() {
        Response refused = post("/api/v1/accounts", admin(),
                Map.of("address", "bob@missing-" + System.nanoTime() + ".test", "password", PASSWORD));

        assertThat(refused.status()).isEqualTo(422);
        assertThat(refused.code()).isEqualTo("domain-not-found");
    }

    @Test
    void refusesADuplicateInAnyCase() {
        String address = newAccount();

        Response duplicate = post("/api/v1/accounts", admin(), Map.of("address", address.toUpperCase(), "password", PASSWORD));

        assertThat(duplicate.status()).isEqualTo(409);
        assertThat(duplicate.code()).isEqualTo("account-exists");
    }

    @Test
    void refusesWeakOrBlankPasswords() {
        String domain = newDomain();
        for (String password : List.of("", "   ", "short", "aaaaaaaaaaaa", "abababababab", "x".repeat(30) + "€".repeat(20))) {
            Response refused = post("/api/v1/accounts", admin(), Map.of("address", "carol@" + domain, "password", password));

            assertThat(refused.status()).as("password '%s'", password).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("validation");
            assertThat(refused.json().path("errors").toString()).contains("password");
        }
        assertThat(get("/api/v1/accounts/carol@" + domain, admin()).status()).isEqualTo(404);
    }

    @Test
    void refusesAnAddressThatCannotBeAnAccount() {
        String domain = newDomain();
        for (String address : List.of("no-at-sign", "@" + domain, "a/b@" + domain, "two..dots@" + domain)) {
            Response refused = post("/api/v1/accounts", admin(), Map.of("address", address, "password", PASSWORD));

            assertThat(refused.status()).as(address).isEqualTo(400);
            assertThat(refused.code()).isEqualTo("validation");
        }
    }

    @Test
    void unknownAccountIsNotFound() {
        Response missing = get("/api/v1/accounts/nobody@" + newDomain(), admin());

        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("account-not-found");
    }

    @Autowired
    private MailboxCounters counters;

    @Autowired
    private TransactionTemplate transaction;

    @Test
    void uidValidityOnlyEverIncreasesWithinAnAccount() {
        String address = newAccount();
        long accountId = get("/api/v1/accounts/" + address, admin()).json().path("id").asLong();
        long highestSoFar = jdbc.sql("SELECT max(uid_validity) FROM mailboxes WHERE account_id = ?").param(accountId)
                .query(Long.class).single();

        // a mailbox deleted and re-created within the same second must still get a new value
        long first = transaction.execute(status -> counters.nextUidValidity(accountId));
        long second = transaction.execute(status -> counters.nextUidValidity(accountId));

        assertThat(first).isGreaterThan(highestSoFar);
        assertThat(second).isGreaterThan(first);
    }
}
