package io.mailroom.imap.store;

import java.io.InputStream;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MailboxCounters;
import org.apache.james.mailbox.model.MessageMetaData;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.FlagsUpdateCalculator;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.model.MailboxMessage;
import org.apache.james.mailbox.model.ThreadId;

import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.store.ExpungeResult;
import io.mailroom.mailbox.client.store.FetchOptions;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.FlagUpdateResult;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.TransferResult;
import io.mailroom.mailbox.client.store.UidSet;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The messages of the account's mailboxes (RFC 9051 §6.4), one mailbox-api call per IMAP command whatever the size of
 * its UID range: FETCH reads the range's metadata in one paged call, STORE changes flags in one call, COPY / MOVE /
 * EXPUNGE send the UID set, and the counters SELECT and STATUS need come from one read of the mailbox. UIDs and
 * MODSEQs are never computed here: each write answers with what mailbox-api assigned.
 *
 * <p>Every write is recorded in {@link LocalChanges}, so that its change event is not announced twice.
 */
class MailboxApiMessageMapper implements MessageMapper {

    /** ENVELOPE, BODY[HEADER…]: the header block only. */
    private static final Set<MessagePart> HEADER_PARTS = EnumSet.of(MessagePart.HEADERS);
    /** BODYSTRUCTURE, BODY, BODY[…] (James's message properties come from the MIME tree). */
    private static final Set<MessagePart> HEADER_AND_STRUCTURE_PARTS = EnumSet.of(MessagePart.HEADERS, MessagePart.STRUCTURE);

    private final SessionStore store;
    /** The UIDs the last EXPUNGE found marked \Deleted: deleting exactly those removes only what is still marked. */
    private volatile List<MessageUid> deletionCandidates = List.of();

    MailboxApiMessageMapper(SessionStore store) {
        this.store = store;
    }

    // ---- reads ----

    @Override
    public Iterator<MailboxMessage> findInMailbox(Mailbox mailbox, MessageRange set, FetchType type, int limit)
            throws MailboxException {
        return read(mailbox, set, type, limit).iterator();
    }

    @Override
    public Flux<MailboxMessage> findInMailboxReactive(Mailbox mailbox, MessageRange set, FetchType type, int limit) {
        return StoreFailures.flux("fetch", () -> read(mailbox, set, type, limit));
    }

    private List<MailboxMessage> read(Mailbox mailbox, MessageRange set, FetchType type, int limit) throws MailboxException {
        Optional<UidSet> uids = UidSets.of(set);
        if (uids.isEmpty()) {
            return List.of();
        }
        long mailboxId = ApiMailboxId.value(mailbox.getMailboxId());
        Set<MessagePart> parts = type == FetchType.FULL && store.wholeMessagesOnly() ? Set.of() : parts(type);
        FetchOptions options = new FetchOptions(parts, null,
                limit > 0 ? Math.min(limit, FetchOptions.MAX_LIMIT) : FetchOptions.MAX_LIMIT);
        SessionStore.ReadAhead ahead = limit > 0 ? null : store.readAhead(mailboxId, uids.get());
        List<MessageMetadata> messages = ahead != null
                ? readAhead(ahead, uids.get(), options)
                : StoreFailures.call("fetch", () -> limit > 0
                        ? store.client().fetch(store.account(), mailboxId, uids.get(), options).messages()
                        : store.client().fetchAll(store.account(), mailboxId, uids.get(), options));
        List<MailboxMessage> result = new ArrayList<>(messages.size());
        for (MessageMetadata message : messages) {
            if (limit > 0 && result.size() >= limit) {
                break;
            }
            result.add(new ApiMailboxMessage(store.client(), store.account(), message));
        }
        return result;
    }

    /**
     * A range of a FETCH of several ranges: the first one reads every range the command announced in one call, the
     * others take their messages from that answer.
     */
    private List<MessageMetadata> readAhead(SessionStore.ReadAhead ahead, UidSet uids, FetchOptions options)
            throws MailboxException {
        List<MessageMetadata> all = ahead.read().get(options.include());
        if (all == null) {
            all = StoreFailures.call("fetch",
                    () -> store.client().fetchAll(store.account(), ahead.mailboxId(), ahead.uids(), options));
            ahead.read().put(options.include(), all);
        }
        return all.stream().filter(message -> uids.contains(message.uid())).toList();
    }

    /**
     * What a read of this fetch type asks mailbox-api for. James asks for {@code HEADERS} for ENVELOPE and
     * BODY[HEADER…] (its HEADERS profile), which read the header block only; the MIME tree (a good part of each
     * message's answer, to write in mailbox-api and to decode here) is read for BODYSTRUCTURE, BODY and body
     * sections, which James asks for as {@code FULL}.
     */
    static Set<MessagePart> parts(FetchType type) {
        return switch (type) {
            case METADATA -> Set.of();
            case HEADERS -> HEADER_PARTS;
            case ATTACHMENTS_METADATA, FULL -> HEADER_AND_STRUCTURE_PARTS;
        };
    }

    @Override
    public List<MessageUid> retrieveMessagesMarkedForDeletion(Mailbox mailbox, MessageRange messageRange)
            throws MailboxException {
        Optional<UidSet> uids = UidSets.of(messageRange);
        if (uids.isEmpty()) {
            return List.of();
        }
        List<MessageUid> marked = search(mailbox, SearchCriterion.and(SearchCriterion.uids(uids.get()),
                SearchCriterion.flagSet(io.mailroom.mailbox.client.store.Flags.DELETED)));
        deletionCandidates = marked;
        return marked;
    }

    @Override
    public Flux<MessageUid> retrieveMessagesMarkedForDeletionReactive(Mailbox mailbox, MessageRange messageRange) {
        return StoreFailures.flux("find deleted messages", () -> retrieveMessagesMarkedForDeletion(mailbox, messageRange));
    }

    @Override
    public long countMessagesInMailbox(Mailbox mailbox) throws MailboxException {
        return info(mailbox).messages();
    }

    @Override
    public MailboxCounters getMailboxCounters(Mailbox mailbox) throws MailboxException {
        MailboxInfo info = info(mailbox);
        return MailboxCounters.builder()
                .mailboxId(mailbox.getMailboxId())
                .count(info.messages())
                .unseen(info.unseen())
                .build();
    }

    @Override
    public Mono<MailboxCounters> getMailboxCountersReactive(Mailbox mailbox) {
        return StoreFailures.mono("count messages", () -> getMailboxCounters(mailbox));
    }

    @Override
    public MessageUid findFirstUnseenMessageUid(Mailbox mailbox) throws MailboxException {
        Long first = info(mailbox).firstUnseen();
        return first == null ? null : MessageUid.of(first);
    }

    @Override
    public Mono<Optional<MessageUid>> findFirstUnseenMessageUidReactive(Mailbox mailbox) {
        return StoreFailures.mono("find first unseen", () -> Optional.ofNullable(findFirstUnseenMessageUid(mailbox)));
    }

    @Override
    public List<MessageUid> findRecentMessageUidsInMailbox(Mailbox mailbox) throws MailboxException {
        if (info(mailbox).recent() == 0) {
            return List.of();
        }
        return search(mailbox, SearchCriterion.flagSet(io.mailroom.mailbox.client.store.Flags.RECENT));
    }

    @Override
    public Mono<List<MessageUid>> findRecentMessageUidsInMailboxReactive(Mailbox mailbox) {
        return StoreFailures.mono("find recent", () -> findRecentMessageUidsInMailbox(mailbox));
    }

    @Override
    public Optional<MessageUid> getLastUid(Mailbox mailbox) throws MailboxException {
        long uidNext = info(mailbox).uidNext();
        return uidNext > 1 ? Optional.of(MessageUid.of(uidNext - 1)) : Optional.empty();
    }

    @Override
    public Mono<Optional<MessageUid>> getLastUidReactive(Mailbox mailbox) {
        return StoreFailures.mono("read UIDNEXT", () -> getLastUid(mailbox));
    }

    @Override
    public ModSeq getHighestModSeq(Mailbox mailbox) throws MailboxException {
        return ModSeq.of(info(mailbox).highestModSeq());
    }

    @Override
    public Mono<ModSeq> getHighestModSeqReactive(Mailbox mailbox) {
        return StoreFailures.mono("read HIGHESTMODSEQ", () -> getHighestModSeq(mailbox));
    }

    /** The flags clients may see in FLAGS: the system flags, and every keyword set in the mailbox. */
    @Override
    public Flags getApplicableFlag(Mailbox mailbox) throws MailboxException {
        Flags flags = new Flags();
        flags.add(Flags.Flag.ANSWERED);
        flags.add(Flags.Flag.DELETED);
        flags.add(Flags.Flag.DRAFT);
        flags.add(Flags.Flag.FLAGGED);
        flags.add(Flags.Flag.SEEN);
        info(mailbox).keywords().forEach(flags::add);
        return flags;
    }

    @Override
    public Mono<Flags> getApplicableFlagReactive(Mailbox mailbox) {
        return StoreFailures.mono("read keywords", () -> getApplicableFlag(mailbox));
    }

    @Override
    public Flux<MessageUid> listAllMessageUids(Mailbox mailbox) {
        return StoreFailures.flux("list UIDs", () -> search(mailbox, SearchCriterion.all()));
    }

    List<MessageUid> search(Mailbox mailbox, SearchCriterion criterion) throws MailboxException {
        long mailboxId = ApiMailboxId.value(mailbox.getMailboxId());
        List<Long> uids = StoreFailures.call("search", () -> store.client().search(store.account(), mailboxId, criterion));
        return uids.stream().map(MessageUid::of).toList();
    }

    private MailboxInfo info(Mailbox mailbox) throws MailboxException {
        return store.info(ApiMailboxId.value(mailbox.getMailboxId()));
    }

    // ---- writes ----

    @Override
    public MessageMetaData add(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        long mailboxId = ApiMailboxId.value(mailbox.getMailboxId());
        Set<String> flags = ImapFlags.toApi(message.createFlags());
        MessageMetadata added = write(mailboxId, "append", () -> {
            try (InputStream content = message.getFullContent()) {
                return store.client().append(store.account(), mailboxId, content, message.getFullContentOctets(),
                        flags, message.getInternalDate().toInstant());
            }
        });
        store.localChanges().record(mailboxId, Kind.MESSAGES_ADDED, added.uid(), added.modSeq());
        message.setUid(MessageUid.of(added.uid()));
        message.setModSeq(ModSeq.of(added.modSeq()));
        return metaData(added);
    }

    @Override
    public Mono<MessageMetaData> addReactive(Mailbox mailbox, MailboxMessage message) {
        return StoreFailures.mono("append", () -> add(mailbox, message));
    }

    @Override
    public Iterator<UpdatedFlags> updateFlags(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange set)
            throws MailboxException {
        return updateFlagsList(mailbox, FlagsUpdates.toApi(calculator), set).iterator();
    }

    @Override
    public Mono<List<UpdatedFlags>> updateFlagsReactive(Mailbox mailbox, FlagsUpdateCalculator calculator, MessageRange set) {
        return StoreFailures.mono("store flags", () -> updateFlagsList(mailbox, FlagsUpdates.toApi(calculator), set));
    }

    private List<UpdatedFlags> updateFlagsList(Mailbox mailbox, FlagUpdate update, MessageRange set) throws MailboxException {
        Optional<UidSet> uids = UidSets.of(set);
        if (uids.isEmpty()) {
            return List.of();
        }
        return updateFlags(mailbox, update, uids.get());
    }

    private List<UpdatedFlags> updateFlags(Mailbox mailbox, FlagUpdate update, UidSet uids) throws MailboxException {
        return storeFlags(mailbox, update, uids, null).updated();
    }

    /**
     * A STORE on a whole UID set in one call; with {@code unchangedSince}, mailbox-api tests each message's MODSEQ and
     * changes it under the mailbox's lock (RFC 7162 §3.1.3), so that of two writers holding the same MODSEQ only one
     * wins, whichever replica each runs on.
     */
    StoredFlags storeFlags(Mailbox mailbox, FlagUpdate update, UidSet uids, Long unchangedSince) throws MailboxException {
        long mailboxId = ApiMailboxId.value(mailbox.getMailboxId());
        FlagUpdateResult result = write(mailboxId, "store flags",
                () -> store.client().updateFlags(store.account(), mailboxId, uids, update, unchangedSince));
        List<UpdatedFlags> updated = new ArrayList<>(result.updated().size());
        for (FlagUpdateResult.Updated message : result.updated()) {
            if (message.changed()) {
                store.localChanges().record(mailboxId, Kind.FLAGS_CHANGED, message.uid(), message.modSeq());
            }
            updated.add(UpdatedFlags.builder()
                    .uid(MessageUid.of(message.uid()))
                    .messageId(new ApiMessageId(message.emailId()))
                    .modSeq(ModSeq.of(message.modSeq()))
                    .oldFlags(ImapFlags.toJames(message.oldFlags()))
                    .newFlags(ImapFlags.toJames(message.newFlags()))
                    .build());
        }
        return new StoredFlags(updated, result.modified().stream().map(MessageUid::of).toList(),
                ModSeq.of(result.highestModSeq()));
    }

    /** SELECT clears \Recent (RFC 3501 §2.3.2): one search for the recent messages, one store for all of them. */
    @Override
    public List<UpdatedFlags> resetRecent(Mailbox mailbox) throws MailboxException {
        List<MessageUid> recent = findRecentMessageUidsInMailbox(mailbox);
        if (recent.isEmpty()) {
            return List.of();
        }
        UidSet uids = UidSet.of(recent.stream().map(MessageUid::asLong).toList());
        return updateFlags(mailbox, FlagUpdate.remove(io.mailroom.mailbox.client.store.Flags.RECENT), uids).stream()
                .filter(flags -> !flags.getOldFlags().equals(flags.getNewFlags()))
                .toList();
    }

    @Override
    public Mono<List<UpdatedFlags>> resetRecentReactive(Mailbox mailbox) {
        return StoreFailures.mono("reset recent", () -> resetRecent(mailbox));
    }

    @Override
    public void delete(Mailbox mailbox, MailboxMessage message) throws MailboxException {
        deleteMessages(mailbox, List.of(message.getUid()));
    }

    @Override
    public Map<MessageUid, MessageMetaData> deleteMessages(Mailbox mailbox, List<MessageUid> uids) throws MailboxException {
        if (uids.isEmpty()) {
            return Map.of();
        }
        long mailboxId = ApiMailboxId.value(mailbox.getMailboxId());
        // EXPUNGE asked which messages are marked, then deletes them: let mailbox-api check the mark again under its
        // lock, so that a concurrent STORE -FLAGS \Deleted wins. REPLACE deletes unmarked messages: no check then.
        boolean deletedOnly = uids.equals(deletionCandidates);
        deletionCandidates = List.of();
        return expunge(mailboxId, UidSet.of(uids.stream().map(MessageUid::asLong).toList()), deletedOnly);
    }

    private Map<MessageUid, MessageMetaData> expunge(long mailboxId, UidSet set, boolean deletedOnly)
            throws MailboxException {
        ExpungeResult result = write(mailboxId, "expunge",
                () -> store.client().expunge(store.account(), mailboxId, set, deletedOnly));
        Map<MessageUid, MessageMetaData> removed = new LinkedHashMap<>();
        for (MessageMetadata message : result.expunged()) {
            store.localChanges().record(mailboxId, Kind.MESSAGES_EXPUNGED, message.uid(), message.modSeq());
            removed.put(MessageUid.of(message.uid()), metaData(message));
        }
        return removed;
    }

    /**
     * EXPUNGE of a range in one call: mailbox-api removes the messages of the range marked \Deleted at that moment,
     * under the mailbox's lock, and answers with what it removed.
     */
    Map<MessageUid, MessageMetaData> expungeMarked(Mailbox mailbox, MessageRange range) throws MailboxException {
        Optional<UidSet> uids = UidSets.of(range);
        if (uids.isEmpty()) {
            return Map.of();
        }
        return expunge(ApiMailboxId.value(mailbox.getMailboxId()), uids.get(), true);
    }

    @Override
    public Mono<Map<MessageUid, MessageMetaData>> deleteMessagesReactive(Mailbox mailbox, List<MessageUid> uids) {
        return StoreFailures.mono("expunge", () -> deleteMessages(mailbox, uids));
    }

    @Override
    public MessageMetaData copy(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        return copy(mailbox, List.of(original)).getFirst();
    }

    @Override
    public List<MessageMetaData> copy(Mailbox mailbox, List<MailboxMessage> originals) throws MailboxException {
        return transfer(mailbox, originals, false);
    }

    @Override
    public Mono<MessageMetaData> copyReactive(Mailbox mailbox, MailboxMessage original) {
        return StoreFailures.mono("copy", () -> copy(mailbox, original));
    }

    @Override
    public Mono<List<MessageMetaData>> copyReactive(Mailbox mailbox, List<MailboxMessage> originals) {
        return StoreFailures.mono("copy", () -> copy(mailbox, originals));
    }

    @Override
    public MessageMetaData move(Mailbox mailbox, MailboxMessage original) throws MailboxException {
        return move(mailbox, List.of(original)).getFirst();
    }

    @Override
    public List<MessageMetaData> move(Mailbox mailbox, List<MailboxMessage> originals) throws MailboxException {
        return transfer(mailbox, originals, true);
    }

    @Override
    public Mono<MessageMetaData> moveReactive(Mailbox mailbox, MailboxMessage original) {
        return StoreFailures.mono("move", () -> move(mailbox, original));
    }

    /** One MOVE, one call (James's default moves message by message). */
    @Override
    public Mono<List<MessageMetaData>> moveReactive(Mailbox mailbox, List<MailboxMessage> originals) {
        return StoreFailures.mono("move", () -> move(mailbox, originals));
    }

    private List<MessageMetaData> transfer(Mailbox target, List<MailboxMessage> originals, boolean move)
            throws MailboxException {
        if (originals.isEmpty()) {
            return List.of();
        }
        long from = ApiMailboxId.value(originals.getFirst().getMailboxId());
        long to = ApiMailboxId.value(target.getMailboxId());
        UidSet uids = UidSet.of(originals.stream().map(message -> message.getUid().asLong()).toList());
        store.localChanges().begin(from);
        TransferResult result;
        try {
            result = write(to, move ? "move" : "copy", () -> move
                    ? store.client().move(store.account(), from, uids, to)
                    : store.client().copy(store.account(), from, uids, to));
        } finally {
            store.localChanges().end(from);
        }
        List<MessageMetaData> copies = new ArrayList<>(result.messages().size());
        for (TransferResult.Transferred transferred : result.messages()) {
            MessageMetadata copy = transferred.message();
            store.localChanges().record(to, Kind.MESSAGES_ADDED, copy.uid(), copy.modSeq());
            if (move) {
                // the expunge record's MODSEQ is not in the answer; the source's final one bounds it
                store.localChanges().record(from, Kind.MESSAGES_EXPUNGED, transferred.sourceUid(),
                        result.sourceHighestModSeq());
            }
            copies.add(metaData(copy));
        }
        return copies;
    }

    private <T> T write(long mailboxId, String what, StoreFailures.Call<T> call) throws MailboxException {
        store.localChanges().begin(mailboxId);
        try {
            return StoreFailures.call(what, call);
        } finally {
            store.localChanges().end(mailboxId);
            store.changed();
        }
    }

    static MessageMetaData metaData(MessageMetadata message) {
        return new MessageMetaData(MessageUid.of(message.uid()), ModSeq.of(message.modSeq()), ImapFlags.toJames(message),
                message.size(), java.util.Date.from(message.internalDate()),
                Optional.ofNullable(message.saveDate()).map(java.util.Date::from), new ApiMessageId(message.emailId()),
                ThreadId.fromBaseMessageId(new ApiMessageId(message.threadId())));
    }
}
