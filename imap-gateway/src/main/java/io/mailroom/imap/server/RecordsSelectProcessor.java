package io.mailroom.imap.server;

import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.function.Function;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.AbstractMailboxSelectionRequest;
import org.apache.james.imap.message.request.SelectRequest;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.imap.message.response.VanishedResponse;
import org.apache.james.imap.processor.SelectProcessor;
import org.apache.james.mailbox.MailboxManager;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.metrics.api.MetricFactory;

import reactor.core.publisher.Mono;

/** SELECT, with {@code VANISHED (EARLIER)} for {@code QRESYNC} from mailbox-api's expunge records ({@link ExpungeRecords}). */
final class RecordsSelectProcessor extends SelectProcessor {

    private final ExpungeRecords records;

    RecordsSelectProcessor(MailboxManager mailboxManager, EventBus eventBus, MetricFactory metricFactory,
                           ExpungeRecords records) {
        super(mailboxManager, eventBus, new UnpooledStatusResponseFactory(), metricFactory);
        this.records = records;
    }

    @Override
    protected Mono<Void> processRequestReactive(SelectRequest request, ImapSession session, Responder responder) {
        Long known = request.getKnownModSeq();
        if (known == null || request.getLastKnownUidValidity() == null) {
            return super.processRequestReactive(request, session, responder);
        }
        return super.processRequestReactive(request, session,
                new ExpungeRecords.Since(responder, session, known, clientRanges(request)));
    }

    @Override
    protected void respondVanished(SelectedMailbox selected, List<MessageRange> ranges, Responder responder) {
        respondVanished(records, selected, ranges, responder, this::uidRanges,
                () -> super.respondVanished(selected, ranges, responder));
    }

    /**
     * QRESYNC's known UIDs as the client sent them: absent means all of them. With message sequence match data James
     * narrows the range itself (RFC 7162 §3.2.5.2), and its ranges are taken instead.
     */
    static List<MessageRange> clientRanges(AbstractMailboxSelectionRequest request) {
        if (request.getKnownSequenceSet() != null && request.getKnownUidSet() != null) {
            return null;
        }
        UidRange[] uids = request.getUidSet();
        if (uids == null || uids.length == 0) {
            return List.of(MessageRange.range(MessageUid.MIN_VALUE, MessageUid.MAX_VALUE));
        }
        return Arrays.stream(uids).map(UidRange::toMessageRange).toList();
    }

    /** The shared body of the three processors' {@code respondVanished}. */
    static void respondVanished(ExpungeRecords records, SelectedMailbox selected, List<MessageRange> ranges,
                                Responder responder,
                                Function<Collection<MessageRange>, UidRange[]> uidRanges,
                                Runnable jamesComputation) {
        if (!(responder instanceof ExpungeRecords.Since since)) {
            jamesComputation.run();
            return;
        }
        records.vanished(since, selected, ranges).ifPresentOrElse(uids -> {
            UidRange[] vanished = uidRanges.apply(MessageRange.toRanges(uids));
            if (vanished.length > 0) {
                responder.respond(new VanishedResponse(vanished, true));
            }
        }, jamesComputation);
    }
}
