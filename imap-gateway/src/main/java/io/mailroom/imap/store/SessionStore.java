package io.mailroom.imap.store;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import org.apache.james.core.Username;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;

import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MailboxStoreClient;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * What the mappers of one IMAP session share: the account, the client, and a cache of what mailbox-api said during
 * the current command.
 *
 * <p><b>Why only per command.</b> Other writers (delivery-service, other replicas, REST) change mailboxes at any
 * time, so nothing read in one command is trusted in the next. Within a command, James asks the same question many
 * times (SELECT zips UIDNEXT, HIGHESTMODSEQ, first unseen and counters; LIST with CHILDREN asks about children once
 * per mailbox): those come from one answer. Writes made by this session drop the cache at once. The command boundary
 * is {@link MailboxApiMapperFactory#endProcessingRequest}, which the gateway calls after every command.
 */
final class SessionStore {

    private final MailboxStoreClient client;
    private final String account;
    private final Username user;
    private final MailboxDirectory directory;
    private final LocalChanges localChanges;

    private volatile List<MailboxInfo> mailboxes;
    private final Map<Long, MailboxInfo> infos = new ConcurrentHashMap<>();
    /** Names and UIDVALIDITY only (never counters), kept a few seconds across commands: see {@link #entity}. */
    private final Map<Long, Entity> entities = new ConcurrentHashMap<>();

    private record Entity(MailboxInfo info, long readAtNanos) {
    }

    /**
     * The UID ranges the current command will read one by one (James's FETCH asks the store range by range), read in
     * one call at the first of them; per set of parts read.
     */
    record ReadAhead(long mailboxId, List<UidSet.Range> ranges, Map<Set<MessagePart>, List<MessageMetadata>> read) {

        boolean covers(long mailbox, UidSet uids) {
            return mailbox == mailboxId && uids.ranges().stream().allMatch(asked -> ranges.stream()
                    .anyMatch(announced -> announced.from() <= asked.from() && asked.to() <= announced.to()));
        }

        UidSet uids() {
            return new UidSet(ranges);
        }
    }

    private volatile ReadAhead readAhead;

    /**
     * The current command reads whole messages only (FETCH BODY[], BODY.PEEK[], RFC822 and their partials, with
     * nothing that needs the header block or the MIME tree): its reads of James's {@code FULL} type need the basic
     * metadata alone, as the bytes are streamed from the raw message.
     */
    private volatile boolean wholeMessagesOnly;

    /** How long a mailbox's name and UIDVALIDITY are trusted across commands. */
    static final long ENTITY_TTL_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(5);

    SessionStore(MailboxStoreClient client, MailboxSession session, AccountResolver accounts,
                 MailboxDirectory directory, LocalChanges localChanges) {
        this.client = BackendCalls.inCommandOf(client, session);
        this.account = accounts.account(session);
        this.user = session.getUser();
        this.directory = directory;
        this.localChanges = localChanges;
    }

    MailboxStoreClient client() {
        return client;
    }

    String account() {
        return account;
    }

    Username user() {
        return user;
    }

    LocalChanges localChanges() {
        return localChanges;
    }

    /** Every mailbox of the account, read once per command. */
    List<MailboxInfo> mailboxes() throws MailboxException {
        List<MailboxInfo> known = mailboxes;
        if (known == null) {
            known = StoreFailures.call("list mailboxes", () -> client.listMailboxes(account));
            known.forEach(this::remember);
            mailboxes = known;
        }
        return known;
    }

    /** A mailbox's current state, read once per command. */
    MailboxInfo info(long mailboxId) throws MailboxException {
        MailboxInfo known = infos.get(mailboxId);
        if (known != null) {
            return known;
        }
        Optional<MailboxInfo> read = StoreFailures.call("read mailbox", () -> client.mailbox(account, mailboxId));
        MailboxInfo info = read.orElseThrow(() -> new MailboxNotFoundException(ApiMailboxId.of(mailboxId)));
        remember(info);
        return info;
    }

    /**
     * A mailbox's identity (name, UIDVALIDITY) for commands on the selected mailbox: James looks the selected mailbox
     * up by id at every FETCH, STORE, SEARCH…, which would cost a call each time. UIDVALIDITY never changes for an id;
     * a rename made elsewhere shows within {@link #ENTITY_TTL_NANOS}. Counters always come from {@link #info}.
     */
    MailboxInfo entity(long mailboxId) throws MailboxException {
        Entity known = entities.get(mailboxId);
        if (known != null && System.nanoTime() - known.readAtNanos() < ENTITY_TTL_NANOS) {
            return known.info();
        }
        return info(mailboxId);
    }

    /** The current command will read these UID ranges of the mailbox, one range after the other. */
    void announceReads(long mailboxId, List<UidSet.Range> ranges) {
        readAhead = new ReadAhead(mailboxId, List.copyOf(ranges), new ConcurrentHashMap<>());
    }

    /** The current command reads whole messages and nothing else of them: see {@link #wholeMessagesOnly}. */
    void wholeMessageReads(boolean only) {
        wholeMessagesOnly = only;
    }

    boolean wholeMessagesOnly() {
        return wholeMessagesOnly;
    }

    /** What the current command announced it will read, if it covers these UIDs; null otherwise. */
    ReadAhead readAhead(long mailboxId, UidSet uids) {
        ReadAhead announced = readAhead;
        return announced != null && announced.covers(mailboxId, uids) ? announced : null;
    }

    /** After this session created, renamed or deleted mailboxes. */
    void mailboxesChanged() {
        entities.clear();
        changed();
    }

    Optional<MailboxInfo> infoByName(String apiName) throws MailboxException {
        List<MailboxInfo> listed = mailboxes;
        if (listed != null) {
            return listed.stream().filter(info -> sameName(info.name(), apiName)).findFirst();
        }
        Optional<MailboxInfo> read = StoreFailures.call("find mailbox", () -> client.mailboxByName(account, apiName));
        read.ifPresent(this::remember);
        return read;
    }

    void remember(MailboxInfo info) {
        infos.put(info.id(), info);
        entities.put(info.id(), new Entity(info, System.nanoTime()));
        directory.remember(info.id(), account, info.highestModSeq());
    }

    /** After a write by this session: what was read before it is stale. */
    void changed() {
        mailboxes = null;
        infos.clear();
        readAhead = null;
    }

    /** At the end of a command. */
    void endCommand() {
        changed();
        wholeMessagesOnly = false;
    }

    private static boolean sameName(String a, String b) {
        return a.equals(b) || ("INBOX".equalsIgnoreCase(a) && "INBOX".equalsIgnoreCase(b));
    }
}
