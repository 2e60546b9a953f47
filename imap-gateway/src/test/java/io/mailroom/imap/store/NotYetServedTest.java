package io.mailroom.imap.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.model.DefaultMessageId;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.SessionProviderImpl;
import org.junit.jupiter.api.Test;

import reactor.core.publisher.Mono;

class NotYetServedTest {

    final MailboxApiMapperFactory factory = new MailboxApiMapperFactory(null);
    final MailboxSession alice = new SessionProviderImpl((user, password) -> false, (user, other) -> null)
            .createSystemSession(Username.of("alice@example.com"));

    @Test
    void reactiveCallsFailWithAMailboxException() {
        MessageMapper messages = factory.getMessageMapper(alice);
        assertThatThrownBy(() -> messages.listAllMessageUids(null).collectList().block())
                .hasCauseInstanceOf(MailboxException.class)
                .hasMessageContaining("MessageMapper.listAllMessageUids");
    }

    @Test
    void blockingCallsThatMayThrowAMailboxExceptionDoSo() {
        MessageMapper messages = factory.getMessageMapper(alice);
        assertThatThrownBy(() -> messages.countMessagesInMailbox(null))
                .isInstanceOf(MailboxException.class);
    }

    @Test
    void callsThatMayNotThrowAMailboxExceptionFailUnchecked() {
        MessageIdMapper ids = factory.getMessageIdMapper(alice);
        assertThatThrownBy(() -> ids.find(List.of(new DefaultMessageId()), FetchType.METADATA))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasCauseInstanceOf(MailboxException.class);
        // declares only a narrower MailboxException, so the failure cannot be thrown as is
        SubscriptionMapper subscriptions = factory.getSubscriptionMapper(alice);
        assertThatThrownBy(() -> subscriptions.findSubscriptionsForUser(alice.getUser()))
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void endOfRequestAndTransactionsStillWork() throws MailboxException {
        MessageMapper messages = factory.getMessageMapper(alice);
        factory.endProcessingRequest(alice);
        assertThat(messages.execute(() -> "ran")).isEqualTo("ran");
        assertThat(messages.executeReactive(Mono.just(1)).block()).isEqualTo(1);
    }

    @Test
    void theInboxOfTheSessionUserExistsAndNothingElseIsKnownYet() {
        var mailboxes = factory.getMailboxMapper(alice);
        assertThat(mailboxes.pathExists(MailboxPath.inbox(alice)).block()).isTrue();
        assertThatThrownBy(() -> mailboxes.pathExists(MailboxPath.forUser(alice.getUser(), "Archive")).block())
                .hasCauseInstanceOf(MailboxException.class);
        assertThatThrownBy(() -> mailboxes.pathExists(MailboxPath.inbox(Username.of("bob@example.com"))).block())
                .hasCauseInstanceOf(MailboxException.class);
    }
}
