package io.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;
import org.springframework.util.unit.DataSize;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mailroom.delivery.dsn.DsnComposer;
import io.mailroom.delivery.relay.OutboundTransport;
import io.mailroom.delivery.relay.OutboundTransport.RelayResult;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.mailbox.client.FilingRecipient;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.RecipientResolution;
import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.DeliveryState.Outcome;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.MailOptions;
import io.mailroom.queue.MailOptions.RecipientOptions;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;

class DeliveryProcessorTest {

    private static final Instant RECEIVED = Instant.parse("2024-03-04T10:00:00Z");
    private static final byte[] CONTENT = "Subject: hello\r\nMessage-ID: <m1@example.org>\r\n\r\nGr\u00fc\u00dfe\r\n"
            .getBytes(StandardCharsets.UTF_8);
    static final DeliveryProperties PROPERTIES = properties(Duration.ofHours(4));

    static DeliveryProperties properties(Duration delayWarning) {
        return new DeliveryProperties(new DeliveryProperties.Retry(Duration.ofMinutes(1), 2.0, Duration.ofHours(1),
                Duration.ofDays(5)), delayWarning, Duration.ofDays(1), "mx.example.com", DataSize.ofKilobytes(50), "",
                Duration.ofSeconds(15), new DeliveryProperties.Relay("", 587, DeliveryProperties.Relay.StartTls.REQUIRED,
                false, "", "", Duration.ofSeconds(10), Duration.ofMinutes(5)));
    }

    private final InMemoryMailboxApiClient mailboxApi = new InMemoryMailboxApiClient()
            .account("alice@example.com").account("bob@example.com").account("carol@example.com")
            .alias("team@example.com", "alice@example.com", "carol@example.com");
    private final List<QueuedMail> notifications = new ArrayList<>();
    private final List<List<OutboundTransport.RelayRecipient>> relayCalls = new ArrayList<>();
    private final AtomicBoolean queueDown = new AtomicBoolean();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private OutboundTransport transport = (mail, recipients) -> {
        relayCalls.add(recipients);
        return recipients.stream().map(r -> new RelayResult(r.address(), RelayResult.Kind.SENT, "2.0.0", "250 ok",
                "relay.example.net")).toList();
    };

    private DeliveryProcessor processorAt(Instant now) {
        return processorAt(now, PROPERTIES);
    }

    private DeliveryProcessor processorAt(Instant now, DeliveryProperties properties) {
        Clock clock = Clock.fixed(now, ZoneOffset.UTC);
        return new DeliveryProcessor(mailboxApi, (mail, recipients) -> transport.send(mail, recipients), dsn -> {
            if (queueDown.get()) {
                throw new QueueUnavailableException("queue down", null);
            }
            notifications.add(dsn);
        }, new DsnComposer("mx.example.com", 50 * 1024, clock), properties, new DeliveryMetrics(registry), clock);
    }

    private final DeliveryProcessor processor = processorAt(RECEIVED.plusSeconds(2));

    private static QueuedMail mail(String... recipients) {
        return new QueuedMail("q-42", "trace-42", "sender@example.org", List.of(recipients), RECEIVED, CONTENT);
    }

    private static QueuedMail mail(String sender, MailOptions options, String... recipients) {
        return new QueuedMail("q-42", "trace-42", sender, List.of(recipients), RECEIVED, CONTENT, options);
    }

    private static MailOptions dsn(String ret, String envid, RecipientOptions... recipients) {
        return new MailOptions("192.0.2.1", null, false, null, ret, envid, List.of(recipients));
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    private static String text(QueuedMail mail) {
        return new String(mail.content(), StandardCharsets.UTF_8);
    }

    private static DeliveryState stateOf(Disposition disposition) {
        return ((Disposition.Retry) disposition).state();
    }

    @Test
    void filesOneCopyPerAccountWithAStableDeliveryId() {
        Disposition disposition = processor.process(mail("alice@example.com", "bob@example.com", "team@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        // team@ expands to alice and carol; alice already has her copy through her own address
        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::deliveryId)
                .containsExactly("q-42:alice@example.com", "q-42:bob@example.com", "q-42:carol@example.com");
        assertThat(mailboxApi.fileCalls()).allSatisfy(call -> {
            // RFC 5321 4.4: filing is the final delivery, so the envelope sender goes on top as Return-Path
            assertThat(new String(call.content(), StandardCharsets.UTF_8))
                    .isEqualTo("Return-Path: <sender@example.org>\r\n" + new String(CONTENT, StandardCharsets.UTF_8));
            assertThat(call.traceId()).isEqualTo("trace-42");
        });
        assertThat(mailboxApi.copies()).hasSize(3);
        assertThat(notifications).isEmpty();
        assertThat(counter("mailroom.delivery.filed", "duplicate", "false")).isEqualTo(3);
        assertThat(registry.get("mailroom.delivery.filing.latency").timer().totalTime(TimeUnit.SECONDS)).isEqualTo(6.0);
    }

    @Test
    void resolvesAndFilesEveryRecipientOfAMessageInOneCallEach() {
        Disposition disposition = processor.process(mail("alice@example.com", "bob@example.com", "team@example.com",
                "nobody@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(mailboxApi.resolveBatches()).containsExactly(List.of("alice@example.com", "bob@example.com",
                "team@example.com", "nobody@example.com"));
        // alice is reached twice (her address and team@) and gets one copy, for the first recipient that reached her
        assertThat(mailboxApi.fileBatches()).hasSize(1);
        assertThat(mailboxApi.fileBatches().getFirst()).extracting(FilingRecipient::deliveryId)
                .containsExactly("q-42:alice@example.com", "q-42:bob@example.com", "q-42:carol@example.com");
        assertThat(mailboxApi.copies()).hasSize(3);
        // the unknown recipient bounced, with its own notification
        assertThat(notifications).hasSize(1);
        assertThat(new String(notifications.getFirst().content(), StandardCharsets.UTF_8))
                .contains("nobody@example.com").doesNotContain("Final-Recipient: rfc822; alice@example.com");
    }

    @Test
    void aMessageIsResolvedAndFiledInOneCall() {
        Disposition disposition = processor.process(mail("alice@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(mailboxApi.deliverCalls()).containsExactly(
                new InMemoryMailboxApiClient.DeliverCall(List.of("alice@example.com"), "q-42:", List.of()));
        // nothing left for a separate filing call
        assertThat(mailboxApi.fileBatches()).hasSize(1);
        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::deliveryId)
                .containsExactly("q-42:alice@example.com");
    }

    @Test
    void aRetryOfAnAliasSkipsTheAccountsAlreadyDone() {
        mailboxApi.failFilings(1, account -> account.startsWith("carol"));
        QueuedMail mail = mail("bob@example.com", "team@example.com");

        DeliveryState state = stateOf(processor.process(mail, 1));
        assertThat(state.destinations()).extracting(Destination::address, Destination::outcome)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("bob@example.com", Outcome.FILED),
                        org.assertj.core.groups.Tuple.tuple("alice@example.com", Outcome.FILED),
                        org.assertj.core.groups.Tuple.tuple("carol@example.com", Outcome.DEFERRED));

        assertThat(processor.process(mail.withState(state), 2)).isEqualTo(Disposition.done());
        // bob is done: not asked about again; team@ still reaches carol, and alice is not filed again
        assertThat(mailboxApi.deliverCalls().get(1).addresses()).containsExactly("team@example.com");
        assertThat(mailboxApi.deliverCalls().get(1).skip()).containsExactlyInAnyOrder("bob@example.com", "alice@example.com");
        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::account)
                .containsExactly("bob@example.com", "alice@example.com", "carol@example.com", "carol@example.com");
        assertThat(mailboxApi.copies()).hasSize(3);
    }

    @Test
    void aRefusedBatchResolutionFallsBackToOneAddressAtATime() {
        mailboxApi.refuseBatchResolution();

        Disposition disposition = processor.process(mail("alice@example.com", "bob@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(mailboxApi.resolveBatches()).hasSize(1);
        assertThat(mailboxApi.copies()).hasSize(2);
        assertThat(mailboxApi.fileBatches()).hasSize(1);
    }

    @Test
    void aRecipientRefusedInTheBatchKeepsItsOwnOutcome() {
        mailboxApi.failFilings(1, account -> account.startsWith("carol"));
        QueuedMail mail = mail("alice@example.com", "bob@example.com", "carol@example.com");

        Disposition first = processor.process(mail, 1);

        DeliveryState state = stateOf(first);
        assertThat(state.destinations()).extracting(Destination::address, Destination::outcome, Destination::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice@example.com", Outcome.FILED, "2.0.0"),
                        org.assertj.core.groups.Tuple.tuple("bob@example.com", Outcome.FILED, "2.0.0"),
                        org.assertj.core.groups.Tuple.tuple("carol@example.com", Outcome.DEFERRED, "4.4.1"));

        assertThat(processor.process(mail.withState(state), 2)).isEqualTo(Disposition.done());
        assertThat(mailboxApi.fileBatches()).extracting(List::size).containsExactly(3, 1);
        assertThat(mailboxApi.copies()).hasSize(3);
    }

    @Test
    void theTraceIdIsInTheMdcWhileTheMessageIsProcessed() {
        processor.process(mail("alice@example.com"), 1);

        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::mdcTraceId).containsExactly("trace-42");
        assertThat(MDC.get("traceId")).isNull();
    }

    @Test
    void mailboxApiUnavailableMeansRetryWithAGrowingDelayAndEveryRecipientDeferred() {
        mailboxApi.unavailable(true);
        QueuedMail mail = mail("alice@example.com", "bob@example.com");

        List<Disposition> dispositions = List.of(processor.process(mail, 1), processor.process(mail, 2),
                processor.process(mail, 3), processor.process(mail, 12));

        assertThat(dispositions).allSatisfy(d -> assertThat(d).isInstanceOf(Disposition.Retry.class));
        assertThat(dispositions).extracting(d -> ((Disposition.Retry) d).delay())
                .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofHours(1));
        assertThat(((Disposition.Retry) dispositions.getFirst()).reason()).contains("mailbox-api unavailable");
        assertThat(stateOf(dispositions.getFirst()).destinations())
                .extracting(Destination::address, Destination::outcome, Destination::status)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("alice@example.com", Outcome.DEFERRED, "4.4.1"),
                        org.assertj.core.groups.Tuple.tuple("bob@example.com", Outcome.DEFERRED, "4.4.1"));
        assertThat(mailboxApi.copies()).isEmpty();
        assertThat(notifications).isEmpty();
        assertThat(counter("mailroom.delivery.retries")).isEqualTo(4);
    }

    @Test
    void aRetryCarriesTheOutcomesAndNeverRedoesADoneRecipient() {
        mailboxApi.failFilings(1, account -> account.startsWith("bob"));
        QueuedMail mail = mail("alice@example.com", "bob@example.com", "carol@example.com");

        Disposition first = processor.process(mail, 1);
        assertThat(first).isInstanceOf(Disposition.Retry.class);
        DeliveryState state = stateOf(first);
        assertThat(state.destination("alice@example.com")).get().extracting(Destination::outcome).isEqualTo(Outcome.FILED);
        assertThat(state.destination("alice@example.com").get().detail()).matches("filed in mailbox \\d+ as uid \\d+");
        assertThat(state.destination("bob@example.com")).get().extracting(Destination::outcome).isEqualTo(Outcome.DEFERRED);

        Disposition second = processor.process(mail.withState(state), 2);

        assertThat(second).isEqualTo(Disposition.done());
        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::account)
                .containsExactly("alice@example.com", "bob@example.com", "bob@example.com", "carol@example.com");
        assertThat(mailboxApi.copies()).hasSize(3);
    }

    @Test
    void aRedeliveredMessageFilesWithTheSameDeliveryIdsAndStoresNothingTwice() {
        QueuedMail mail = mail("alice@example.com", "team@example.com");

        // a crash after filing, before the ack: the message comes back with the state it had
        assertThat(processor.process(mail, 1)).isEqualTo(Disposition.done());
        assertThat(processor.process(mail, 1)).isEqualTo(Disposition.done());

        assertThat(mailboxApi.copies()).hasSize(2);
        assertThat(counter("mailroom.delivery.filed", "duplicate", "false")).isEqualTo(2);
        assertThat(counter("mailroom.delivery.filed", "duplicate", "true")).isEqualTo(2);
    }

    @Test
    void anUnknownRecipientBouncesWithAnRfc3464ReportFromTheNullSender() {
        Disposition disposition = processor.process(mail("alice@example.com", "ghost@example.com", "someone@elsewhere.net"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(mailboxApi.copies()).containsOnlyKeys("q-42:alice@example.com");
        assertThat(notifications).singleElement().satisfies(dsn -> {
            assertThat(dsn.envelopeFrom()).isEmpty();
            assertThat(dsn.recipients()).containsExactly("sender@example.org");
            assertThat(dsn.id()).startsWith("q-42-dsn-");
            String text = text(dsn);
            assertThat(text).contains("Content-Type: multipart/report; report-type=delivery-status;",
                    "Content-Type: message/delivery-status", "Reporting-MTA: dns; mx.example.com",
                    "Final-Recipient: rfc822; ghost@example.com", "Action: failed", "Status: 5.1.1",
                    "Final-Recipient: rfc822; someone@elsewhere.net", "Status: 5.1.2",
                    "Content-Type: message/rfc822", "Auto-Submitted: auto-replied", "To: <sender@example.org>");
            assertThat(text).doesNotContain("Final-Recipient: rfc822; alice@example.com");
            // RET not given: the whole original comes back
            assertThat(dsn.content()).containsSubsequence(CONTENT);
        });
        assertThat(counter("mailroom.delivery.bounced", "status", "5.1.1")).isEqualTo(1);
        assertThat(counter("mailroom.delivery.bounced", "status", "5.1.2")).isEqualTo(1);
        assertThat(counter("mailroom.delivery.notifications", "action", "failed")).isEqualTo(2);
    }

    @Test
    void theBounceHonoursRetEnvidAndOrcpt() {
        QueuedMail mail = mail("sender@example.org", dsn("HDRS", "ENV 42+x",
                new RecipientOptions(false, List.of("FAILURE"), "rfc822;Ghost@Example.com")), "ghost@example.com");

        processor.process(mail, 1);

        String text = text(notifications.getFirst());
        assertThat(text).contains("Original-Envelope-Id: ENV+2042+2Bx", "Original-Recipient: rfc822; Ghost@Example.com",
                "Content-Type: text/rfc822-headers", "Message-ID: <m1@example.org>");
        assertThat(text).doesNotContain("Gr\u00fc\u00dfe\r\n--", "Content-Type: message/rfc822");
    }

    @Test
    void notifyNeverAndTheNullSenderGetNoBounce() {
        processor.process(mail("sender@example.org", dsn(null, null,
                new RecipientOptions(false, List.of("NEVER"), null)), "ghost@example.com"), 1);
        processor.process(mail("", MailOptions.NONE, "ghost@example.com"), 1);

        assertThat(notifications).isEmpty();
        assertThat(counter("mailroom.delivery.bounced", "status", "5.1.1")).isEqualTo(2);
    }

    @Test
    void notifySuccessReportsTheDelivery() {
        Disposition disposition = processor.process(mail("sender@example.org", dsn(null, null,
                new RecipientOptions(false, List.of("SUCCESS"), null), RecipientOptions.LOCAL),
                "alice@example.com", "bob@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        String text = text(notifications.getFirst());
        assertThat(text).contains("Final-Recipient: rfc822; alice@example.com", "Action: delivered", "Status: 2.0.0",
                "Content-Type: text/rfc822-headers");
        assertThat(text).doesNotContain("bob@example.com");
    }

    @Test
    void aBounceIsSentOnceEvenWhenTheMessageIsRetriedForOtherRecipients() {
        mailboxApi.failFilings(1, account -> account.startsWith("alice"));
        QueuedMail mail = mail("ghost@example.com", "alice@example.com");

        Disposition first = processor.process(mail, 1);
        assertThat(first).isInstanceOf(Disposition.Retry.class);
        assertThat(notifications).hasSize(1);
        assertThat(stateOf(first).destination("ghost@example.com")).get()
                .satisfies(d -> assertThat(d.reported()).isTrue());

        assertThat(processor.process(mail.withState(stateOf(first)), 2)).isEqualTo(Disposition.done());
        assertThat(notifications).hasSize(1);
    }

    @Test
    void aBounceThatCannotBeQueuedIsSentAtTheNextAttempt() {
        queueDown.set(true);
        QueuedMail mail = mail("ghost@example.com");

        Disposition first = processor.process(mail, 1);
        assertThat(first).isInstanceOf(Disposition.Retry.class);
        assertThat(((Disposition.Retry) first).reason()).contains("notification could not be queued");
        assertThat(stateOf(first).destination("ghost@example.com").get().reported()).isFalse();

        queueDown.set(false);
        assertThat(processor.process(mail.withState(stateOf(first)), 2)).isEqualTo(Disposition.done());
        assertThat(notifications).hasSize(1);
        // resolving is not done again: the outcome is final
        assertThat(counter("mailroom.delivery.bounced", "status", "5.1.1")).isEqualTo(1);
    }

    @Test
    void aFullMailboxIsRetriedDuringTheGracePeriodThenBounces() {
        InMemoryMailboxApiClient full = new InMemoryMailboxApiClient() {
            @Override
            public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
                throw new MailboxApiException(422, DeliveryProcessor.QUOTA_EXCEEDED, "storage limit reached");
            }
        }.account("alice@example.com");
        Clock early = Clock.fixed(RECEIVED.plus(Duration.ofHours(1)), ZoneOffset.UTC);
        Clock late = Clock.fixed(RECEIVED.plus(Duration.ofDays(1)), ZoneOffset.UTC);

        Disposition first = new DeliveryProcessor(full, transport, notifications::add,
                new DsnComposer("mx.example.com", 1000, early), PROPERTIES, new DeliveryMetrics(registry), early)
                .process(mail("alice@example.com"), 1);
        assertThat(first).isInstanceOf(Disposition.Retry.class);
        assertThat(stateOf(first).destination("alice@example.com").get().status()).isEqualTo("4.2.2");

        Disposition later = new DeliveryProcessor(full, transport, notifications::add,
                new DsnComposer("mx.example.com", 1000, late), PROPERTIES, new DeliveryMetrics(registry), late)
                .process(mail("alice@example.com").withState(stateOf(first)), 9);
        assertThat(later).isEqualTo(Disposition.done());
        assertThat(text(notifications.getFirst())).contains("Status: 5.2.2", "Action: failed");
    }

    @Test
    void anAccountRemovedBeforeFilingBounces() {
        InMemoryMailboxApiClient gone = new InMemoryMailboxApiClient() {
            @Override
            public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
                throw new MailboxApiException(404, DeliveryProcessor.ACCOUNT_NOT_FOUND, "no such account");
            }
        }.account("alice@example.com");
        Clock clock = Clock.fixed(RECEIVED.plusSeconds(2), ZoneOffset.UTC);
        DeliveryProcessor processor = new DeliveryProcessor(gone, transport, notifications::add,
                new DsnComposer("mx.example.com", 1000, clock), PROPERTIES, new DeliveryMetrics(registry), clock);

        assertThat(processor.process(mail("alice@example.com"), 1)).isEqualTo(Disposition.done());
        assertThat(text(notifications.getFirst())).contains("Final-Recipient: rfc822; alice@example.com", "Status: 5.1.1");
    }

    @Test
    void anUnexpectedRefusalIsRetriedNotDropped() {
        InMemoryMailboxApiClient refusing = new InMemoryMailboxApiClient() {
            @Override
            public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
                throw new MailboxApiException(413, "message-too-large", "too large");
            }
        }.account("alice@example.com");
        Clock clock = Clock.fixed(RECEIVED.plusSeconds(2), ZoneOffset.UTC);
        DeliveryProcessor processor = new DeliveryProcessor(refusing, transport, notifications::add,
                new DsnComposer("mx.example.com", 1000, clock), PROPERTIES, new DeliveryMetrics(registry), clock);

        Disposition disposition = processor.process(mail("alice@example.com"), 1);

        assertThat(disposition).isInstanceOf(Disposition.Retry.class);
        assertThat(((Disposition.Retry) disposition).reason()).contains("too large");
    }

    @Test
    void pastTheLifetimeTheDeferredRecipientsBounceWithDeliveryTimeExpired() {
        mailboxApi.unavailable(true);
        DeliveryProcessor late = processorAt(RECEIVED.plus(Duration.ofDays(5)));

        Disposition disposition = late.process(mail("alice@example.com"), 130);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(text(notifications.getFirst())).contains("Final-Recipient: rfc822; alice@example.com",
                "Action: failed", "Status: 4.4.7", "delivery time expired");
        assertThat(counter("mailroom.delivery.bounced", "status", "4.4.7")).isEqualTo(1);
    }

    @Test
    void theLifetimeCountsFromTheStartOfTheDeliveryPeriodAfterAReplay() {
        mailboxApi.unavailable(true);
        DeliveryProcessor late = processorAt(RECEIVED.plus(Duration.ofDays(6)));
        QueuedMail replayed = mail("alice@example.com").withState(
                DeliveryState.EMPTY.withSince(RECEIVED.plus(Duration.ofDays(5))));

        assertThat(late.process(replayed, 1)).isInstanceOf(Disposition.Retry.class);
    }

    @Test
    void aMessageThatFailsEveryAttemptGoesToTheDeadLettersWithTheReasonAtTheEnd() {
        InMemoryMailboxApiClient broken = new InMemoryMailboxApiClient() {
            @Override
            public RecipientResolution resolveRecipient(String address) {
                throw new IllegalStateException("cannot make sense of this address");
            }
        };
        Clock clock = Clock.fixed(RECEIVED.plus(Duration.ofDays(5)), ZoneOffset.UTC);
        Disposition disposition = new DeliveryProcessor(broken, transport, notifications::add,
                new DsnComposer("mx.example.com", 1000, clock), PROPERTIES, new DeliveryMetrics(registry), clock)
                .process(mail("alice@example.com"), 130);

        assertThat(disposition).isInstanceOf(Disposition.Dead.class);
        assertThat(((Disposition.Dead) disposition).reason()).contains("failed every attempt", "cannot make sense");
        assertThat(counter("mailroom.delivery.dead.letters")).isEqualTo(1);
    }

    @Test
    void aDelayWarningGoesOutOnceAfterTheConfiguredTime() {
        mailboxApi.unavailable(true);
        DeliveryProcessor afterFourHours = processorAt(RECEIVED.plus(Duration.ofHours(4)).plusSeconds(1));
        QueuedMail mail = mail("alice@example.com");

        Disposition first = afterFourHours.process(mail, 8);
        Disposition second = afterFourHours.process(mail.withState(stateOf(first)), 9);

        assertThat(stateOf(first).delayNotified()).isTrue();
        assertThat(second).isInstanceOf(Disposition.Retry.class);
        assertThat(notifications).singleElement().satisfies(dsn -> assertThat(text(dsn)).contains(
                "Action: delayed", "Status: 4.4.1", "Will-Retry-Until: Sat, 9 Mar 2024 10:00:00 GMT",
                "Subject: Delayed Mail", "Content-Type: text/rfc822-headers"));
        assertThat(counter("mailroom.delivery.notifications", "action", "delayed")).isEqualTo(1);
    }

    @Test
    void noDelayWarningBeforeTheConfiguredTimeNorWhenNotifyLeavesDelayOut() {
        mailboxApi.unavailable(true);
        processorAt(RECEIVED.plus(Duration.ofHours(3))).process(mail("alice@example.com"), 5);
        processorAt(RECEIVED.plus(Duration.ofHours(5))).process(mail("sender@example.org",
                dsn(null, null, new RecipientOptions(false, List.of("FAILURE"), null)), "alice@example.com"), 5);

        assertThat(notifications).isEmpty();
    }

    @Test
    void remoteRecipientsGoToTheRelayInOneCallAndItsAnswersAreOutcomes() {
        transport = (mail, recipients) -> {
            relayCalls.add(recipients);
            return recipients.stream().map(r -> switch (r.address()) {
                case "x@remote.example" -> new RelayResult(r.address(), RelayResult.Kind.SENT, "2.0.0", "250 queued", "relay.example.net");
                case "y@remote.example" -> new RelayResult(r.address(), RelayResult.Kind.TEMPORARY, "4.2.0", "451 later", "relay.example.net");
                default -> new RelayResult(r.address(), RelayResult.Kind.PERMANENT, "5.1.1", "550 5.1.1 no such user", "relay.example.net");
            }).toList();
        };
        RecipientOptions remote = new RecipientOptions(true, List.of(), null);
        QueuedMail mail = mail("alice@example.com", dsn(null, null, RecipientOptions.LOCAL, remote, remote, remote),
                "bob@example.com", "x@remote.example", "y@remote.example", "z@remote.example");

        Disposition disposition = processor.process(mail, 1);

        assertThat(relayCalls).singleElement().satisfies(call -> assertThat(call)
                .extracting(OutboundTransport.RelayRecipient::address)
                .containsExactly("x@remote.example", "y@remote.example", "z@remote.example"));
        DeliveryState state = stateOf(disposition);
        assertThat(state.destination("x@remote.example").get().outcome()).isEqualTo(Outcome.RELAYED);
        assertThat(state.destination("y@remote.example").get().outcome()).isEqualTo(Outcome.DEFERRED);
        assertThat(state.destination("z@remote.example").get().outcome()).isEqualTo(Outcome.BOUNCED);
        assertThat(text(notifications.getFirst())).contains("Final-Recipient: rfc822; z@remote.example",
                "Remote-MTA: dns; relay.example.net", "Diagnostic-Code: smtp; 550 5.1.1 no such user");
        assertThat(counter("mailroom.delivery.relayed")).isEqualTo(1);

        // the retry relays only the one that was deferred
        processor.process(mail.withState(state), 2);
        assertThat(relayCalls.get(1)).extracting(OutboundTransport.RelayRecipient::address)
                .containsExactly("y@remote.example");
    }

    @Test
    void aNonLocalRecipientFromMxMailIsNotRelayed() {
        Disposition disposition = processor.process(mail("someone@elsewhere.net"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(relayCalls).isEmpty();
        assertThat(text(notifications.getFirst())).contains("Status: 5.1.2");
    }

    @Test
    void withoutARelayRemoteRecipientsWait() {
        transport = OutboundTransport.NONE;
        RecipientOptions remote = new RecipientOptions(true, List.of(), null);

        Disposition disposition = processor.process(mail("alice@example.com", dsn(null, null, remote), "x@remote.example"), 1);

        assertThat(disposition).isInstanceOf(Disposition.Retry.class);
        assertThat(stateOf(disposition).destination("x@remote.example").get())
                .extracting(Destination::outcome, Destination::status).containsExactly(Outcome.DEFERRED, "4.3.5");
    }

    @Test
    void aliasForwardsAreRelayed() {
        mailboxApi.resolution(new RecipientResolution("list@example.com", RecipientResolution.Status.DELIVERABLE,
                List.of("bob@example.com"), List.of("friend@remote.example")));

        Disposition disposition = processor.process(mail("list@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(mailboxApi.copies()).containsOnlyKeys("q-42:bob@example.com");
        assertThat(relayCalls).singleElement().satisfies(call -> assertThat(call)
                .extracting(OutboundTransport.RelayRecipient::address).containsExactly("friend@remote.example"));
    }

    @Test
    void aRecipientDeferredBeforeItResolvedIsReplacedByItsAccounts() {
        mailboxApi.unavailable(true);
        Disposition first = processor.process(mail("team@example.com"), 1);
        assertThat(stateOf(first).destinations()).extracting(Destination::address).containsExactly("team@example.com");

        mailboxApi.unavailable(false);
        Disposition second = processor.process(mail("team@example.com").withState(stateOf(first)), 2);

        assertThat(second).isEqualTo(Disposition.done());
        assertThat(mailboxApi.copies()).containsOnlyKeys("q-42:alice@example.com", "q-42:carol@example.com");
    }

    @Test
    void theFiledDetailNamesMailboxAndUid() {
        assertThat(DeliveryProcessor.filedLocation(DeliveryProcessor.filedDetail(new FiledMessage(1, 12, 345, 6, false))))
                .containsExactly(12, 345);
        assertThat(DeliveryProcessor.filedLocation("550 no")).isNull();
    }
}
