package io.mailroom.imap.server;

import java.util.List;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.ExamineRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.imap.processor.ExamineProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.metrics.api.MetricFactory;

import reactor.core.publisher.Mono;

/** EXAMINE, with {@code VANISHED (EARLIER)} for {@code QRESYNC} from mailbox-api's expunge records ({@link ExpungeRecords}). */
final class RecordsExamineProcessor extends ExamineProcessor {

    private final ExpungeRecords records;

    RecordsExamineProcessor(MailboxManager mailboxManager, EventBus eventBus, MetricFactory metricFactory,
                            ExpungeRecords records) {
        super(mailboxManager, eventBus, new UnpooledStatusResponseFactory(), metricFactory);
        this.records = records;
    }

    @Override
    protected Mono<Void> processRequestReactive(ExamineRequest request, ImapSession session, Responder responder) {
        Long known = request.getKnownModSeq();
        if (known == null || request.getLastKnownUidValidity() == null) {
            return super.processRequestReactive(request, session, responder);
        }
        return super.processRequestReactive(request, session,
                new ExpungeRecords.Since(responder, session, known, RecordsSelectProcessor.clientRanges(request)));
    }

    @Override
    protected void respondVanished(SelectedMailbox selected, List<MessageRange> ranges, Responder responder) {
        RecordsSelectProcessor.respondVanished(records, selected, ranges, responder, this::uidRanges,
                () -> super.respondVanished(selected, ranges, responder));
    }
}
