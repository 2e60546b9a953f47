package io.mailroom.imap.server;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import javax.mail.Flags;

import org.apache.james.events.EventBus;
import org.apache.james.imap.api.ImapConstants;
import org.apache.james.imap.api.display.HumanReadableText;
import org.apache.james.imap.api.message.Capability;
import org.apache.james.imap.api.message.IdRange;
import org.apache.james.imap.api.message.UidRange;
import org.apache.james.imap.api.message.response.StatusResponse.ResponseCode;
import org.apache.james.imap.api.process.ImapSession;
import org.apache.james.imap.api.process.SelectedMailbox;
import org.apache.james.imap.message.request.StoreRequest;
import org.apache.james.imap.message.response.FetchResponse;
import org.apache.james.imap.message.response.UnpooledStatusResponseFactory;
import org.apache.james.imap.processor.AbstractMailboxProcessor;
import org.apache.james.imap.processor.EnableProcessor;
import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.MessageManager;
import org.apache.james.mailbox.MessageSequenceNumber;
import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.ModSeq;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MessageRangeException;
import org.apache.james.mailbox.exception.ReadOnlyException;
import org.apache.james.mailbox.model.Mailbox;
import org.apache.james.mailbox.model.MessageRange;
import org.apache.james.mailbox.model.UpdatedFlags;
import org.apache.james.mailbox.store.StoreMailboxManager;
import org.apache.james.mailbox.store.StoreMessageManager;
import org.apache.james.mailbox.store.event.EventFactory;
import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.util.MDCBuilder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.imap.store.MailboxApiMapperFactory;
import io.mailroom.imap.store.StoredFlags;

import reactor.core.publisher.Mono;

/**
 * STORE and UID STORE (RFC 9051 §6.4.6, RFC 7162 §3.1.3) in one mailbox-api call, with UNCHANGEDSINCE tested and
 * applied atomically by mailbox-api.
 *
 * <p><b>Why not James's StoreProcessor.</b> James 3.8.1 makes one store call per range of the sequence set, and for
 * UNCHANGEDSINCE it first lists the metadata of the range, keeps the messages whose MODSEQ passes, and then stores
 * their flags: between the read and the write another session or another replica can change a message, and both
 * writers win. With CONDSTORE enabled it also reads the whole range's metadata again after the store, for the MODSEQs
 * mailbox-api has just returned. Here the sequence set becomes one UID set, mailbox-api tests the MODSEQs and changes
 * the flags under the mailbox's lock, and its answer (flags before and after, new MODSEQs, the UIDs that failed the
 * test, the new HIGHESTMODSEQ) is all the responses need.
 *
 * <p>The responses are James's: untagged FETCH (FLAGS, with UID and MODSEQ as CONDSTORE / QRESYNC ask), none for
 * {@code .SILENT} unless CONDSTORE is on, {@code OK [MODIFIED set]} naming the messages that failed the test (UIDs for
 * UID STORE, sequence numbers otherwise), and the FLAGS / PERMANENTFLAGS update when a new keyword appears. The change
 * is announced on the event bus as James's store announces it, so other sessions of this replica see it at once.
 */
final class AtomicStoreProcessor extends AbstractMailboxProcessor<StoreRequest> {

    private static final Logger LOGGER = LoggerFactory.getLogger(AtomicStoreProcessor.class);
    private static final long NO_CONDITION = -1L;

    private final MailboxApiMapperFactory mappers;
    private final EventBus eventBus;

    AtomicStoreProcessor(StoreMailboxManager mailboxManager, MailboxApiMapperFactory mappers, MetricFactory metricFactory) {
        super(StoreRequest.class, mailboxManager, new UnpooledStatusResponseFactory(), metricFactory);
        this.mappers = mappers;
        this.eventBus = mailboxManager.getEventBus();
    }

    /** The processor for James's store, when it is Mailroom's store over mailbox-api; null otherwise. */
    static AtomicStoreProcessor over(org.apache.james.mailbox.MailboxManager mailboxManager, MetricFactory metricFactory) {
        if (mailboxManager instanceof StoreMailboxManager store
                && store.getMapperFactory() instanceof MailboxApiMapperFactory mappers) {
            return new AtomicStoreProcessor(store, mappers, metricFactory);
        }
        return null;
    }

    @Override
    protected Mono<Void> processRequestReactive(StoreRequest request, ImapSession session, Responder responder) {
        if (request.getUnchangedSince() == 0 && request.getFlags().getSystemFlags().length > 0) {
            // RFC 7162 §3.1.3: no message has MODSEQ 0, so every one fails; James answers so without looking
            respondModified(request, ResponseCode.condStore(request.getIdSet()), responder);
            return Mono.empty();
        }
        SelectedMailbox selected = session.getSelected();
        return getSelectedMailboxReactive(session)
                .flatMap(mailbox -> Mono.fromCallable(() -> store(request, session, selected, mailbox, responder)))
                .flatMap(modified -> unsolicitedResponses(session, responder, !request.isUseUids(), request.isUseUids())
                        .then(Mono.<Void>fromRunnable(() -> complete(request, selected, modified, responder))))
                .then()
                .onErrorResume(MessageRangeException.class, e -> {
                    taggedBad(request, responder, HumanReadableText.INVALID_MESSAGESET);
                    LOGGER.debug("STORE with an invalid sequence set {}", IdRange.toString(request.getIdSet()), e);
                    return Mono.empty();
                })
                .onErrorResume(MailboxException.class, e -> {
                    no(request, responder, HumanReadableText.SAVE_FAILED);
                    LOGGER.error("STORE failed for mailbox {} and sequence set {}", selected == null ? null
                            : selected.getMailboxId(), IdRange.toString(request.getIdSet()), e);
                    return Mono.empty();
                });
    }

    /** Stores, announces and answers with the untagged responses; returns the UIDs that failed UNCHANGEDSINCE. */
    private List<MessageUid> store(StoreRequest request, ImapSession session, SelectedMailbox selected,
                                   MessageManager mailbox, Responder responder) throws MailboxException {
        List<MessageRange> ranges = new ArrayList<>();
        for (IdRange idRange : request.getIdSet()) {
            ranges.add(messageRange(selected, idRange, request.isUseUids())
                    .orElseThrow(() -> new MessageRangeException(idRange.getFormattedString() + " is an invalid range")));
        }
        MailboxSession mailboxSession = session.getMailboxSession();
        if (!mailbox.isWriteable(mailboxSession)) {
            throw new ReadOnlyException(mailbox.getMailboxPath());
        }
        Mailbox entity = ((StoreMessageManager) mailbox).getMailboxEntity();
        long unchangedSince = request.getUnchangedSince();
        StoredFlags stored = mappers.storeFlags(mailboxSession, entity, permanentOnly(request.getFlags(), mailbox, mailboxSession),
                request.getFlagsUpdateMode(), ranges, unchangedSince == NO_CONDITION ? null : unchangedSince);
        if (!stored.updated().isEmpty()) {
            eventBus.dispatch(EventFactory.flagsUpdated()
                            .randomEventId()
                            .mailboxSession(mailboxSession)
                            .mailbox(entity)
                            .updatedFlags(stored.updated())
                            .build(),
                    new MailboxIdRegistrationKey(entity.getMailboxId()))
                    .block();
        }
        if (selected.hasNewApplicableFlags()) {
            flags(responder, selected);
            permanentFlags(responder, mailbox.getPermanentFlags(mailboxSession), selected);
            selected.resetNewApplicableFlags();
        }
        respondFetches(request, session, selected, stored.updated(), responder);
        if (unchangedSince != NO_CONDITION) {
            enableCondstore(session, stored.highestModSeq(), responder);
        }
        return stored.modified();
    }

    /** As James's store: system flags the mailbox does not keep are dropped (keywords when it keeps none). */
    private static Flags permanentOnly(Flags requested, MessageManager mailbox, MailboxSession session) {
        Flags permanent = mailbox.getPermanentFlags(session);
        Flags flags = new Flags(requested);
        for (Flags.Flag flag : requested.getSystemFlags()) {
            if (flag != Flags.Flag.RECENT && !permanent.contains(flag)) {
                flags.remove(flag);
            }
        }
        if (!permanent.contains(Flags.Flag.USER)) {
            for (String keyword : requested.getUserFlags()) {
                flags.remove(keyword);
            }
        }
        return flags;
    }

    private void respondFetches(StoreRequest request, ImapSession session, SelectedMailbox selected,
                                List<UpdatedFlags> updated, Responder responder) {
        Set<Capability> enabled = EnableProcessor.getEnabledCapabilities(session);
        boolean qresync = enabled.contains(ImapConstants.SUPPORTS_QRESYNC);
        boolean condstore = enabled.contains(ImapConstants.SUPPORTS_CONDSTORE);
        boolean withModSeq = request.getUnchangedSince() != NO_CONDITION || qresync || condstore;
        if (request.isSilent() && !withModSeq) {
            return;
        }
        for (UpdatedFlags message : updated) {
            MessageUid uid = message.getUid();
            selected.msn(uid).ifPresent(msn -> responder.respond(fetch(msn, uid, message, selected,
                    request.isUseUids() || qresync, withModSeq, request.isSilent())));
        }
    }

    private static FetchResponse fetch(MessageSequenceNumber msn, MessageUid uid, UpdatedFlags message,
                                       SelectedMailbox selected, boolean withUid, boolean withModSeq, boolean silent) {
        Flags flags = null;
        if (!(silent && withModSeq)) {
            flags = new Flags(message.getNewFlags());
            if (selected.isRecent(uid)) {
                flags.add(Flags.Flag.RECENT);
            }
        }
        ModSeq modSeq = withModSeq ? message.getModSeq() : null;
        return new FetchResponse(msn, flags, withUid ? uid : null, null, modSeq, null, null, null, null, null, null,
                null, null);
    }

    /** UNCHANGEDSINCE is a CONDSTORE-enabling command (RFC 7162 §3.1): the first one tells the HIGHESTMODSEQ. */
    private void enableCondstore(ImapSession session, ModSeq highestModSeq, Responder responder) {
        Set<Capability> enabled = EnableProcessor.getEnabledCapabilities(session);
        if (!enabled.contains(ImapConstants.SUPPORTS_CONDSTORE)) {
            responder.respond(getStatusResponseFactory().untaggedOk(HumanReadableText.HIGHEST_MOD_SEQ,
                    ResponseCode.highestModSeq(highestModSeq)));
            enabled.add(ImapConstants.SUPPORTS_CONDSTORE);
        }
    }

    private void complete(StoreRequest request, SelectedMailbox selected, List<MessageUid> modified, Responder responder) {
        if (modified.isEmpty()) {
            okComplete(request, responder);
            return;
        }
        ResponseCode code;
        if (request.isUseUids()) {
            code = ResponseCode.condStore(MessageRange.toRanges(modified).stream()
                    .map(range -> new UidRange(range.getUidFrom(), range.getUidTo()))
                    .toArray(UidRange[]::new));
        } else {
            List<IdRange> msns = new ArrayList<>();
            for (MessageUid uid : modified) {
                selected.msn(uid).ifPresent(msn -> msns.add(new IdRange(msn.asInt())));
            }
            code = ResponseCode.condStore(IdRange.mergeRanges(msns).toArray(IdRange[]::new));
        }
        respondModified(request, code, responder);
    }

    /** {@code OK [MODIFIED set]} (RFC 7162 §3.1.3; {@link ModifiedResponseCode} writes it as the RFC spells it). */
    private void respondModified(StoreRequest request, ResponseCode code, Responder responder) {
        responder.respond(getStatusResponseFactory().taggedOk(request.getTag(), request.getCommand(),
                HumanReadableText.FAILED, code));
    }

    @Override
    protected MDCBuilder mdc(StoreRequest request) {
        return MDCBuilder.create()
                .addToContext("action", "STORE")
                .addToContext("ranges", IdRange.toString(request.getIdSet()))
                .addToContext("useUids", Boolean.toString(request.isUseUids()))
                .addToContext("unchangedSince", Long.toString(request.getUnchangedSince()))
                .addToContext("isSilent", Boolean.toString(request.isSilent()));
    }
}
