package io.mailroom.mailbox.mailbox;

import java.util.List;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Propagation;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.message.MessageFlags;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

@Service
public class MailboxService {

    private final MailboxRepository mailboxes;
    private final MailboxCounters counters;
    private final JdbcClient jdbc;

    MailboxService(MailboxRepository mailboxes, MailboxCounters counters, JdbcClient jdbc) {
        this.mailboxes = mailboxes;
        this.counters = counters;
        this.jdbc = jdbc;
    }

    /** Gives a new account one mailbox per role, under the role's default name. */
    @Transactional(propagation = Propagation.MANDATORY)
    public void createDefaults(long accountId) {
        for (MailboxRole role : MailboxRole.values()) {
            mailboxes.save(new Mailbox(accountId, role.defaultName(), role, counters.nextUidValidity(accountId)));
        }
        mailboxes.flush();
    }

    /** The account's INBOX. Every account has one from its creation on. */
    public Mailbox inbox(long accountId) {
        return mailboxes.findByAccountIdAndRole(accountId, MailboxRole.INBOX).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "the account has no INBOX"));
    }

    /** The account's mailbox with this id, or 404 {@code mailbox-not-found}. */
    public Mailbox require(long accountId, long mailboxId) {
        return mailboxes.findByAccountIdAndId(accountId, mailboxId).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox " + mailboxId + " in this account"));
    }

    /** Every mailbox of the account with its counts, by name. */
    public List<MailboxResponse> list(long accountId) {
        return jdbc.sql("""
                        SELECT mb.id, mb.name, mb.role, mb.uid_validity, mb.uid_next, mb.highest_modseq,
                               count(m.id) AS messages,
                               count(m.id) FILTER (WHERE m.flags & :seen = 0) AS unseen,
                               coalesce(sum(m.size), 0) AS size
                          FROM mailboxes mb
                          LEFT JOIN messages m ON m.account_id = mb.account_id AND m.mailbox_id = mb.id
                         WHERE mb.account_id = :account
                         GROUP BY mb.account_id, mb.id
                         ORDER BY mb.name""")
                .param("seen", MessageFlags.SEEN)
                .param("account", accountId)
                .query((rs, row) -> new MailboxResponse(rs.getLong("id"), rs.getString("name"),
                        rs.getString("role") == null ? null : MailboxRole.valueOf(rs.getString("role")),
                        rs.getLong("uid_validity"), rs.getLong("uid_next"), rs.getLong("highest_modseq"),
                        rs.getLong("messages"), rs.getLong("unseen"), rs.getLong("size")))
                .list();
    }
}
