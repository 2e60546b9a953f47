package io.mailroom.mailbox.message;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Isolation;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.blob.BlobStore;
import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.store.ExpungeResult;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.FlagUpdateResult;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.MessagePart;
import io.mailroom.mailbox.client.store.TransferResult;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.mailbox.event.ChangeLog;
import io.mailroom.mailbox.mailbox.MailboxCounters;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Messages as an IMAP server works on them: by UID set, a whole command per call. Every write locks the mailbox row
 * (after the account's usage row when it changes usage, before blobs: the lock order of {@link QuotaService}), takes
 * one new MODSEQ per message it changes, and records the change for the event stream in the same transaction.
 */
@Service
public class StoreService {

    private final JdbcClient jdbc;
    private final MessageRows rows;
    private final MailboxService mailboxes;
    private final MailboxCounters counters;
    private final QuotaService quota;
    private final BlobStore blobs;
    private final Removals removals;
    private final MessageWriter writer;
    private final ChangeLog changes;

    StoreService(JdbcClient jdbc, MessageRows rows, MailboxService mailboxes, MailboxCounters counters,
                 QuotaService quota, BlobStore blobs, Removals removals, MessageWriter writer, ChangeLog changes) {
        this.jdbc = jdbc;
        this.rows = rows;
        this.mailboxes = mailboxes;
        this.counters = counters;
        this.quota = quota;
        this.blobs = blobs;
        this.removals = removals;
        this.writer = writer;
        this.changes = changes;
    }

    // ---- reading ----

    /**
     * Metadata of a UID set, ascending, at most {@code limit} per page. Every FETCH is one of these, so it is one
     * statement outside a transaction: a row found proves the mailbox exists (messages reference it), and only an empty
     * answer asks whether the mailbox is there at all (404 {@code mailbox-not-found}). Under READ COMMITTED every
     * statement has its own snapshot inside a transaction or not, so one would only add a COMMIT and an EntityManager.
     */
    public StoredPage fetch(long accountId, long mailboxId, UidSet uids, Set<MessagePart> include, Long changedSince,
                            int limit) {
        Map<String, Object> params = new HashMap<>();
        params.put("account", accountId);
        params.put("mailbox", mailboxId);
        params.put("limit", limit + 1);
        String changed = "";
        if (changedSince != null) {
            params.put("since", changedSince);
            changed = " AND m.modseq > :since";
        }
        List<MessageRows.StoredRow> found = jdbc.sql("SELECT " + rows.columns(include) + " FROM messages m" + rows.join(include)
                        + " WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND "
                        + UidSql.condition(uids, "m.uid", "u", params) + changed + " ORDER BY m.uid LIMIT :limit")
                .params(params)
                .query(rows.storedMapper(include))
                .list();
        if (found.isEmpty()) {
            mailboxes.requireExists(accountId, mailboxId);
        }
        if (found.size() > limit) {
            return new StoredPage(found.subList(0, limit), found.get(limit).metadata().uid());
        }
        return new StoredPage(found, null);
    }

    /**
     * A page of {@link #fetch}: written as the store API's {@code MessagePage}, with each message's envelope and body
     * structure passed on as stored.
     */
    public record StoredPage(List<MessageRows.StoredRow> messages, Long nextUid) {
    }

    /** The messages with these emailIds, in any mailbox of the account: one statement, so no transaction. */
    public List<MessageMetadata> byEmailIds(long accountId, Collection<Long> emailIds, Set<MessagePart> include) {
        if (emailIds.isEmpty()) {
            return List.of();
        }
        return jdbc.sql("SELECT " + rows.columns(include) + " FROM messages m" + rows.join(include)
                        + " WHERE m.account_id = :account AND m.email_id = ANY(:ids) ORDER BY m.email_id, m.mailbox_id, m.uid")
                .param("account", accountId)
                .param("ids", emailIds.toArray(Long[]::new))
                .query(rows.mapper(include))
                .list();
    }

    /**
     * What changed after a MODSEQ: one consistent snapshot of messages and expunge records (REPEATABLE READ), paged by
     * MODSEQ.
     */
    @Transactional(readOnly = true, isolation = Isolation.REPEATABLE_READ)
    public MailboxChanges changesSince(long accountId, long mailboxId, long since, int limit) {
        record State(long highest, long uidNext, long floor) {
        }
        State state = jdbc.sql("SELECT highest_modseq, uid_next, expunged_floor FROM mailboxes WHERE account_id = ? AND id = ?")
                .params(accountId, mailboxId)
                .query((rs, row) -> new State(rs.getLong(1), rs.getLong(2), rs.getLong(3)))
                .optional()
                .orElseThrow(() -> ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + mailboxId + " in this account"));
        record Row(MessageMetadata message, long created) {
        }
        var mapper = rows.mapper(Set.of());
        List<Row> changed = jdbc.sql("SELECT " + MessageRows.COLUMNS + ", m.created_modseq FROM messages m"
                        + " WHERE m.account_id = ? AND m.mailbox_id = ? AND m.modseq > ? ORDER BY m.modseq LIMIT ?")
                .params(accountId, mailboxId, since, limit + 1)
                .query((rs, row) -> new Row(mapper.mapRow(rs, row), rs.getLong("created_modseq")))
                .list();
        boolean more = changed.size() > limit;
        if (more) {
            changed = changed.subList(0, limit);
        }
        long through = more ? changed.getLast().message().modSeq() : Math.max(state.highest(), since);
        List<Long> vanished = jdbc.sql("""
                        SELECT uid FROM expunged
                         WHERE account_id = ? AND mailbox_id = ? AND modseq > ? AND modseq <= ?
                         ORDER BY uid""")
                .params(accountId, mailboxId, since, through)
                .query(Long.class)
                .list();
        List<MessageMetadata> added = new ArrayList<>();
        List<MessageMetadata> flagged = new ArrayList<>();
        for (Row row : changed) {
            (row.created() > since ? added : flagged).add(row.message());
        }
        java.util.Comparator<MessageMetadata> byUid = java.util.Comparator.comparingLong(MessageMetadata::uid);
        added.sort(byUid);
        flagged.sort(byUid);
        return new MailboxChanges(since, through, more, state.highest(), state.uidNext(), added, flagged, vanished,
                since >= state.floor());
    }

    // ---- writing ----

    /**
     * A STORE whose changed messages all end with the same flags, as one statement (the caller holds the mailbox's row
     * lock): a MODSEQ for each of the {@code :uids} (ascending, the i-th takes {@code first + i}), their new flags,
     * and the {@code FLAGS_CHANGED} event with the highest of those MODSEQs (ChangeLog's row, at most
     * {@link ChangeLog#MAX_UIDS_PER_EVENT} UIDs); answers the mailbox's new HIGHESTMODSEQ.
     */
    private static final String SET_FLAGS = """
            WITH allocated AS (
                UPDATE mailboxes SET highest_modseq = highest_modseq + :count
                 WHERE account_id = :account AND id = :mailbox
                RETURNING highest_modseq),
            changed AS (
                UPDATE messages m
                   SET flags = :flags, keywords = CAST(:keywords AS text[]), modseq = a.highest_modseq - :count + t.position
                  FROM allocated a, unnest(CAST(:uids AS bigint[])) WITH ORDINALITY AS t(uid, position)
                 WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND m.uid = t.uid),
            event AS (
                INSERT INTO event_outbox (account_id, mailbox_id, kind, uids, modseq, trace_parent)
                SELECT :account, :mailbox, CAST(:kind AS text), CAST(:uids AS bigint[]), highest_modseq,
                       CAST(:traceParent AS text)
                  FROM allocated)
            SELECT highest_modseq FROM allocated""";

    /** A STORE (RFC 9051 §6.4.6) with an optional UNCHANGEDSINCE (RFC 7162 §3.1.3). */
    @Transactional
    public FlagUpdateResult updateFlags(long accountId, long mailboxId, UidSet uids, FlagUpdate update, Long unchangedSince) {
        MessageFlags.Parsed requested = MessageFlags.parse(update.flags());
        mailboxes.lockedName(accountId, mailboxId);
        Map<String, Object> params = new HashMap<>();
        params.put("account", accountId);
        params.put("mailbox", mailboxId);
        record Current(long uid, long modSeq, long emailId, int flags, String[] keywords) {
        }
        List<Current> current = jdbc.sql("SELECT uid, modseq, email_id, flags, keywords FROM messages m"
                        + " WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND "
                        + UidSql.condition(uids, "m.uid", "u", params) + " ORDER BY m.uid")
                .params(params)
                .query((rs, row) -> new Current(rs.getLong("uid"), rs.getLong("modseq"), rs.getLong("email_id"),
                        rs.getInt("flags"), MessageRows.keywords(rs)))
                .list();
        List<Long> modified = new ArrayList<>();
        List<Current> toChange = new ArrayList<>();
        List<MessageFlags.Parsed> newFlags = new ArrayList<>();
        Map<Long, MessageFlags.Parsed> after = new LinkedHashMap<>();
        for (Current message : current) {
            if (unchangedSince != null && message.modSeq() > unchangedSince) {
                modified.add(message.uid());
                continue;
            }
            MessageFlags.Parsed next = requested.apply(update.mode(), message.flags(), message.keywords());
            after.put(message.uid(), next);
            if (next.bits() != message.flags() || !next.keywords().equals(List.of(message.keywords()))) {
                toChange.add(message);
                newFlags.add(next);
            }
        }
        long highest;
        Map<Long, Long> newModSeqs = new HashMap<>();
        if (toChange.isEmpty()) {
            highest = counters.highestModSeq(accountId, mailboxId);
        } else if (newFlags.stream().distinct().count() == 1 && toChange.size() <= ChangeLog.MAX_UIDS_PER_EVENT) {
            // the usual STORE: every message changed ends with the same flags, so the MODSEQs, the messages' update
            // and the change event are one statement
            MessageFlags.Parsed next = newFlags.getFirst();
            Long[] changedUids = toChange.stream().map(Current::uid).toArray(Long[]::new); // ascending, as read
            highest = jdbc.sql(SET_FLAGS)
                    .param("count", changedUids.length)
                    .param("account", accountId)
                    .param("mailbox", mailboxId)
                    .param("flags", (short) next.bits())
                    .param("keywords", next.keywords().toArray(String[]::new))
                    .param("uids", changedUids)
                    .param("kind", Kind.FLAGS_CHANGED.name())
                    .param("traceParent", changes.traceParent())
                    .query(Long.class)
                    .single();
            changes.recordedByCaller();
            long first = highest - changedUids.length + 1;
            for (int i = 0; i < changedUids.length; i++) {
                newModSeqs.put(changedUids[i], first + i);
            }
            if (!next.keywords().isEmpty()) {
                writer.rememberKeywords(accountId, mailboxId, next.keywords().toArray(String[]::new));
            }
        } else {
            highest = counters.allocateModSeqs(accountId, mailboxId, toChange.size());
            long first = highest - toChange.size() + 1;
            // one UPDATE per distinct resulting flag set: a STORE on many messages is a handful of statements
            Map<MessageFlags.Parsed, List<long[]>> groups = new LinkedHashMap<>();
            List<ChangeLog.Change> changeList = new ArrayList<>();
            Set<String> added = new TreeSet<>();
            for (int i = 0; i < toChange.size(); i++) {
                long modSeq = first + i;
                long uid = toChange.get(i).uid();
                newModSeqs.put(uid, modSeq);
                groups.computeIfAbsent(newFlags.get(i), k -> new ArrayList<>()).add(new long[] {uid, modSeq});
                changeList.add(new ChangeLog.Change(uid, modSeq));
                added.addAll(newFlags.get(i).keywords());
            }
            for (Map.Entry<MessageFlags.Parsed, List<long[]>> group : groups.entrySet()) {
                jdbc.sql("""
                                UPDATE messages m SET flags = :flags, keywords = :keywords, modseq = t.modseq
                                  FROM unnest(:uids::bigint[], :modseqs::bigint[]) AS t(uid, modseq)
                                 WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND m.uid = t.uid""")
                        .param("flags", (short) group.getKey().bits())
                        .param("keywords", group.getKey().keywords().toArray(String[]::new))
                        .param("uids", group.getValue().stream().map(pair -> pair[0]).toArray(Long[]::new))
                        .param("modseqs", group.getValue().stream().map(pair -> pair[1]).toArray(Long[]::new))
                        .param("account", accountId)
                        .param("mailbox", mailboxId)
                        .update();
            }
            if (!added.isEmpty()) {
                writer.rememberKeywords(accountId, mailboxId, added.toArray(String[]::new));
            }
            changes.messages(accountId, mailboxId, Kind.FLAGS_CHANGED, changeList);
        }
        List<FlagUpdateResult.Updated> updated = new ArrayList<>();
        for (Current message : current) {
            MessageFlags.Parsed next = after.get(message.uid());
            if (next == null) {
                continue;
            }
            updated.add(new FlagUpdateResult.Updated(message.uid(), newModSeqs.getOrDefault(message.uid(), message.modSeq()),
                    message.emailId(), MessageFlags.all(message.flags(), message.keywords()),
                    MessageFlags.all(next.bits(), next.keywords().toArray(String[]::new))));
        }
        return new FlagUpdateResult(updated, modified, highest);
    }

    /** COPY (RFC 9051 §6.4.7, RFC 4315 COPYUID). */
    @Transactional
    public TransferResult copy(long accountId, long sourceId, UidSet uids, long targetId) {
        return transfer(accountId, sourceId, uids, targetId, false);
    }

    /** MOVE (RFC 6851): the originals leave expunge records in the source. */
    @Transactional
    public TransferResult move(long accountId, long sourceId, UidSet uids, long targetId) {
        return transfer(accountId, sourceId, uids, targetId, true);
    }

    private TransferResult transfer(long accountId, long sourceId, UidSet uids, long targetId, boolean move) {
        if (!move) {
            quota.lock(accountId);
        }
        // both mailboxes, in id order: the lock order every writer keeps
        for (long id : new TreeSet<>(List.of(sourceId, targetId))) {
            mailboxes.lockedName(accountId, id);
        }
        Map<String, Object> params = new HashMap<>();
        params.put("account", accountId);
        params.put("mailbox", sourceId);
        record Source(long uid, long size, String sha, String[] keywords) {
        }
        List<Source> sources = jdbc.sql("SELECT uid, size, blob_sha256, keywords FROM messages m"
                        + " WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND "
                        + UidSql.condition(uids, "m.uid", "u", params) + " ORDER BY m.uid")
                .params(params)
                .query((rs, row) -> new Source(rs.getLong("uid"), rs.getLong("size"), rs.getString("blob_sha256"),
                        MessageRows.keywords(rs)))
                .list();
        long uidValidity = mailboxes.uidValidity(accountId, targetId);
        if (sources.isEmpty() || sourceId == targetId && move) {
            return new TransferResult(uidValidity, List.of(), counters.highestModSeq(accountId, targetId),
                    counters.highestModSeq(accountId, sourceId));
        }
        int n = sources.size();
        if (!move) {
            quota.add(accountId, sources.stream().mapToLong(Source::size).sum(), n);
        }
        MailboxCounters.Allocation allocation = counters.allocateUids(accountId, targetId, n).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + targetId + " in this account"));
        Long[] sourceUids = new Long[n];
        Long[] newUids = new Long[n];
        Long[] newModSeqs = new Long[n];
        List<ChangeLog.Change> added = new ArrayList<>();
        Map<Long, Long> sourceOf = new HashMap<>();
        Set<String> keywords = new TreeSet<>();
        for (int i = 0; i < n; i++) {
            sourceUids[i] = sources.get(i).uid();
            newUids[i] = allocation.uid() + i;
            newModSeqs[i] = allocation.modSeq() + i;
            added.add(new ChangeLog.Change(newUids[i], newModSeqs[i]));
            sourceOf.put(newUids[i], sourceUids[i]);
            keywords.addAll(List.of(sources.get(i).keywords()));
        }
        String sql = move ? """
                UPDATE messages m SET mailbox_id = :target, uid = t.new_uid, modseq = t.new_modseq,
                                      created_modseq = t.new_modseq, save_date = now(), flags = m.flags | :recent
                  FROM unnest(:sources::bigint[], :uids::bigint[], :modseqs::bigint[]) AS t(source_uid, new_uid, new_modseq)
                 WHERE m.account_id = :account AND m.mailbox_id = :source AND m.uid = t.source_uid
                RETURNING m.id"""
                : """
                INSERT INTO messages (account_id, mailbox_id, uid, modseq, created_modseq, blob_sha256, size,
                                      internal_date, save_date, flags, keywords, header_size, body_lines, subject,
                                      from_address, from_name, message_id_header, email_id, thread_id, media_type,
                                      sub_type, text_lines, sent_date, has_attachment)
                SELECT m.account_id, :target, t.new_uid, t.new_modseq, t.new_modseq, m.blob_sha256, m.size,
                       m.internal_date, now(), m.flags | :recent, m.keywords, m.header_size, m.body_lines, m.subject,
                       m.from_address, m.from_name, m.message_id_header, m.email_id, m.thread_id, m.media_type,
                       m.sub_type, m.text_lines, m.sent_date, m.has_attachment
                  FROM messages m JOIN unnest(:sources::bigint[], :uids::bigint[], :modseqs::bigint[]) AS t(source_uid, new_uid, new_modseq)
                    ON m.uid = t.source_uid
                 WHERE m.account_id = :account AND m.mailbox_id = :source
                RETURNING id""";
        jdbc.sql(sql)
                .param("target", targetId)
                .param("recent", (short) MessageFlags.RECENT)
                .param("sources", sourceUids)
                .param("uids", newUids)
                .param("modseqs", newModSeqs)
                .param("account", accountId)
                .param("source", sourceId)
                .query(Long.class)
                .list();
        if (!keywords.isEmpty()) {
            writer.rememberKeywords(accountId, targetId, keywords.toArray(String[]::new));
        }
        changes.messages(accountId, targetId, Kind.MESSAGES_ADDED, added);
        long sourceHighest;
        if (move) {
            sourceHighest = recordExpunged(accountId, sourceId, List.of(sourceUids));
        } else {
            sources.stream().map(Source::sha).sorted().forEach(sha -> {
                if (!blobs.addReference(sha)) {
                    throw new IllegalStateException("blob " + sha + " of a locked source message is gone");
                }
            });
            sourceHighest = counters.highestModSeq(accountId, sourceId);
        }
        Map<String, Object> fetched = new HashMap<>();
        fetched.put("account", accountId);
        fetched.put("mailbox", targetId);
        List<MessageMetadata> copies = jdbc.sql("SELECT " + MessageRows.COLUMNS + " FROM messages m"
                        + " WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND m.uid BETWEEN :first AND :last ORDER BY m.uid")
                .params(fetched)
                .param("first", allocation.uid())
                .param("last", allocation.uid() + n - 1)
                .query(rows.mapper(Set.of()))
                .list();
        List<TransferResult.Transferred> transferred = copies.stream()
                .map(copy -> new TransferResult.Transferred(sourceOf.get(copy.uid()), copy))
                .toList();
        return new TransferResult(uidValidity, transferred, allocation.modSeq() + n - 1, sourceHighest);
    }

    /**
     * EXPUNGE: removes the set's messages (those with {@code \Deleted} only, when asked), each with a new MODSEQ and an
     * expunge record.
     */
    @Transactional
    public ExpungeResult expunge(long accountId, long mailboxId, UidSet uids, boolean deletedOnly) {
        quota.lock(accountId);
        mailboxes.lockedName(accountId, mailboxId);
        Map<String, Object> params = new HashMap<>();
        params.put("account", accountId);
        params.put("mailbox", mailboxId);
        String deleted = deletedOnly ? " AND m.flags & " + MessageFlags.DELETED + " <> 0" : "";
        record Gone(MessageMetadata message, Removals.Removed removed) {
        }
        var mapper = rows.mapper(Set.of());
        List<Gone> gone = new ArrayList<>(jdbc.sql("DELETE FROM messages m WHERE m.account_id = :account AND m.mailbox_id = :mailbox AND "
                        + UidSql.condition(uids, "m.uid", "u", params) + deleted
                        + " RETURNING " + MessageRows.COLUMNS + ", m.blob_sha256")
                .params(params)
                .query((rs, row) -> new Gone(mapper.mapRow(rs, row), new Removals.Removed(rs.getLong("uid"),
                        rs.getLong("email_id"), rs.getString("blob_sha256"), rs.getLong("size"))))
                .list());
        if (gone.isEmpty()) {
            return new ExpungeResult(List.of(), counters.highestModSeq(accountId, mailboxId));
        }
        gone.sort(java.util.Comparator.comparingLong(g -> g.message().uid()));
        List<Long> removedUids = gone.stream().map(g -> g.message().uid()).toList();
        long highest = recordExpunged(accountId, mailboxId, removedUids);
        removals.settle(accountId, gone.stream().map(Gone::removed).toList());
        long first = highest - gone.size() + 1;
        List<MessageMetadata> expunged = new ArrayList<>();
        for (int i = 0; i < gone.size(); i++) {
            MessageMetadata m = gone.get(i).message();
            expunged.add(new MessageMetadata(m.mailboxId(), m.uid(), first + i, m.emailId(), m.threadId(), m.flags(),
                    m.internalDate(), m.saveDate(), m.size(), m.headerOctets(), m.bodyLines(), m.mediaType(),
                    m.subType(), m.textLines(), null, null, null));
        }
        return new ExpungeResult(expunged, highest);
    }

    /** Gives each removed UID a MODSEQ and an expunge record, and announces them; the caller holds the mailbox lock. */
    private long recordExpunged(long accountId, long mailboxId, List<Long> uids) {
        long highest = counters.allocateModSeqs(accountId, mailboxId, uids.size());
        long first = highest - uids.size() + 1;
        Long[] modSeqs = new Long[uids.size()];
        List<ChangeLog.Change> list = new ArrayList<>();
        for (int i = 0; i < modSeqs.length; i++) {
            modSeqs[i] = first + i;
            list.add(new ChangeLog.Change(uids.get(i), modSeqs[i]));
        }
        jdbc.sql("""
                        INSERT INTO expunged (account_id, mailbox_id, uid, modseq)
                        SELECT ?, ?, uid, modseq FROM unnest(?::bigint[], ?::bigint[]) AS t(uid, modseq)""")
                .params(accountId, mailboxId, uids.toArray(Long[]::new), modSeqs)
                .update();
        changes.messages(accountId, mailboxId, Kind.MESSAGES_EXPUNGED, list);
        return highest;
    }

    /** The UIDs of the account's mailbox in a set: for the tools API, which names messages by id. */
    @Transactional(readOnly = true)
    public long uidOf(long accountId, long mailboxId, long messageId) {
        return jdbc.sql("SELECT uid FROM messages WHERE account_id = ? AND mailbox_id = ? AND id = ?")
                .params(accountId, mailboxId, messageId)
                .query(Long.class)
                .optional()
                .orElseThrow(() -> ApiProblem.notFound(ProblemCodes.MESSAGE_NOT_FOUND,
                        "no message " + messageId + " in mailbox " + mailboxId));
    }
}
