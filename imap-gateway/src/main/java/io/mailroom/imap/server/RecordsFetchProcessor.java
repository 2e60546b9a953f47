package io.mailroom.imap.server;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import org.apache.james.imap.api.message.BodyFetchElement;
import org.apache.james.imap.api.message.FetchData;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.SectionType;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.MessageRangeException;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.metrics.api.MetricFactory;

import io.mailroom.imap.store.MailboxApiMapperFactory;

import reactor.core.publisher.Mono;

/**
 * FETCH, with the {@code VANISHED} modifier of {@code UID FETCH … (CHANGEDSINCE m VANISHED)} (RFC 7162 §3.2.6) answered
 * from mailbox-api's expunge records ({@link ExpungeRecords}), and a sequence set of several ranges read in one
 * mailbox-api call: James reads range by range, so the ranges are announced to the store first
 * ({@link MailboxApiMapperFactory#announceReads}).
 */
final class RecordsFetchProcessor extends FetchProcessor {

    private final ExpungeRecords records;
    private final MailboxApiMapperFactory mappers;

    RecordsFetchProcessor(MailboxManager mailboxManager, MetricFactory metricFactory, ExpungeRecords records) {
        super(mailboxManager, new UnpooledStatusResponseFactory(), metricFactory);
        this.records = records;
        this.mappers = mailboxManager instanceof StoreMailboxManager store
                && store.getMapperFactory() instanceof MailboxApiMapperFactory factory ? factory : null;
    }

    @Override
    protected Mono<Void> processRequestReactive(FetchRequest request, ImapSession session, Responder responder) {
        announceReads(request, session);
        MailboxSession mailboxSession = session.getMailboxSession();
        if (mappers == null || mailboxSession == null || !wholeMessagesOnly(request.getFetch())) {
            return fetch(request, session, responder);
        }
        // for this command only, however it ends
        return Mono.defer(() -> {
            mappers.wholeMessageReads(mailboxSession, true);
            return fetch(request, session, responder);
        }).doFinally(signal -> mappers.wholeMessageReads(mailboxSession, false));
    }

    private Mono<Void> fetch(FetchRequest request, ImapSession session, Responder responder) {
        if (!request.getFetch().getVanished() || request.getFetch().getChangedSince() < 0) {
            return super.processRequestReactive(request, session, responder);
        }
        // VANISHED goes with UID FETCH only (RFC 7162 §3.2.6): the set is UIDs, "*" the highest
        List<MessageRange> uids = Arrays.stream(request.getIdSet())
                .map(range -> MessageRange.range(MessageUid.of(Math.max(1, range.getLowVal())),
                        MessageUid.of(Math.min(range.getHighVal(), MessageUid.MAX_VALUE.asLong()))))
                .toList();
        return super.processRequestReactive(request, session,
                new ExpungeRecords.Since(responder, session, request.getFetch().getChangedSince(), uids));
    }

    /**
     * Whether the FETCH reads whole messages and nothing else of them: BODY[], BODY.PEEK[], RFC822 and their partials,
     * with any of the basic items (UID, FLAGS, INTERNALDATE, RFC822.SIZE, MODSEQ, …). James reads such messages with
     * its {@code FULL} fetch type, which otherwise brings the header block and the MIME tree for nothing: the bytes
     * come from the raw message (FETCH BODY[] of the bench mix).
     */
    static boolean wholeMessagesOnly(FetchData fetch) {
        if (fetch.contains(FetchData.Item.ENVELOPE) || fetch.contains(FetchData.Item.BODY)
                || fetch.contains(FetchData.Item.BODY_STRUCTURE) || fetch.getBodyElements().isEmpty()) {
            return false;
        }
        for (BodyFetchElement element : fetch.getBodyElements()) {
            int[] path = element.getPath();
            if (element.getSectionType() != SectionType.CONTENT || (path != null && path.length > 0)
                    || (element.getFieldNames() != null && !element.getFieldNames().isEmpty())) {
                return false;
            }
        }
        return true;
    }

    /** The UID ranges of a sequence set of several ranges, as James will ask the store for them. */
    private void announceReads(FetchRequest request, ImapSession session) {
        SelectedMailbox selected = session.getSelected();
        if (mappers == null || selected == null || request.getIdSet().length < 2) {
            return;
        }
        List<MessageRange> ranges = new ArrayList<>();
        try {
            for (IdRange range : request.getIdSet()) {
                messageRange(selected, range, request.isUseUids())
                        .ifPresent(uids -> ranges.add(normalizeMessageRange(selected, uids)));
            }
        } catch (MessageRangeException e) {
            return; // James answers BAD for the set
        }
        mappers.announceReads(session.getMailboxSession(), selected.getMailboxId(), ranges);
    }

    @Override
    protected void respondVanished(SelectedMailbox selected, List<MessageRange> ranges, Responder responder) {
        RecordsSelectProcessor.respondVanished(records, selected, ranges, responder, this::uidRanges,
                () -> super.respondVanished(selected, ranges, responder));
    }
}
