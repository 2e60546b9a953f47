package io.mailroom.pop3.maildrop;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.apache.james.protocols.pop3.mailbox.MessageMetaData;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.pop3.InMemoryMailboxApi;

class MailboxApiMaildropTest {

    static final String ALICE = "alice@example.com";

    InMemoryMailboxApi api = new InMemoryMailboxApi();
    MailboxApiMaildrop maildrop;

    @BeforeEach
    void setUp() {
        api.createAccount(ALICE, "pw", 7);
        api.deliver(ALICE, 3, "a\r\n".getBytes(StandardCharsets.US_ASCII));
        api.deliver(ALICE, 5, "bcd\r\n".getBytes(StandardCharsets.US_ASCII));
        maildrop = new MailboxApiMaildrop(api, new AuthenticatedAccount(1, ALICE));
    }

    @Test
    void readsTheMaildropOnceAndKeepsItsNumbering() throws IOException {
        assertThat(maildrop.getMessages()).extracting(MessageMetaData::getUid, MessageMetaData::getSize)
                .containsExactly(tuple("3", 3L), tuple("5", 5L));
        api.deliver(ALICE, 9, "new\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(maildrop.getMessages()).hasSize(2);
        assertThat(api.maildropCalls()).isEqualTo(1);
    }

    @Test
    void uidlValueIsUidValidityDotUid() throws IOException {
        MessageMetaData first = maildrop.getMessages().getFirst();
        assertThat(first.getUid(maildrop.getIdentifier())).isEqualTo("7.3");
    }

    @Test
    void aMessageGoneMeanwhileIsAnIoException() throws IOException {
        maildrop.getMessages();
        api.expunge(ALICE, api.mailboxId(ALICE), List.of(5L));
        assertThatThrownBy(() -> maildrop.getMessage("5")).isInstanceOf(IOException.class);
        try (InputStream in = maildrop.getMessage("3")) {
            assertThat(in.readAllBytes()).isEqualTo("a\r\n".getBytes(StandardCharsets.US_ASCII));
        }
    }

    @Test
    void anUnreachableMailboxApiIsNotMistakenForAMissingMessage() throws IOException {
        maildrop.getMessages();
        api.setUnavailable(true);
        assertThatThrownBy(() -> maildrop.getMessage("3")).isInstanceOf(MailboxApiUnavailableException.class);
    }

    @Test
    void removesOnlyWhatItIsGivenAndNothingWhenGivenNothing() throws IOException {
        maildrop.remove();
        assertThat(api.expunges()).isEmpty();
        maildrop.remove("5");
        assertThat(api.expunges()).containsExactly(new InMemoryMailboxApi.Expunge(ALICE, api.mailboxId(ALICE), List.of(5L)));
    }

    @Test
    void aClosedMaildropRefusesWork() {
        maildrop.close();
        assertThatThrownBy(() -> maildrop.getMessages()).isInstanceOf(IOException.class);
    }
}
