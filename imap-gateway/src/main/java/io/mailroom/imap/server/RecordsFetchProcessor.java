package io.mailroom.imap.server;

import java.util.Arrays;
import java.util.List;

import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.FetchRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.imap.processor.fetch.FetchProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.metrics.api.MetricFactory;

import reactor.core.publisher.Mono;

/**
 * FETCH, with the {@code VANISHED} modifier of {@code UID FETCH … (CHANGEDSINCE m VANISHED)} (RFC 7162 §3.2.6) answered
 * from mailbox-api's expunge records ({@link ExpungeRecords}).
 */
final class RecordsFetchProcessor extends FetchProcessor {

    private final ExpungeRecords records;

    RecordsFetchProcessor(MailboxManager mailboxManager, MetricFactory metricFactory, ExpungeRecords records) {
        super(mailboxManager, new UnpooledStatusResponseFactory(), metricFactory);
        this.records = records;
    }

    @Override
    protected Mono<Void> processRequestReactive(FetchRequest request, ImapSession session, Responder responder) {
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

    @Override
    protected void respondVanished(SelectedMailbox selected, List<MessageRange> ranges, Responder responder) {
        RecordsSelectProcessor.respondVanished(records, selected, ranges, responder, this::uidRanges,
                () -> super.respondVanished(selected, ranges, responder));
    }
}
