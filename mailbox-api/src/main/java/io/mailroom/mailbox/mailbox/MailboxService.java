package io.mailroom.mailbox.mailbox;

import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.client.events.MailboxChangeEvent.Kind;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.event.ChangeLog;
import io.mailroom.mailbox.message.Removals;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * An account's mailboxes: the default set, creation with missing superiors, renaming a whole subtree, deletion with the
 * messages, subscriptions by name. Counts come from counters the database keeps up to date on every message change
 * (see the V2 migration), so listing mailboxes never scans messages.
 */
@Service
public class MailboxService {

    private static final String INFO_COLUMNS = """
            mb.id, mb.name, mb.role, mb.uid_validity, mb.uid_next, mb.highest_modseq, mb.message_count,
            mb.unseen_count, mb.recent_count, mb.total_size, mb.keywords,
            (SELECT min(m.uid) FROM messages m
              WHERE m.account_id = mb.account_id AND m.mailbox_id = mb.id AND m.flags & 1 = 0) AS first_unseen,
            EXISTS (SELECT 1 FROM subscriptions s WHERE s.account_id = mb.account_id AND s.name = mb.name) AS subscribed""";

    private final MailboxRepository mailboxes;
    private final MailboxCounters counters;
    private final QuotaService quota;
    private final Removals removals;
    private final ChangeLog changes;
    private final JdbcClient jdbc;

    MailboxService(MailboxRepository mailboxes, MailboxCounters counters, QuotaService quota, Removals removals,
                   ChangeLog changes, JdbcClient jdbc) {
        this.mailboxes = mailboxes;
        this.counters = counters;
        this.quota = quota;
        this.removals = removals;
        this.changes = changes;
        this.jdbc = jdbc;
    }

    /** Gives a new account one mailbox per role, under the role's default name, each subscribed. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void createDefaults(long accountId) {
        for (MailboxRole role : MailboxRole.values()) {
            insert(accountId, role.defaultName(), role);
            subscribe(accountId, role.defaultName());
        }
    }

    /** The account's INBOX. Every account has one from its creation on. */
    public Mailbox inbox(long accountId) {
        return mailboxes.findByAccountIdAndRole(accountId, MailboxRole.INBOX).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "the account has no INBOX"));
    }

    /**
     * The id of the account's INBOX, remembered: an INBOX is never deleted, and a RENAME of it leaves it in place, so
     * the id never changes. Filing asks for it on every message.
     */
    public long inboxId(long accountId) {
        return inboxIds.computeIfAbsent(accountId, id -> inbox(id).id());
    }

    private final java.util.Map<Long, Long> inboxIds = new java.util.concurrent.ConcurrentHashMap<>();

    /** The account's mailbox with this id, or 404 {@code mailbox-not-found}. */
    public Mailbox require(long accountId, long mailboxId) {
        return mailboxes.findByAccountIdAndId(accountId, mailboxId).orElseThrow(() -> notFound(mailboxId));
    }

    /**
     * 404 {@code mailbox-not-found} unless the account has a mailbox with this id. Most gateway calls check just this
     * before their own query: one indexed look-up without the JPA entity, whose repository query cost more CPU than
     * the rest of a STORE or FETCH call.
     */
    public void requireExists(long accountId, long mailboxId) {
        uidValidity(accountId, mailboxId);
    }

    /** The UIDVALIDITY of the account's mailbox with this id, or 404 {@code mailbox-not-found}. */
    public long uidValidity(long accountId, long mailboxId) {
        return jdbc.sql("SELECT uid_validity FROM mailboxes WHERE account_id = ? AND id = ?")
                .params(accountId, mailboxId)
                .query(Long.class)
                .optional()
                .orElseThrow(() -> notFound(mailboxId));
    }

    /** Every mailbox of the account with its counts, by name (tools API). */
    public List<MailboxResponse> list(long accountId) {
        return infos(accountId).stream().map(MailboxResponse::of).toList();
    }

    /** Every mailbox of the account with its IMAP state, by name. */
    public List<MailboxInfo> infos(long accountId) {
        return jdbc.sql("SELECT " + INFO_COLUMNS + " FROM mailboxes mb WHERE mb.account_id = ? ORDER BY mb.name")
                .param(accountId)
                .query((rs, row) -> info(rs))
                .list();
    }

    public Optional<MailboxInfo> info(long accountId, long mailboxId) {
        return jdbc.sql("SELECT " + INFO_COLUMNS + " FROM mailboxes mb WHERE mb.account_id = ? AND mb.id = ?")
                .params(accountId, mailboxId)
                .query((rs, row) -> info(rs))
                .optional();
    }

    public MailboxInfo requireInfo(long accountId, long mailboxId) {
        return info(accountId, mailboxId).orElseThrow(() -> notFound(mailboxId));
    }

    public Optional<MailboxInfo> infoByName(long accountId, String name) {
        String canonical;
        try {
            canonical = MailboxName.canonical(name);
        } catch (ApiProblem invalid) {
            return Optional.empty();
        }
        return jdbc.sql("SELECT " + INFO_COLUMNS + " FROM mailboxes mb WHERE mb.account_id = ? AND mb.name = ?")
                .params(accountId, canonical)
                .query((rs, row) -> info(rs))
                .optional();
    }

    /**
     * Creates a mailbox and its missing superiors (RFC 9051 §6.3.4), each with a new UIDVALIDITY.
     *
     * @throws ApiProblem {@code mailbox-exists}, {@code invalid-mailbox-name}, {@code role-taken}
     */
    @Transactional
    public MailboxInfo create(long accountId, String rawName, MailboxRole role) {
        String name = MailboxName.canonical(rawName);
        if (exists(accountId, name)) {
            throw exists(name);
        }
        if (role == MailboxRole.INBOX) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.ROLE_TAKEN, "there is one INBOX per account");
        }
        if (role != null && mailboxes.findByAccountIdAndRole(accountId, role).isPresent()) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.ROLE_TAKEN, "the account has a " + role + " mailbox already");
        }
        createSuperiors(accountId, name);
        long id = insert(accountId, name, role);
        return requireInfo(accountId, id);
    }

    /**
     * Renames a mailbox and everything below it (RFC 9051 §6.3.6); ids, UIDVALIDITY and messages stay, subscriptions
     * follow. INBOX is renamed by {@code InboxRename}, which moves its messages instead.
     *
     * @throws ApiProblem {@code mailbox-not-found}, {@code mailbox-exists}, {@code rename-into-itself},
     *                    {@code invalid-mailbox-name}
     */
    @Transactional
    public List<MailboxInfo> rename(long accountId, long mailboxId, String rawName) {
        String newName = MailboxName.canonical(rawName);
        String oldName = lockedName(accountId, mailboxId);
        if (oldName.equals(newName)) {
            return List.of(requireInfo(accountId, mailboxId));
        }
        if (MailboxName.within(newName, oldName)) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, ProblemCodes.RENAME_INTO_ITSELF,
                    "cannot rename " + oldName + " to " + newName + ", which is inside it");
        }
        List<Long> subtree = jdbc.sql("""
                        SELECT id FROM mailboxes
                         WHERE account_id = :account AND (name = :old OR left(name, length(:old) + 1) = :old || '/')
                         ORDER BY id FOR UPDATE""")
                .param("account", accountId)
                .param("old", oldName)
                .query(Long.class)
                .list();
        boolean taken = jdbc.sql("""
                        SELECT count(*) FROM mailboxes
                         WHERE account_id = :account AND (name = :new OR left(name, length(:new) + 1) = :new || '/')""")
                .param("account", accountId)
                .param("new", newName)
                .query(Long.class)
                .single() > 0;
        if (taken) {
            throw exists(newName);
        }
        createSuperiors(accountId, newName);
        jdbc.sql("""
                        UPDATE mailboxes SET name = :new || substr(name, length(:old) + 1)
                         WHERE account_id = :account AND id = ANY(:ids)""")
                .param("new", newName)
                .param("old", oldName)
                .param("account", accountId)
                .param("ids", subtree.toArray(Long[]::new))
                .update();
        // subscriptions follow the names; dangling ones already at the new names give way
        jdbc.sql("""
                        DELETE FROM subscriptions
                         WHERE account_id = :account AND (name = :new OR left(name, length(:new) + 1) = :new || '/')""")
                .param("account", accountId)
                .param("new", newName)
                .update();
        jdbc.sql("""
                        UPDATE subscriptions SET name = :new || substr(name, length(:old) + 1)
                         WHERE account_id = :account AND (name = :old OR left(name, length(:old) + 1) = :old || '/')""")
                .param("new", newName)
                .param("old", oldName)
                .param("account", accountId)
                .update();
        List<MailboxInfo> renamed = new ArrayList<>();
        for (long id : subtree) {
            MailboxInfo info = requireInfo(accountId, id);
            changes.mailbox(accountId, id, Kind.MAILBOX_RENAMED, info.highestModSeq(), info.name());
            renamed.add(info);
        }
        renamed.sort(java.util.Comparator.comparing(MailboxInfo::name));
        return renamed;
    }

    /**
     * Deletes a mailbox with its messages (RFC 9051 §6.3.5); mailboxes below it stay, and so do subscriptions.
     *
     * @throws ApiProblem {@code mailbox-not-found}, {@code mailbox-protected} for INBOX
     */
    @Transactional
    public void delete(long accountId, long mailboxId) {
        quota.lock(accountId);
        String name = lockedName(accountId, mailboxId);
        if (MailboxName.INBOX.equals(name)) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.MAILBOX_PROTECTED, "INBOX cannot be deleted");
        }
        List<Removals.Removed> removed = jdbc.sql("DELETE FROM messages WHERE account_id = ? AND mailbox_id = ? RETURNING "
                        + Removals.RETURNING)
                .params(accountId, mailboxId)
                .query((rs, row) -> Removals.row(rs))
                .list();
        removals.settle(accountId, removed);
        long modSeq = counters.highestModSeq(accountId, mailboxId);
        jdbc.sql("DELETE FROM mailboxes WHERE account_id = ? AND id = ?").params(accountId, mailboxId).update();
        changes.mailbox(accountId, mailboxId, Kind.MAILBOX_DELETED, modSeq, name);
    }

    // ---- subscriptions ----

    public List<String> subscriptions(long accountId) {
        return jdbc.sql("SELECT name FROM subscriptions WHERE account_id = ? ORDER BY name")
                .param(accountId)
                .query(String.class)
                .list();
    }

    @Transactional
    public void subscribe(long accountId, String name) {
        jdbc.sql("INSERT INTO subscriptions (account_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING")
                .params(accountId, MailboxName.canonical(name))
                .update();
    }

    @Transactional
    public void unsubscribe(long accountId, String name) {
        String canonical;
        try {
            canonical = MailboxName.canonical(name);
        } catch (ApiProblem invalid) {
            return; // nobody can be subscribed to it
        }
        jdbc.sql("DELETE FROM subscriptions WHERE account_id = ? AND name = ?").params(accountId, canonical).update();
    }

    // ---- helpers ----

    /** Locks the mailbox row (the writers' lock) and returns its name; 404 when there is none. */
    @Transactional(propagation = Propagation.MANDATORY)
    public String lockedName(long accountId, long mailboxId) {
        return jdbc.sql("SELECT name FROM mailboxes WHERE account_id = ? AND id = ? FOR UPDATE")
                .params(accountId, mailboxId)
                .query(String.class)
                .optional()
                .orElseThrow(() -> notFound(mailboxId));
    }

    private boolean exists(long accountId, String name) {
        return jdbc.sql("SELECT count(*) FROM mailboxes WHERE account_id = ? AND name = ?")
                .params(accountId, name)
                .query(Long.class)
                .single() > 0;
    }

    private void createSuperiors(long accountId, String name) {
        for (String superior : MailboxName.superiors(name)) {
            if (!exists(accountId, superior)) {
                insert(accountId, superior, null);
            }
        }
    }

    private long insert(long accountId, String name, MailboxRole role) {
        long id;
        try {
            id = jdbc.sql("""
                            INSERT INTO mailboxes (account_id, name, role, uid_validity)
                            VALUES (?, ?, ?, ?)
                            RETURNING id""")
                    .params(accountId, name, role == null ? null : role.name(), counters.nextUidValidity(accountId))
                    .query(Long.class)
                    .single();
        } catch (DuplicateKeyException race) {
            throw exists(name);
        }
        changes.mailbox(accountId, id, Kind.MAILBOX_CREATED, MailboxCounters.INITIAL_MODSEQ, name);
        return id;
    }

    private static MailboxInfo info(ResultSet rs) throws SQLException {
        Array keywords = rs.getArray("keywords");
        String role = rs.getString("role");
        return new MailboxInfo(rs.getLong("id"), rs.getString("name"),
                role == null ? null : io.mailroom.mailbox.client.store.MailboxRole.valueOf(role),
                rs.getLong("uid_validity"), rs.getLong("uid_next"), rs.getLong("highest_modseq"),
                rs.getLong("message_count"), rs.getLong("unseen_count"), rs.getLong("recent_count"),
                rs.getLong("total_size"), (Long) rs.getObject("first_unseen"), rs.getBoolean("subscribed"),
                keywords == null ? List.of() : List.of((String[]) keywords.getArray()));
    }

    private static ApiProblem notFound(long mailboxId) {
        return ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + mailboxId + " in this account");
    }

    private static ApiProblem exists(String name) {
        return new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.MAILBOX_EXISTS, "a mailbox " + name + " exists already");
    }
}
