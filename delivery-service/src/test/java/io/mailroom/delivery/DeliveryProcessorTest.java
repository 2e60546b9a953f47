package io.mailroom.delivery;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.FiledMessage;
import io.mailroom.queue.Disposition;
import io.mailroom.queue.QueuedMail;

class DeliveryProcessorTest {

    private static final Instant RECEIVED = Instant.parse("2024-03-04T10:00:00Z");
    private static final byte[] CONTENT = "Subject: hello\r\n\r\nGr\u00fc\u00dfe\r\n".getBytes(StandardCharsets.UTF_8);
    private static final DeliveryProperties.Retry RETRY = new DeliveryProperties.Retry(Duration.ofMinutes(1), 2.0,
            Duration.ofHours(1), Duration.ofDays(5));

    private final InMemoryMailboxApiClient mailboxApi = new InMemoryMailboxApiClient()
            .account("alice@example.com").account("bob@example.com").account("carol@example.com")
            .alias("team@example.com", "alice@example.com", "carol@example.com");
    private final List<List<PermanentFailure>> recordedFailures = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private DeliveryProcessor processorAt(Instant now) {
        return new DeliveryProcessor(mailboxApi, (mail, failures) -> recordedFailures.add(failures), RETRY,
                new DeliveryMetrics(registry), Clock.fixed(now, ZoneOffset.UTC));
    }

    private final DeliveryProcessor processor = processorAt(RECEIVED.plusSeconds(2));

    private static QueuedMail mail(String... recipients) {
        return new QueuedMail("q-42", "trace-42", "sender@example.org", List.of(recipients), RECEIVED, CONTENT);
    }

    private double counter(String name, String... tags) {
        return registry.get(name).tags(tags).counter().count();
    }

    @Test
    void filesOneCopyPerAccountWithAStableDeliveryId() {
        Disposition disposition = processor.process(mail("alice@example.com", "bob@example.com", "team@example.com"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        // team@ expands to alice and carol; alice already has her copy through her own address
        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::deliveryId)
                .containsExactly("q-42:alice@example.com", "q-42:bob@example.com", "q-42:carol@example.com");
        assertThat(mailboxApi.fileCalls()).allSatisfy(call -> {
            assertThat(call.content()).isEqualTo(CONTENT);
            assertThat(call.traceId()).isEqualTo("trace-42");
        });
        assertThat(mailboxApi.copies()).hasSize(3);
        assertThat(recordedFailures).isEmpty();
        assertThat(counter("mailroom.delivery.filed", "duplicate", "false")).isEqualTo(3);
        assertThat(registry.get("mailroom.delivery.filing.latency").timer().totalTime(java.util.concurrent.TimeUnit.SECONDS))
                .isEqualTo(6.0);
    }

    @Test
    void theTraceIdIsInTheMdcWhileTheMessageIsProcessed() {
        processor.process(mail("alice@example.com"), 1);

        assertThat(mailboxApi.fileCalls()).extracting(InMemoryMailboxApiClient.FileCall::mdcTraceId).containsExactly("trace-42");
        assertThat(MDC.get("traceId")).isNull();
    }

    @Test
    void mailboxApiUnavailableMeansRetryWithAGrowingDelay() {
        mailboxApi.unavailable(true);
        QueuedMail mail = mail("alice@example.com", "bob@example.com");

        List<Disposition> dispositions = List.of(processor.process(mail, 1), processor.process(mail, 2),
                processor.process(mail, 3), processor.process(mail, 12));

        assertThat(dispositions).allSatisfy(d -> assertThat(d).isInstanceOf(Disposition.Retry.class));
        assertThat(dispositions).extracting(d -> ((Disposition.Retry) d).delay())
                .containsExactly(Duration.ofMinutes(1), Duration.ofMinutes(2), Duration.ofMinutes(4), Duration.ofHours(1));
        assertThat(((Disposition.Retry) dispositions.getFirst()).reason()).contains("mailbox-api unavailable");
        assertThat(mailboxApi.copies()).isEmpty();
        assertThat(recordedFailures).isEmpty();
        assertThat(counter("mailroom.delivery.retries")).isEqualTo(4);
    }

    @Test
    void anUnknownUserIsAPermanentFailureAndTheMessageIsDone() {
        Disposition disposition = processor.process(mail("alice@example.com", "ghost@example.com", "someone@elsewhere.net"), 1);

        assertThat(disposition).isEqualTo(Disposition.done());
        assertThat(mailboxApi.copies()).containsOnlyKeys("q-42:alice@example.com");
        assertThat(recordedFailures).hasSize(1);
        assertThat(recordedFailures.getFirst())
                .extracting(PermanentFailure::recipient, PermanentFailure::reason)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("ghost@example.com", PermanentFailure.Reason.UNKNOWN_USER),
                        org.assertj.core.groups.Tuple.tuple("someone@elsewhere.net", PermanentFailure.Reason.NON_LOCAL_DOMAIN));
        assertThat(counter("mailroom.delivery.permanent.failures", "reason", "unknown_user")).isEqualTo(1);
        assertThat(counter("mailroom.delivery.permanent.failures", "reason", "non_local_domain")).isEqualTo(1);
    }

    @Test
    void aRedeliveredMessageFilesWithTheSameDeliveryIdsAndStoresNothingTwice() {
        QueuedMail mail = mail("alice@example.com", "team@example.com");

        assertThat(processor.process(mail, 1)).isEqualTo(Disposition.done());
        assertThat(processor.process(mail, 1)).isEqualTo(Disposition.done());

        List<String> ids = mailboxApi.fileCalls().stream().map(InMemoryMailboxApiClient.FileCall::deliveryId).toList();
        assertThat(ids).containsExactly("q-42:alice@example.com", "q-42:carol@example.com",
                "q-42:alice@example.com", "q-42:carol@example.com");
        assertThat(mailboxApi.copies()).hasSize(2);
        assertThat(counter("mailroom.delivery.filed", "duplicate", "false")).isEqualTo(2);
        assertThat(counter("mailroom.delivery.filed", "duplicate", "true")).isEqualTo(2);
    }

    @Test
    void aRetryAfterAPartialDeliveryCompletesItWithoutDuplicates() {
        mailboxApi.failFilings(1, account -> account.startsWith("bob"));
        QueuedMail mail = mail("alice@example.com", "bob@example.com", "carol@example.com");

        Disposition first = processor.process(mail, 1);
        Disposition second = processor.process(mail, 2);

        assertThat(first).isInstanceOf(Disposition.Retry.class);
        assertThat(second).isEqualTo(Disposition.done());
        assertThat(mailboxApi.copies()).containsOnlyKeys("q-42:alice@example.com", "q-42:bob@example.com",
                "q-42:carol@example.com");
    }

    @Test
    void permanentFailuresAreRecordedOnlyOnceEveryRecipientHasAFinalOutcome() {
        mailboxApi.failFilings(1, account -> account.startsWith("alice"));
        QueuedMail mail = mail("ghost@example.com", "alice@example.com");

        assertThat(processor.process(mail, 1)).isInstanceOf(Disposition.Retry.class);
        assertThat(recordedFailures).isEmpty();

        assertThat(processor.process(mail, 2)).isEqualTo(Disposition.done());
        assertThat(recordedFailures).hasSize(1);
    }

    @Test
    void anAccountRemovedBeforeFilingIsAPermanentFailure() {
        InMemoryMailboxApiClient gone = new InMemoryMailboxApiClient() {
            @Override
            public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
                throw new MailboxApiException(404, DeliveryProcessor.ACCOUNT_NOT_FOUND, "no such account");
            }
        }.account("alice@example.com");
        DeliveryProcessor processor = new DeliveryProcessor(gone, (mail, failures) -> recordedFailures.add(failures),
                RETRY, new DeliveryMetrics(registry), Clock.fixed(RECEIVED.plusSeconds(2), ZoneOffset.UTC));

        assertThat(processor.process(mail("alice@example.com"), 1)).isEqualTo(Disposition.done());
        assertThat(recordedFailures.getFirst()).singleElement()
                .extracting(PermanentFailure::reason).isEqualTo(PermanentFailure.Reason.UNKNOWN_USER);
    }

    @Test
    void anUnexpectedRefusalIsRetriedNotDropped() {
        InMemoryMailboxApiClient refusing = new InMemoryMailboxApiClient() {
            @Override
            public FiledMessage fileMessage(String account, String deliveryId, byte[] content, String traceId) {
                throw new MailboxApiException(413, "message-too-large", "too large");
            }
        }.account("alice@example.com");
        DeliveryProcessor processor = new DeliveryProcessor(refusing, (mail, failures) -> recordedFailures.add(failures),
                RETRY, new DeliveryMetrics(registry), Clock.fixed(RECEIVED.plusSeconds(2), ZoneOffset.UTC));

        Disposition disposition = processor.process(mail("alice@example.com"), 1);

        assertThat(disposition).isInstanceOf(Disposition.Retry.class);
        assertThat(((Disposition.Retry) disposition).reason()).contains("too large");
    }

    @Test
    void aMessageTooOldToRetryGoesToTheDeadLetterQueueWithTheReason() {
        mailboxApi.unavailable(true);
        DeliveryProcessor late = processorAt(RECEIVED.plus(Duration.ofDays(5)));

        Disposition disposition = late.process(mail("alice@example.com"), 130);

        assertThat(disposition).isInstanceOf(Disposition.Dead.class);
        assertThat(((Disposition.Dead) disposition).reason()).contains("gave up after 130 attempts", "mailbox-api unavailable");
        assertThat(counter("mailroom.delivery.given.up")).isEqualTo(1);
    }
}
