package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

import io.mailroom.mailbox.client.store.MessagePage;
import io.mailroom.mailbox.message.MetadataJson;
import tools.jackson.databind.json.JsonMapper;

/**
 * The service's own JSON mapper writes metadata with MetadataJson, and what it sends is data binding's JSON: the same
 * tree (a fetch passes each envelope and body structure on as stored; rows stored as {@code jsonb} before V6 come with
 * their keys in PostgreSQL's order).
 */
class MetadataJsonIT extends MailboxApiITBase {

    @Autowired
    private JsonMapper serviceMapper;

    @Test
    void aFetchAnswersWithDataBindingsJsonForEveryPart() {
        assertThat(serviceMapper.registeredModules()).anyMatch(MetadataJson.class::isInstance);
        assertThat(MetadataJson.writesDatesDirectly(serviceMapper.serializationConfig()))
                .as("the service's mapper lets MetadataJson write dates itself").isTrue();
        String account = newAccount();
        byte[] message = ("From: Ann <ann@example.org>\r\nTo: Bob <bob@example.net>, undisclosed:;\r\n"
                + "Subject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nDate: Mon, 5 Jan 2026 10:00:00 +0000\r\nMessage-ID: <m1@example.org>\r\n"
                + "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\n"
                + "hello\r\n--b--\r\n").getBytes(java.nio.charset.StandardCharsets.UTF_8);
        assertThat(file(account, "m1", message).status()).isEqualTo(201);
        long inbox = mailboxId(account, "INBOX");

        Response fetched = post("/internal/v1/accounts/" + segment(account) + "/mailboxes/" + inbox + "/messages/fetch",
                internal(), Map.of("uids", "1:*", "include", List.of("ENVELOPE", "STRUCTURE", "HEADERS")));

        assertThat(fetched.status()).isEqualTo(200);
        MessagePage page = json.readValue(fetched.body(), MessagePage.class);
        assertThat(page.messages()).hasSize(1);
        assertThat(page.messages().getFirst().envelope().subject()).as("raw, as IMAP sends it").isEqualTo("=?UTF-8?Q?Gr=C3=BC=C3=9Fe?=");
        assertThat(page.messages().getFirst().envelope().to()).hasSize(3);
        assertThat(page.messages().getFirst().structure().parts()).hasSize(1);
        assertThat(json.readTree(fetched.text())).isEqualTo(json.readTree(json.writeValueAsString(page)));
        // a message filed now keeps its parts as mailbox-api wrote them (json, not jsonb): byte for byte data binding's
        assertThat(fetched.text()).isEqualTo(json.writeValueAsString(page));
        assertThat(json.readTree(fetched.text()).path("messages").path(0).path("envelope").path("from").path(0).path("name").asString())
                .isEqualTo("Ann");

        // the by-emailId route parses what it reads: both routes give the same envelope and structure
        long emailId = page.messages().getFirst().emailId();
        Response byEmailId = post("/internal/v1/accounts/" + segment(account) + "/messages/by-email-id", internal(),
                Map.of("emailIds", List.of(emailId), "include", List.of("ENVELOPE", "STRUCTURE")));
        assertThat(byEmailId.status()).isEqualTo(200);
        assertThat(json.readTree(byEmailId.text()).path(0).path("envelope"))
                .isEqualTo(json.readTree(fetched.text()).path("messages").path(0).path("envelope"));
        assertThat(json.readTree(byEmailId.text()).path(0).path("structure"))
                .isEqualTo(json.readTree(fetched.text()).path("messages").path(0).path("structure"));
    }
}
