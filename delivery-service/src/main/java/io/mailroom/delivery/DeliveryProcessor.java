package io.mailroom.delivery;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import io.mailroom.delivery.dsn.DsnComposer;
import io.mailroom.delivery.dsn.DsnSender;
import io.mailroom.delivery.relay.OutboundTransport;
import io.mailroom.delivery.relay.OutboundTransport.RelayRecipient;
import io.mailroom.delivery.relay.OutboundTransport.RelayResult;
import io.mailroom.mailbox.client.DeliveryReport;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.FilingOutcome;
import io.mailroom.mailbox.client.FilingRecipient;
import io.mailroom.mailbox.client.MailboxApiClient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.RecipientResolution;
import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.DeliveryState.Outcome;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.MailProcessor;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;

/**
 * Delivers one queued message: each SMTP recipient resolves (through mailbox-api) to local accounts, which get one
 * copy each through mailbox-api's idempotent filing call, and to remote addresses (authenticated submission, alias
 * forwards, bounces to remote senders), which go to the {@link OutboundTransport}.
 *
 * <p>Every destination's outcome (filed, relayed, bounced, deferred) is recorded in the message's
 * {@link DeliveryState}, which travels with the message from one attempt to the next: a destination with a final
 * outcome is never tried again. The message is done when every destination is final and every delivery status
 * notification that the outcomes call for is on the queue; until then it comes back with exponential back-off
 * ({@link DeliveryProperties.Retry}), without holding up any other message. Past the retry period the destinations
 * still deferred bounce (4.4.7). A failure that belongs to no destination (a bug, say) retries the same way and, past
 * the retry period, sends the message to the dead letters with the reason.
 *
 * <p>Notifications (RFC 3464, see {@link DsnComposer}) honour the DSN parameters smtp-ingress carried: NOTIFY per
 * recipient (default: failures and delays), RET, ENVID and ORCPT. None goes to the null sender.
 */
public class DeliveryProcessor implements MailProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(DeliveryProcessor.class);

    static final String TRACE_ID = "traceId";

    /** mailbox-api's problem code when the account was removed between resolving and filing. */
    static final String ACCOUNT_NOT_FOUND = "account-not-found";
    /** mailbox-api's problem code when filing would pass the account's quota. */
    static final String QUOTA_EXCEEDED = "quota-exceeded";

    static final String STATUS_OK = "2.0.0";
    static final String STATUS_UNKNOWN_USER = "5.1.1";
    static final String STATUS_NOT_OUR_DOMAIN = "5.1.2";
    static final String STATUS_QUOTA = "5.2.2";
    static final String STATUS_QUOTA_FOR_NOW = "4.2.2";
    static final String STATUS_UNAVAILABLE = "4.4.1";
    static final String STATUS_EXPIRED = "4.4.7";
    static final String STATUS_SYSTEM = "4.3.0";

    private static final Pattern FILED_DETAIL = Pattern.compile("filed in mailbox (\\d+) as uid (\\d+)");

    private final MailboxApiClient mailboxApi;
    private final OutboundTransport transport;
    private final DsnSender dsnSender;
    private final DsnComposer composer;
    private final DeliveryProperties properties;
    private final DeliveryMetrics metrics;
    private final Clock clock;

    DeliveryProcessor(MailboxApiClient mailboxApi, OutboundTransport transport, DsnSender dsnSender,
                      DsnComposer composer, DeliveryProperties properties, DeliveryMetrics metrics, Clock clock) {
        this.mailboxApi = mailboxApi;
        this.transport = transport;
        this.dsnSender = dsnSender;
        this.composer = composer;
        this.properties = properties;
        this.metrics = metrics;
        this.clock = clock;
    }

    /** The delivery id of one copy: stable across retries and redeliveries of the same queued message (no "/": it travels in a URL path). */
    static String deliveryId(QueuedMail mail, String account) {
        return DeliveryReport.deliveryId(deliveryIdPrefix(mail), account);
    }

    /** What the delivery ids of a message's copies start with; the account's address follows. */
    static String deliveryIdPrefix(QueuedMail mail) {
        return mail.id() + ":";
    }

    /** How a filed destination's detail names where the copy is; {@link #filedLocation} reads it back. */
    static String filedDetail(FiledMessage filed) {
        return "filed in mailbox " + filed.mailboxId() + " as uid " + filed.uid();
    }

    /** The mailbox id and UID of a filed destination, from its detail; null when it does not say. */
    public static long[] filedLocation(String detail) {
        if (detail == null) {
            return null;
        }
        Matcher matcher = FILED_DETAIL.matcher(detail);
        return matcher.find() ? new long[] {Long.parseLong(matcher.group(1)), Long.parseLong(matcher.group(2))} : null;
    }

    @Override
    public Disposition process(QueuedMail mail, int attempt) {
        String previousTraceId = MDC.get(TRACE_ID);
        MDC.put(TRACE_ID, mail.traceId());
        try {
            return deliver(mail, attempt);
        } finally {
            if (previousTraceId == null) {
                MDC.remove(TRACE_ID);
            } else {
                MDC.put(TRACE_ID, previousTraceId);
            }
        }
    }

    private Disposition deliver(QueuedMail mail, int attempt) {
        Attempt run = new Attempt(mail);
        Duration delay = properties.retry().delayAfter(attempt);
        try {
            run.deliverAll();
        } catch (RuntimeException e) {
            String reason = "delivery failed: " + e;
            if (run.expired) {
                metrics.deadLettered();
                LOG.error("Message {} failed every attempt for {} ({} attempts); moving it to the dead letters",
                        mail.id(), properties.retry().giveUpAfter(), attempt, e);
                return Disposition.dead("failed every attempt for " + properties.retry().giveUpAfter() + " ("
                        + attempt + " attempts): " + reason, run.state());
            }
            metrics.retry();
            LOG.warn("Delivering message {} failed (attempt {}); next attempt in {}", mail.id(), attempt, delay, e);
            return Disposition.retry(delay, reason, run.state());
        }
        if (run.expired) {
            run.expireDeferred();
        }
        String notificationFailure = run.notifySender();
        DeliveryState state = run.state();
        boolean allFinal = state.destinations().stream().allMatch(d -> d.outcome().isFinal() && d.reported());
        if (allFinal && notificationFailure == null) {
            return Disposition.done();
        }
        String reason = notificationFailure != null ? notificationFailure : run.deferredSummary();
        metrics.retry();
        LOG.warn("Message {} is deferred (attempt {}); next attempt in {}: {}", mail.id(), attempt, delay, reason);
        return Disposition.retry(delay, reason, state);
    }

    /** The message as filed: {@code Return-Path: <sender>} (empty for the null sender), then the bytes as queued. */
    static byte[] returnPath(QueuedMail mail) {
        byte[] header = ("Return-Path: <" + mail.envelopeFrom() + ">\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] content = mail.content();
        byte[] filed = Arrays.copyOf(header, header.length + content.length);
        System.arraycopy(content, 0, filed, header.length, content.length);
        return filed;
    }

    /** One attempt at one message: the destinations as the state had them, updated as outcomes arrive. */
    private final class Attempt {

        private final QueuedMail mail;
        private final Instant now;
        private final Instant since;
        private final boolean expired;
        private final Map<String, Destination> destinations = new LinkedHashMap<>();
        private final Map<String, RemoteTarget> remote = new LinkedHashMap<>();
        private boolean delayNotified;
        private String mailboxApiDown;
        private byte[] withReturnPath;
        /** The accounts to file a copy for, in the order first reached, and the recipients that reach each. */
        private final List<String> filingOrder = new ArrayList<>();
        private final Map<String, List<String>> toFile = new HashMap<>();
        /** The filing outcomes {@link #resolveAll} already has, by account. */
        private final Map<String, FilingOutcome> reported = new HashMap<>();

        Attempt(QueuedMail mail) {
            this.mail = mail;
            this.now = clock.instant();
            this.since = mail.state().since() != null ? mail.state().since() : mail.receivedAt();
            this.expired = !now.isBefore(since.plus(properties.retry().giveUpAfter()));
            this.delayNotified = mail.state().delayNotified();
            mail.state().destinations().forEach(d -> destinations.put(key(d.address()), d));
        }

        DeliveryState state() {
            return new DeliveryState(mail.state().since(), delayNotified, List.copyOf(destinations.values()));
        }

        void deliverAll() {
            Map<Integer, RecipientResolution> resolved = resolveAll();
            for (int index = 0; index < mail.recipients().size(); index++) {
                deliverTo(mail.recipients().get(index), mail.recipientOptions(index), resolved.get(index));
            }
            fileAll();
            relay();
        }

        private boolean done(String recipient) {
            List<Destination> earlier = ofRecipient(recipient);
            return !earlier.isEmpty() && earlier.stream().allMatch(d -> d.outcome().isFinal());
        }

        /**
         * The recipients still to deliver to, resolved, and the message filed for the accounts they reach, in one call
         * ({@link MailboxApiClient#deliver}); the accounts with a final outcome already are left out of the filing. The
         * filing outcomes wait in {@link #reported} for {@link #fileAll}. Empty when mailbox-api refused to resolve the
         * addresses together (an address it does not take as one, say): then each recipient is resolved on its own,
         * with its own outcome, and filed by {@link #fileAll}.
         */
        private Map<Integer, RecipientResolution> resolveAll() {
            List<Integer> indexes = new ArrayList<>();
            for (int index = 0; index < mail.recipients().size(); index++) {
                if (!done(mail.recipients().get(index))) {
                    indexes.add(index);
                }
            }
            if (indexes.isEmpty()) {
                return Map.of();
            }
            List<String> skip = destinations.values().stream().filter(d -> d.outcome().isFinal())
                    .map(Destination::address).toList();
            DeliveryReport report;
            try {
                report = mailboxApi.deliver(indexes.stream().map(mail.recipients()::get).toList(), deliveryIdPrefix(mail),
                        skip, contentToFile(), mail.traceId());
            } catch (MailboxApiUnavailableException e) {
                mailboxApiDown = "mailbox-api unavailable: " + e.getMessage();
                return Map.of();
            } catch (MailboxApiException e) {
                LOG.debug("Resolving the recipients of message {} together was refused ({} {}); one by one instead",
                        mail.id(), e.code(), e.getMessage());
                return Map.of();
            }
            report.outcomes().forEach(outcome -> reported.put(key(outcome.recipient().account()), outcome));
            Map<Integer, RecipientResolution> resolved = new HashMap<>();
            for (int i = 0; i < indexes.size(); i++) {
                resolved.put(indexes.get(i), report.resolutions().get(i));
            }
            return resolved;
        }

        private void deliverTo(String recipient, MailOptions.RecipientOptions options, RecipientResolution resolved) {
            List<Destination> earlier = ofRecipient(recipient);
            if (!earlier.isEmpty() && earlier.stream().allMatch(d -> d.outcome().isFinal())) {
                return;
            }
            if (mailboxApiDown != null) {
                deferRecipient(recipient, STATUS_UNAVAILABLE, mailboxApiDown);
                return;
            }
            RecipientResolution resolution;
            try {
                resolution = resolved != null ? resolved : mailboxApi.resolveRecipient(recipient);
            } catch (MailboxApiUnavailableException e) {
                // mailbox-api is away: asking again for the next recipient would only wait out another timeout
                mailboxApiDown = "mailbox-api unavailable: " + e.getMessage();
                deferRecipient(recipient, STATUS_UNAVAILABLE, mailboxApiDown);
                return;
            } catch (MailboxApiException e) {
                deferRecipient(recipient, STATUS_SYSTEM, "resolving the address failed: " + e.code() + " " + e.getMessage());
                return;
            }
            List<String> accounts = List.of();
            List<String> remoteAddresses = List.of();
            switch (resolution.status()) {
                case DELIVERABLE -> {
                    accounts = resolution.accounts();
                    remoteAddresses = resolution.forwards();
                }
                case NON_LOCAL_DOMAIN -> {
                    if (options.remote()) {
                        remoteAddresses = List.of(recipient);
                    }
                }
                case UNKNOWN_USER -> {
                }
            }
            Set<String> targets = new HashSet<>();
            accounts.forEach(a -> targets.add(key(a)));
            remoteAddresses.forEach(a -> targets.add(key(a)));
            // what an earlier attempt left pending under another address (the recipient itself, before it resolved)
            earlier.stream().filter(d -> !d.outcome().isFinal() && !targets.contains(key(d.address())))
                    .forEach(d -> destinations.remove(key(d.address())));
            if (targets.isEmpty()) {
                String status = resolution.status() == RecipientResolution.Status.NON_LOCAL_DOMAIN
                        ? STATUS_NOT_OUR_DOMAIN : STATUS_UNKNOWN_USER;
                String detail = switch (resolution.status()) {
                    case NON_LOCAL_DOMAIN -> "the domain is not one of ours";
                    case UNKNOWN_USER -> "no account or alias has this address";
                    case DELIVERABLE -> "the address resolves to no account";
                };
                bounce(recipient, recipient, status, detail, null);
                return;
            }
            for (String account : accounts) {
                if (!isFinal(account)) {
                    queueFiling(recipient, account);
                }
            }
            for (String address : remoteAddresses) {
                if (!isFinal(address)) {
                    remote.putIfAbsent(key(address), new RemoteTarget(address, recipient, options));
                }
            }
        }

        /**
         * RFC 5321 4.4: the server that makes the final delivery puts the envelope sender on top as {@code Return-Path};
         * filing into a mailbox is that delivery (a relayed copy goes without it). Made once per message.
         */
        private byte[] contentToFile() {
            if (withReturnPath == null) {
                withReturnPath = returnPath(mail);
            }
            return withReturnPath;
        }

        /**
         * Puts a copy for this account on the list {@link #fileAll} files, keeping the destination's place in the state
         * (a pending entry, replaced by the outcome). An account two recipients reach (an alias and the account itself)
         * is filed once, for the first of them.
         */
        private void queueFiling(String recipient, String account) {
            if (mailboxApiDown != null) {
                put(new Destination(account, recipient, Outcome.DEFERRED, STATUS_UNAVAILABLE, mailboxApiDown, null,
                        now, false));
                return;
            }
            List<String> recipients = toFile.computeIfAbsent(key(account), k -> new ArrayList<>());
            if (recipients.isEmpty()) {
                filingOrder.add(account);
                put(new Destination(account, recipient, Outcome.DEFERRED, STATUS_SYSTEM, "not filed yet", null, now, false));
            }
            recipients.add(recipient);
        }

        /**
         * Records the outcome of every queued copy: as {@link #resolveAll}'s call filed it, or, for the copies it did not
         * file (the recipients were resolved one by one), filed now in one call to mailbox-api for all of them.
         */
        private void fileAll() {
            if (filingOrder.isEmpty()) {
                return;
            }
            List<FilingRecipient> recipients = filingOrder.stream().filter(account -> !reported.containsKey(key(account)))
                    .map(account -> new FilingRecipient(account, deliveryId(mail, account))).toList();
            List<FilingOutcome> filedNow = recipients.isEmpty() ? List.of()
                    : mailboxApi.fileMessages(recipients, contentToFile(), mail.traceId());
            for (int i = 0; i < filedNow.size(); i++) {
                reported.put(key(recipients.get(i).account()), filedNow.get(i));
            }
            for (String account : filingOrder) {
                FilingOutcome outcome = reported.get(key(account));
                List<String> reaching = toFile.get(key(account));
                if (outcome.isFiled()) {
                    filed(reaching.getFirst(), account, outcome.filed());
                } else if (outcome.isUnavailable()) {
                    // mailbox-api is away: asking again for the next recipient would only wait out another timeout
                    mailboxApiDown = "mailbox-api unavailable: " + outcome.detail();
                    reaching.forEach(recipient -> put(new Destination(account, recipient, Outcome.DEFERRED,
                            STATUS_UNAVAILABLE, mailboxApiDown, null, now, false)));
                } else {
                    // as when each recipient filed on its own: every one of them met the same refusal, the last one's stays
                    reaching.forEach(recipient -> refused(recipient, account, outcome.code(), outcome.detail()));
                }
            }
        }

        private void refused(String recipient, String account, String code, String detail) {
            if (ACCOUNT_NOT_FOUND.equals(code)) {
                bounce(account, recipient, STATUS_UNKNOWN_USER,
                        "account " + account + " was removed before the message was filed", null);
            } else if (QUOTA_EXCEEDED.equals(code)) {
                if (now.isBefore(since.plus(properties.quotaGracePeriod()))) {
                    put(new Destination(account, recipient, Outcome.DEFERRED, STATUS_QUOTA_FOR_NOW,
                            "mailbox full: " + detail, null, now, false));
                } else {
                    bounce(account, recipient, STATUS_QUOTA, "mailbox full for longer than "
                            + properties.quotaGracePeriod() + ": " + detail, null);
                }
            } else {
                LOG.warn("mailbox-api refused message {} for {}: {} {}", mail.id(), account, code, detail);
                put(new Destination(account, recipient, Outcome.DEFERRED, STATUS_SYSTEM,
                        "mailbox-api refused: " + code + " " + detail, null, now, false));
            }
        }

        private void filed(String recipient, String account, FiledMessage filed) {
            metrics.filed(Duration.between(mail.receivedAt(), clock.instant()), filed.duplicate());
            LOG.info("{} message {} for {} (uid {} in mailbox {})", filed.duplicate() ? "Already filed" : "Filed",
                    mail.id(), account, filed.uid(), filed.mailboxId());
            put(new Destination(account, recipient, Outcome.FILED, STATUS_OK, filedDetail(filed), null, now,
                    !wantsReport(recipient, Outcome.FILED)));
        }

        private void relay() {
            if (remote.isEmpty()) {
                return;
            }
            List<RemoteTarget> targets = List.copyOf(remote.values());
            List<RelayRecipient> recipients = targets.stream()
                    .map(t -> new RelayRecipient(t.address(), t.options().dsnNotify(), t.options().dsnOriginalRecipient()))
                    .toList();
            List<RelayResult> results;
            try {
                results = transport.send(mail, recipients);
            } catch (RuntimeException e) {
                LOG.warn("Relaying message {} failed", mail.id(), e);
                results = recipients.stream().map(r -> new RelayResult(r.address(), RelayResult.Kind.TEMPORARY,
                        STATUS_UNAVAILABLE, "relaying failed: " + e, null)).toList();
            }
            for (int i = 0; i < targets.size(); i++) {
                RemoteTarget target = targets.get(i);
                RelayResult result = results.get(i);
                switch (result.kind()) {
                    case SENT -> {
                        metrics.relayed();
                        put(new Destination(target.address(), target.recipient(), Outcome.RELAYED, result.status(),
                                result.detail(), result.remoteMta(), now, !wantsReport(target.recipient(), Outcome.RELAYED)));
                    }
                    case TEMPORARY -> put(new Destination(target.address(), target.recipient(), Outcome.DEFERRED,
                            result.status(), result.detail(), result.remoteMta(), now, false));
                    case PERMANENT -> bounce(target.address(), target.recipient(), result.status(), result.detail(),
                            result.remoteMta());
                }
            }
        }

        void expireDeferred() {
            for (Destination d : List.copyOf(destinations.values())) {
                if (d.outcome() == Outcome.DEFERRED) {
                    bounce(d.address(), d.recipient(), STATUS_EXPIRED, "delivery time expired after "
                            + properties.retry().giveUpAfter() + "; last error: " + d.detail(), d.remoteMta());
                }
            }
        }

        /** Sends what the outcomes call for; null when done, else why not (the message then comes back). */
        String notifySender() {
            List<DsnComposer.Entry> finals = new ArrayList<>();
            for (Destination d : destinations.values()) {
                if (d.outcome().isFinal() && !d.reported()) {
                    finals.add(new DsnComposer.Entry(d, orcpt(d.recipient()), switch (d.outcome()) {
                        case FILED -> DsnComposer.Action.DELIVERED;
                        case RELAYED -> DsnComposer.Action.RELAYED;
                        default -> DsnComposer.Action.FAILED;
                    }));
                }
            }
            if (!finals.isEmpty()) {
                try {
                    send(finals);
                } catch (QueueUnavailableException e) {
                    return "the delivery status notification could not be queued: " + e.getMessage();
                }
                finals.forEach(entry -> put(entry.destination().asReported()));
            }
            Duration warnAfter = properties.delayWarningAfter();
            if (!delayNotified && !warnAfter.isZero() && !now.isBefore(since.plus(warnAfter))) {
                List<DsnComposer.Entry> delayed = destinations.values().stream()
                        .filter(d -> d.outcome() == Outcome.DEFERRED && wantsDelayReport(d.recipient()))
                        .map(d -> new DsnComposer.Entry(d, orcpt(d.recipient()), DsnComposer.Action.DELAYED))
                        .toList();
                boolean anyDeferred = destinations.values().stream().anyMatch(d -> d.outcome() == Outcome.DEFERRED);
                if (anyDeferred) {
                    if (!delayed.isEmpty()) {
                        try {
                            send(delayed);
                        } catch (QueueUnavailableException e) {
                            LOG.warn("The delay notification for message {} could not be queued; trying at the next "
                                    + "attempt: {}", mail.id(), e.getMessage());
                            return null;
                        }
                    }
                    delayNotified = true;
                }
            }
            return null;
        }

        private void send(List<DsnComposer.Entry> entries) throws QueueUnavailableException {
            QueuedMail notification = composer.compose(mail, entries,
                    since.plus(properties.retry().giveUpAfter()));
            dsnSender.send(notification);
            entries.forEach(entry -> metrics.notificationSent(entry.action()));
            LOG.info("Queued delivery status notification {} to <{}> for {}", notification.id(), mail.envelopeFrom(),
                    entries.stream().map(e -> e.action().name().toLowerCase(Locale.ROOT) + " <"
                            + e.destination().address() + ">").collect(Collectors.joining(", ")));
        }

        String deferredSummary() {
            return destinations.values().stream().filter(d -> d.outcome() == Outcome.DEFERRED)
                    .map(d -> "<" + d.address() + ">: " + d.status() + " " + d.detail())
                    .distinct().limit(5).collect(Collectors.joining("; "));
        }

        private void bounce(String address, String recipient, String status, String detail, String remoteMta) {
            metrics.bounced(status);
            LOG.warn("Message {} from <{}> cannot be delivered to <{}>: {} {}", mail.id(), mail.envelopeFrom(), address,
                    status, detail);
            put(new Destination(address, recipient, Outcome.BOUNCED, status, detail, remoteMta, now,
                    !wantsReport(recipient, Outcome.BOUNCED)));
        }

        private void deferRecipient(String recipient, String status, String detail) {
            List<Destination> pending = ofRecipient(recipient).stream().filter(d -> !d.outcome().isFinal()).toList();
            if (pending.isEmpty()) {
                put(new Destination(recipient, recipient, Outcome.DEFERRED, status, detail, null, now, false));
            } else {
                pending.forEach(d -> put(new Destination(d.address(), recipient, Outcome.DEFERRED, status, detail,
                        null, now, false)));
            }
        }

        private boolean wantsReport(String recipient, Outcome outcome) {
            if (mail.envelopeFrom().isEmpty()) {
                return false;
            }
            List<String> notify = notify(recipient);
            if (notify.contains("NEVER")) {
                return false;
            }
            return switch (outcome) {
                case BOUNCED -> notify.isEmpty() || notify.contains("FAILURE");
                case FILED, RELAYED -> notify.contains("SUCCESS");
                case DEFERRED -> false;
            };
        }

        private boolean wantsDelayReport(String recipient) {
            if (mail.envelopeFrom().isEmpty()) {
                return false;
            }
            List<String> notify = notify(recipient);
            return notify.isEmpty() || notify.contains("DELAY");
        }

        private List<String> notify(String recipient) {
            int index = indexOf(recipient);
            return index < 0 ? List.of() : mail.recipientOptions(index).dsnNotify().stream()
                    .map(n -> n.toUpperCase(Locale.ROOT)).toList();
        }

        private String orcpt(String recipient) {
            int index = indexOf(recipient);
            return index < 0 ? null : mail.recipientOptions(index).dsnOriginalRecipient();
        }

        private int indexOf(String recipient) {
            for (int i = 0; i < mail.recipients().size(); i++) {
                if (mail.recipients().get(i).equalsIgnoreCase(recipient)) {
                    return i;
                }
            }
            return -1;
        }

        private List<Destination> ofRecipient(String recipient) {
            return destinations.values().stream().filter(d -> d.recipient().equalsIgnoreCase(recipient)).toList();
        }

        private boolean isFinal(String address) {
            Destination d = destinations.get(key(address));
            return d != null && d.outcome().isFinal();
        }

        private void put(Destination destination) {
            destinations.put(key(destination.address()), destination);
        }
    }

    private record RemoteTarget(String address, String recipient, MailOptions.RecipientOptions options) {
    }

    private static String key(String address) {
        return address.toLowerCase(Locale.ROOT);
    }
}
