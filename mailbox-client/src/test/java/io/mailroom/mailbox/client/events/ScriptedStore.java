package io.mailroom.mailbox.client.events;

import java.io.InputStream;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.store.ExpungeResult;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.FlagUpdateResult;
import io.mailroom.mailbox.client.store.MailboxAnnotation;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxRole;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePage;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.QuotaUsage;
import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.TransferResult;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * A {@link MailboxStoreClient} that answers "changes since" from a script and nothing else: enough to see what the
 * subscribers do when they catch up, without a mailbox-api (the real path is tested in mailbox-api's ChangeEventsIT).
 */
final class ScriptedStore implements MailboxStoreClient {

    /** The answer for a mailbox; asked with the MODSEQ the subscription knew. */
    final Map<Long, MailboxChanges> changes = new ConcurrentHashMap<>();
    final Map<Long, Long> askedSince = new ConcurrentHashMap<>();

    static MessageMetadata message(long mailboxId, long uid, long modSeq) {
        return new MessageMetadata(mailboxId, uid, modSeq, uid, uid, Set.of(), Instant.EPOCH, Instant.EPOCH, 10, 5, 1,
                "text", "plain", 1L, null, null, null);
    }

    @Override
    public MailboxChanges changesSince(String account, long mailboxId, long sinceModSeq, int limit) {
        askedSince.put(mailboxId, sinceModSeq);
        MailboxChanges answer = changes.get(mailboxId);
        if (answer == null) {
            throw new MailboxApiException(404, "mailbox-not-found", "no mailbox " + mailboxId);
        }
        return answer;
    }

    @Override
    public List<MailboxInfo> listMailboxes(String account) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<MailboxInfo> mailbox(String account, long mailboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public Optional<MailboxInfo> mailboxByName(String account, String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MailboxInfo createMailbox(String account, String name, MailboxRole role) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<MailboxInfo> renameMailbox(String account, long mailboxId, String newName) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void deleteMailbox(String account, long mailboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<String> subscriptions(String account) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void subscribe(String account, String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void unsubscribe(String account, String name) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MessagePage fetch(String account, long mailboxId, UidSet uids, FetchOptions options) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<MessageMetadata> findByEmailIds(String account, Collection<Long> emailIds, Set<MessagePart> include) {
        throw new UnsupportedOperationException();
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid) {
        throw new UnsupportedOperationException();
    }

    @Override
    public InputStream openMessage(String account, long mailboxId, long uid, long offset, long length) {
        throw new UnsupportedOperationException();
    }

    @Override
    public MessageMetadata append(String account, long mailboxId, InputStream content, long size, Set<String> flags,
                                  Instant internalDate) {
        throw new UnsupportedOperationException();
    }

    @Override
    public FlagUpdateResult updateFlags(String account, long mailboxId, UidSet uids, FlagUpdate update, Long unchangedSince) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TransferResult copy(String account, long fromMailboxId, UidSet uids, long toMailboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public TransferResult move(String account, long fromMailboxId, UidSet uids, long toMailboxId) {
        throw new UnsupportedOperationException();
    }

    @Override
    public ExpungeResult expunge(String account, long mailboxId, UidSet uids, boolean deletedOnly) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<Long> search(String account, long mailboxId, SearchCriterion criterion) {
        throw new UnsupportedOperationException();
    }

    @Override
    public QuotaUsage quota(String account) {
        throw new UnsupportedOperationException();
    }

    @Override
    public List<MailboxAnnotation> annotations(String account, long mailboxId, Set<String> keys, MailboxAnnotation.Depth depth) {
        throw new UnsupportedOperationException();
    }

    @Override
    public void setAnnotations(String account, long mailboxId, List<MailboxAnnotation> annotations) {
        throw new UnsupportedOperationException();
    }
}
