package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.blob.Sha256;
import tools.jackson.databind.JsonNode;

/** The gateway API ({@code /internal/v1}) over plain HTTP, as the wire format in docs/rest-api.md describes it. */
class GatewayApiIT extends MailboxApiITBase {

    @Test
    void authenticatesAnAccountByAddressAndPassword() {
        String address = newAccount();

        Response ok = post("/internal/v1/authentications", internal(),
                Map.of("username", address.toUpperCase(), "password", PASSWORD, "protocol", "imap", "remoteIp", "192.0.2.1"));

        assertThat(ok.status()).isEqualTo(200);
        assertThat(ok.json().path("address").asString()).isEqualTo(address);
        assertThat(ok.json().path("accountId").asLong()).isEqualTo(get("/api/v1/accounts/" + address, admin()).json().path("id").asLong());
    }

    @Test
    void refusesWrongPasswordsUnknownUsersAndDisabledAccountsAlike() {
        String address = newAccount();
        String disabled = newAccount();
        jdbc.sql("UPDATE accounts SET enabled = false WHERE address = ?").param(disabled).update();

        List<Response> refusals = List.of(
                post("/internal/v1/authentications", internal(), Map.of("username", address, "password", "wrong password")),
                post("/internal/v1/authentications", internal(), Map.of("username", "nobody@" + newDomain(), "password", PASSWORD)),
                post("/internal/v1/authentications", internal(), Map.of("username", disabled, "password", PASSWORD)));

        assertThat(refusals).allSatisfy(refusal -> {
            assertThat(refusal.status()).isEqualTo(401);
            assertThat(refusal.code()).isEqualTo("auth-failed");
            assertThat(refusal.json().path("temporary").asBoolean()).isFalse();
        });
    }

    @Test
    void resolvesRecipientsCaseInsensitively() {
        String domain = newDomain();
        String address = newAccount(domain, "carol");

        JsonNode deliverable = get("/internal/v1/recipients?address=CAROL@" + domain.toUpperCase(), internal()).json();
        JsonNode unknown = get("/internal/v1/recipients?address=dave@" + domain, internal()).json();
        JsonNode foreign = get("/internal/v1/recipients?address=carol@elsewhere.example", internal()).json();
        Response invalid = get("/internal/v1/recipients?address=no-at-sign", internal());

        assertThat(deliverable.path("status").asString()).isEqualTo("DELIVERABLE");
        assertThat(deliverable.path("accounts").get(0).asString()).isEqualTo(address);
        assertThat(deliverable.path("address").asString()).isEqualTo("CAROL@" + domain.toUpperCase());
        assertThat(unknown.path("status").asString()).isEqualTo("UNKNOWN_USER");
        assertThat(unknown.path("accounts").size()).isZero();
        assertThat(foreign.path("status").asString()).isEqualTo("NON_LOCAL_DOMAIN");
        assertThat(invalid.status()).isEqualTo(400);
        assertThat(invalid.code()).isEqualTo("invalid-address");
    }

    @Test
    void maildropListsTheInboxInUidOrder() {
        String address = newAccount();
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            byte[] message = message("drop " + i, "x".repeat(i * 100));
            sizes.add(message.length);
            assertThat(file(address, "drop-" + i, message).status()).isEqualTo(201);
        }

        JsonNode maildrop = get("/internal/v1/accounts/" + address + "/maildrop", internal()).json();

        assertThat(maildrop.path("mailboxId").asLong()).isEqualTo(mailboxId(address, "INBOX"));
        long uidValidity = jdbc.sql("SELECT uid_validity FROM mailboxes WHERE id = ?").param(maildrop.path("mailboxId").asLong())
                .query(Long.class).single();
        assertThat(maildrop.path("uidValidity").asLong()).isEqualTo(uidValidity);
        List<Long> uids = new ArrayList<>();
        List<Integer> listedSizes = new ArrayList<>();
        maildrop.path("messages").forEach(entry -> {
            uids.add(entry.path("uid").asLong());
            listedSizes.add(entry.path("size").asInt());
        });
        assertThat(uids).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(listedSizes).isEqualTo(sizes);
    }

    @Test
    void servesRawMessagesByUid() {
        String address = newAccount();
        byte[] message = message("by uid", "the body");
        long mailboxId = file(address, "raw-1", message).json().path("mailboxId").asLong();

        Response raw = get("/internal/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/messages/1/raw", internal());
        Response missing = get("/internal/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/messages/2/raw", internal());

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.header("Content-Type")).isEqualTo("message/rfc822");
        assertThat(raw.body()).isEqualTo(message);
        assertThat(missing.status()).isEqualTo(404);
        assertThat(missing.code()).isEqualTo("message-not-found");
    }

    @Test
    void expungeRemovesMessagesAndLeavesARecordWithAModSeqEach() {
        String address = newAccount();
        byte[] kept = message("kept", "stays");
        byte[] gone = message("gone", "goes");
        long mailboxId = file(address, "e-1", kept).json().path("mailboxId").asLong();
        file(address, "e-2", gone);
        file(address, "e-3", message("also gone", "goes too"));
        long highestBefore = highestModSeq(mailboxId);

        Response expunged = post("/internal/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/expunge", internal(),
                Map.of("uids", List.of(3, 2, 99)));

        assertThat(expunged.status()).isEqualTo(200);
        List<Long> removedUids = new ArrayList<>();
        expunged.json().path("expunged").forEach(m -> removedUids.add(m.path("uid").asLong()));
        assertThat(removedUids).containsExactly(2L, 3L);
        long highestAfter = expunged.json().path("highestModSeq").asLong();
        assertThat(highestAfter).isEqualTo(highestBefore + 2).isEqualTo(highestModSeq(mailboxId));
        List<long[]> records = jdbc.sql("SELECT uid, modseq FROM expunged WHERE mailbox_id = ? ORDER BY uid")
                .param(mailboxId).query((rs, row) -> new long[] {rs.getLong("uid"), rs.getLong("modseq")}).list();
        assertThat(records).extracting(r -> r[0]).containsExactly(2L, 3L);
        assertThat(records).extracting(r -> r[1]).containsExactly(highestBefore + 1, highestBefore + 2);

        JsonNode maildrop = get("/internal/v1/accounts/" + address + "/maildrop", internal()).json();
        assertThat(maildrop.path("messages").size()).isEqualTo(1);
        assertThat(maildrop.path("messages").get(0).path("uid").asLong()).isEqualTo(1);
        assertThat(get("/internal/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/messages/2/raw", internal()).code())
                .isEqualTo("message-not-found");
        assertThat(jdbc.sql("SELECT count(*) FROM blobs WHERE sha256 = ?").param(Sha256.hex(gone)).query(Long.class).single())
                .as("the last reference to a body takes the body with it").isZero();
        assertThat(jdbc.sql("SELECT ref_count FROM blobs WHERE sha256 = ?").param(Sha256.hex(kept)).query(Long.class).single())
                .isEqualTo(1);

        Response again = post("/internal/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/expunge", internal(),
                Map.of("uids", List.of(2, 3)));
        assertThat(again.json().path("expunged").size()).isZero();
        assertThat(again.json().path("highestModSeq").asLong()).isEqualTo(highestAfter);
    }

    @Test
    void aRedeliveryAfterExpungeDoesNotBringTheMessageBack() {
        String address = newAccount();
        Response first = file(address, "redelivered", message("deleted by the user", "bye"));
        long mailboxId = first.json().path("mailboxId").asLong();
        post("/internal/v1/accounts/" + address + "/mailboxes/" + mailboxId + "/expunge", internal(), Map.of("uids", List.of(1)));

        Response redelivery = file(address, "redelivered", message("deleted by the user", "bye"));

        assertThat(redelivery.status()).isEqualTo(200);
        assertThat(redelivery.json().path("duplicate").asBoolean()).isTrue();
        assertThat(get("/internal/v1/accounts/" + address + "/maildrop", internal()).json().path("messages").size()).isZero();
    }

    @Test
    void expungeInAnotherAccountsMailboxIsNotFound() {
        String alice = newAccount();
        String bob = newAccount();
        long bobsInbox = file(bob, "b-1", message("bob's", "mail")).json().path("mailboxId").asLong();

        Response refused = post("/internal/v1/accounts/" + alice + "/mailboxes/" + bobsInbox + "/expunge", internal(),
                Map.of("uids", List.of(1)));

        assertThat(refused.status()).isEqualTo(404);
        assertThat(refused.code()).isEqualTo("mailbox-not-found");
        assertThat(get("/internal/v1/accounts/" + bob + "/maildrop", internal()).json().path("messages").size()).isEqualTo(1);
    }

    @Test
    void echoesTheTraceIdAndMakesOneWhenNoneCame() {
        Response given = send("GET", "/internal/v1/recipients?address=a@b.example", internal(), null, null);
        assertThat(given.header("X-Trace-Id")).isNotBlank();

        java.net.http.HttpRequest request = java.net.http.HttpRequest.newBuilder(uri("/internal/v1/recipients?address=a@b.example"))
                .header("Authorization", internal()).header("X-Trace-Id", "trace-abc-123").build();
        try {
            assertThat(http.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).headers()
                    .firstValue("X-Trace-Id")).contains("trace-abc-123");
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private long highestModSeq(long mailboxId) {
        return jdbc.sql("SELECT highest_modseq FROM mailboxes WHERE id = ?").param(mailboxId).query(Long.class).single();
    }
}
