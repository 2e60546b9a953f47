package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

class MessageApiIT extends MailboxApiITBase {

    @Test
    void pagesThroughAMailboxInUidOrder() {
        String address = newAccount();
        for (int i = 0; i < 5; i++) {
            file(address, "page-" + i, message("page " + i, "body"));
        }
        long inbox = mailboxId(address, "INBOX");

        List<Long> uids = new ArrayList<>();
        String cursor = null;
        int pages = 0;
        do {
            Response page = get("/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages?limit=2"
                    + (cursor == null ? "" : "&cursor=" + cursor), admin());
            assertThat(page.status()).isEqualTo(200);
            page.json().path("items").forEach(item -> uids.add(item.path("uid").asLong()));
            cursor = page.json().path("nextCursor").isNull() ? null : page.json().path("nextCursor").asString();
            pages++;
        } while (cursor != null);

        assertThat(uids).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(pages).isEqualTo(3);
    }

    @Test
    void listsTheFactsOfEachMessage() {
        String address = newAccount();
        byte[] message = message("Quarterly report", "numbers");
        file(address, "facts", message);

        JsonNode item = get("/api/v1/accounts/" + address + "/mailboxes/" + mailboxId(address, "INBOX") + "/messages", admin())
                .json().path("items").get(0);

        assertThat(item.path("uid").asLong()).isEqualTo(1);
        assertThat(item.path("modSeq").asLong()).isEqualTo(2);
        assertThat(item.path("size").asLong()).isEqualTo(message.length);
        assertThat(item.path("subject").asString()).isEqualTo("Quarterly report");
        assertThat(item.path("from").asString()).isEqualTo("sender@example.org");
        assertThat(item.path("internalDate").asString()).isNotBlank();
        assertThat(item.path("flags").isArray()).isTrue();
    }

    @Test
    void answersNotFoundForMailboxesAndMessagesOutsideTheAccount() {
        String alice = newAccount();
        String bob = newAccount();
        Response bobs = file(bob, "bobs", message("private", "mail"));
        long bobsInbox = bobs.json().path("mailboxId").asLong();
        long bobsMessage = bobs.json().path("messageId").asLong();

        Response mailbox = get("/api/v1/accounts/" + alice + "/mailboxes/" + bobsInbox + "/messages", admin());
        Response message = get("/api/v1/accounts/" + alice + "/mailboxes/" + mailboxId(alice, "INBOX") + "/messages/" + bobsMessage, admin());
        Response raw = get("/api/v1/accounts/" + alice + "/mailboxes/" + mailboxId(alice, "INBOX") + "/messages/" + bobsMessage + "/raw", admin());

        assertThat(mailbox.status()).isEqualTo(404);
        assertThat(mailbox.code()).isEqualTo("mailbox-not-found");
        assertThat(message.status()).isEqualTo(404);
        assertThat(message.code()).isEqualTo("message-not-found");
        assertThat(raw.status()).isEqualTo(404);
        assertThat(raw.code()).isEqualTo("message-not-found");
    }

    @Test
    void anOwnerReadsTheirOwnMessages() {
        String address = newAccount();
        byte[] message = message("mine", "all mine");
        Response filed = file(address, "own", message);

        Response raw = get("/api/v1/accounts/" + address + "/mailboxes/" + filed.json().path("mailboxId").asLong()
                + "/messages/" + filed.json().path("messageId").asLong() + "/raw", basic(address, PASSWORD));

        assertThat(raw.status()).isEqualTo(200);
        assertThat(raw.body()).isEqualTo(message);
    }

    @Test
    void refusesMalformedIdsAndCursors() {
        String address = newAccount();
        long inbox = mailboxId(address, "INBOX");

        assertThat(get("/api/v1/accounts/" + address + "/mailboxes/not-a-number/messages", admin()).code()).isEqualTo("validation");
        assertThat(get("/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages?cursor=@@@", admin()).code()).isEqualTo("invalid-cursor");
        assertThat(get("/api/v1/accounts/" + address + "/mailboxes/" + inbox + "/messages?cursor=MTpub3Q", admin()).code())
                .isEqualTo("invalid-cursor");
    }
}
