package io.mailroom.imap.store;

import java.util.Collection;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxId;
import org.apache.james.mailbox.model.MessageId;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.store.search.MessageSearchIndex;

import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.UidSet;

import reactor.core.publisher.Flux;

/**
 * SEARCH (RFC 9051 §6.4.4, ESEARCH, WITHIN, CONDSTORE's MODSEQ) answered by mailbox-api in one call: the gateway never
 * reads messages to search them. Text criteria match what mailbox-api extracted at filing (decoded headers and the
 * text of {@code text/*} parts).
 */
public class MailboxApiSearchIndex implements MessageSearchIndex {

    private final MailboxApiMapperFactory mappers;

    public MailboxApiSearchIndex(MailboxApiMapperFactory mappers) {
        this.mappers = mappers;
    }

    @Override
    public Flux<MessageUid> search(MailboxSession session, Mailbox mailbox, SearchQuery searchQuery) throws MailboxException {
        SearchCriterion criterion = SearchQueries.toApi(searchQuery);
        SessionStore store = mappers.store(session);
        long mailboxId = ApiMailboxId.value(mailbox.getMailboxId());
        return StoreFailures.flux("search", () -> store.client().search(store.account(), mailboxId, criterion))
                .map(MessageUid::of);
    }

    @Override
    public Flux<MessageId> search(MailboxSession session, Collection<MailboxId> mailboxIds, SearchQuery searchQuery, long limit)
            throws MailboxException {
        SearchCriterion criterion = SearchQueries.toApi(searchQuery);
        SessionStore store = mappers.store(session);
        return Flux.fromIterable(mailboxIds)
                .concatMap(mailboxId -> StoreFailures.flux("search", () -> {
                    long id = ApiMailboxId.value(mailboxId);
                    List<Long> uids = store.client().search(store.account(), id, criterion);
                    if (uids.isEmpty()) {
                        return List.<MessageMetadata>of();
                    }
                    return store.client().fetchAll(store.account(), id, UidSet.of(uids),
                            new FetchOptions(Set.of(), null, FetchOptions.MAX_LIMIT));
                }))
                .map(message -> (MessageId) new ApiMessageId(message.emailId()))
                .distinct()
                .take(limit);
    }

    @Override
    public EnumSet<MailboxManager.SearchCapabilities> getSupportedCapabilities(
            EnumSet<MailboxManager.MessageCapabilities> messageCapabilities) {
        return EnumSet.of(MailboxManager.SearchCapabilities.MultimailboxSearch, MailboxManager.SearchCapabilities.Text,
                MailboxManager.SearchCapabilities.FullText, MailboxManager.SearchCapabilities.PartialEmailMatch);
    }
}
