package io.mailroom.imap.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import org.apache.james.imap.api.message.response.ImapResponseMessage;
import org.apache.james.imap.api.process.ImapProcessor.Responder;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageRange;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.imap.store.AccountResolver;
import io.mailroom.imap.store.ApiMailboxId;
import io.mailroom.mailbox.client.store.MailboxChanges;
import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * {@code VANISHED (EARLIER)} (RFC 7162 §3.2.5.1 SELECT/EXAMINE QRESYNC, §3.2.6 UID FETCH … VANISHED) from mailbox-api's
 * expunge records: the UIDs removed after the client's MODSEQ, read with "changes since" (docs/rest-api.md "Store
 * API"), restricted to the client's UID ranges.
 *
 * <p><b>Why.</b> James 3.8.1 answers VANISHED with every UID of the client's range that the session does not see,
 * whether it was removed after the client's MODSEQ, long before, or never existed (UIDs left free by MOVE, APPEND
 * failures): on a mailbox whose UIDs have grown sparse that is a long list, walked UID by UID, and the client learns
 * nothing it can trust. The records name exactly the removals the client missed.
 *
 * <p><b>The seam.</b> James computes VANISHED in {@code AbstractMailboxProcessor.respondVanished(selected, ranges,
 * responder)}, which does not see the client's MODSEQ. The processors that call it (SELECT, EXAMINE, FETCH) are
 * subclassed ({@link RecordsSelectProcessor}, …): they hand James a {@link Since} responder that carries the MODSEQ and
 * the session to their own {@code respondVanished}, which asks here. When the records cannot answer (mailbox-api
 * purged records older than the client's MODSEQ, or cannot be reached) James's computation answers instead, which is
 * still correct, only less precise.
 *
 * <p>UIDs the session still shows are left out: their removal has not been announced to this session yet, and will be
 * (an {@code EXPUNGE} / {@code VANISHED} that changes message numbers) at the next command.
 */
public final class ExpungeRecords {

    private static final Logger LOGGER = LoggerFactory.getLogger(ExpungeRecords.class);
    private static final int PAGE = 1000;

    private final MailboxStoreClient store;
    private final AccountResolver accounts;

    public ExpungeRecords(MailboxStoreClient store, AccountResolver accounts) {
        this.store = store;
        this.accounts = accounts;
    }

    /**
     * A command's responder that also carries what {@code respondVanished} needs and James does not hand it.
     *
     * @param since        the client's MODSEQ (QRESYNC's mod-sequence value, FETCH's CHANGEDSINCE)
     * @param clientRanges the client's UID ranges as it sent them ({@code *} as the highest UID), or null to take the
     *                     ranges James hands {@code respondVanished}: James clips those to the UIDs the session shows,
     *                     which would hide removals below its first and above its last message
     */
    record Since(Responder delegate, ImapSession session, long since, List<MessageRange> clientRanges)
            implements Responder {

        @Override
        public void respond(ImapResponseMessage message) {
            delegate.respond(message);
        }

        @Override
        public void flush() {
            delegate.flush();
        }
    }

    /**
     * The UIDs of {@code ranges} removed after {@code since.since()} that {@code selected} no longer shows, ascending;
     * empty when the records cannot say (the caller then computes VANISHED its own way).
     */
    Optional<List<MessageUid>> vanished(Since since, SelectedMailbox selected, List<MessageRange> jamesRanges) {
        List<MessageRange> ranges = since.clientRanges() != null ? since.clientRanges() : jamesRanges;
        MailboxSession session = since.session().getMailboxSession();
        if (session == null || ranges.isEmpty()) {
            return Optional.empty();
        }
        String account = accounts.account(session);
        long mailboxId = ApiMailboxId.value(selected.getMailboxId());
        List<Long> removed = new ArrayList<>();
        try {
            long from = since.since();
            while (true) {
                MailboxChanges changes = store.changesSince(account, mailboxId, from, PAGE);
                if (!changes.vanishedComplete()) {
                    return Optional.empty();
                }
                removed.addAll(changes.vanished());
                if (!changes.hasMore()) {
                    break;
                }
                from = changes.throughModSeq();
            }
        } catch (RuntimeException e) {
            LOGGER.warn("expunge records of mailbox {} unavailable, VANISHED computed from the session's view: {}",
                    mailboxId, e.toString());
            return Optional.empty();
        }
        List<MessageUid> vanished = new ArrayList<>();
        removed.stream().distinct().sorted().forEach(value -> {
            MessageUid uid = MessageUid.of(value);
            boolean shown = selected.msn(uid).foldSilent(() -> false, msn -> true);
            if (!shown && ranges.stream().anyMatch(range -> range.includes(uid))) {
                vanished.add(uid);
            }
        });
        return Optional.of(vanished);
    }
}
