package io.mailroom.imap.store;

import java.util.Collection;
import java.util.List;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.UnsupportedOperationException;
import org.apache.james.mailbox.model.ComposedMessageIdWithMetaData;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper.FetchType;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.model.MessageRange;

import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.Multimap;

import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePart;

import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Messages by emailId across the account's mailboxes (James's {@link MessageIdMapper}: OBJECTID's EMAILID, and the
 * message-id based operations of James's store). Reads are one call for all the ids asked; writes go through the
 * message mapper of each mailbox concerned, so they are batched and recorded like any other write.
 */
class MailboxApiMessageIdMapper implements MessageIdMapper {

    private final SessionStore store;
    private final MailboxApiMessageMapper messages;

    MailboxApiMessageIdMapper(SessionStore store, MailboxApiMessageMapper messages) {
        this.store = store;
        this.messages = messages;
    }

    @Override
    public List<MailboxMessage> find(Collection<MessageId> messageIds, FetchType fetchType) {
        Set<MessagePart> parts = MailboxApiMessageMapper.parts(fetchType);
        return read(messageIds, parts).stream()
                .<MailboxMessage>map(message -> new ApiMailboxMessage(store.client(), store.account(), message))
                .toList();
    }

    @Override
    public Publisher<ComposedMessageIdWithMetaData> findMetadata(MessageId messageId) {
        return Flux.defer(() -> Flux.fromIterable(find(List.of(messageId), FetchType.METADATA)))
                .map(MailboxMessage::getComposedMessageIdWithMetaData);
    }

    @Override
    public List<MailboxId> findMailboxes(MessageId messageId) {
        return read(List.of(messageId), Set.of()).stream()
                .map(message -> (MailboxId) ApiMailboxId.of(message.mailboxId()))
                .distinct()
                .toList();
    }

    @Override
    public void save(MailboxMessage mailboxMessage) throws MailboxException {
        throw new UnsupportedOperationException("messages are added through their mailbox, never by emailId");
    }

    @Override
    public void copyInMailbox(MailboxMessage mailboxMessage, Mailbox mailbox) throws MailboxException {
        messages.copy(mailbox, List.of(mailboxMessage));
    }

    @Override
    public void delete(MessageId messageId) {
        delete(messageId, findMailboxes(messageId));
    }

    @Override
    public void delete(MessageId messageId, Collection<MailboxId> mailboxIds) {
        for (MailboxMessage message : find(List.of(messageId), FetchType.METADATA)) {
            if (mailboxIds.contains(message.getMailboxId())) {
                unchecked(() -> messages.deleteMessages(mailbox(message.getMailboxId()), List.of(message.getUid())));
            }
        }
    }

    @Override
    public Mono<Multimap<MailboxId, UpdatedFlags>> setFlags(MessageId messageId, List<MailboxId> mailboxIds, Flags newState,
                                                             MessageManager.FlagsUpdateMode updateMode) {
        return Mono.fromCallable(() -> {
            ImmutableListMultimap.Builder<MailboxId, UpdatedFlags> updated = ImmutableListMultimap.builder();
            FlagsUpdateCalculator calculator = new FlagsUpdateCalculator(newState, updateMode);
            for (MailboxMessage message : find(List.of(messageId), FetchType.METADATA)) {
                if (mailboxIds.contains(message.getMailboxId())) {
                    messages.updateFlags(mailbox(message.getMailboxId()), calculator, MessageRange.one(message.getUid()))
                            .forEachRemaining(flags -> updated.put(message.getMailboxId(), flags));
                }
            }
            return (Multimap<MailboxId, UpdatedFlags>) updated.build();
        });
    }

    private Mailbox mailbox(MailboxId id) throws MailboxException {
        return MailboxNames.toMailbox(store.info(ApiMailboxId.value(id)), store.user());
    }

    private List<MessageMetadata> read(Collection<MessageId> messageIds, Set<MessagePart> parts) {
        List<Long> ids = messageIds.stream().map(ApiMessageId::value).filter(id -> id > 0).toList();
        if (ids.isEmpty()) {
            return List.of();
        }
        return unchecked(() -> StoreFailures.call("find by emailId", () -> store.client().findByEmailIds(store.account(), ids, parts)));
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws MailboxException;
    }

    private static <T> T unchecked(Call<T> call) {
        try {
            return call.call();
        } catch (MailboxException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
