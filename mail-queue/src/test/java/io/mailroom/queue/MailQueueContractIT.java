package io.mailroom.queue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What every {@link MailQueue} / {@link MailQueueConsumer} adapter promises, run against the real
 * broker or database by each adapter's subclass.
 */
public abstract class MailQueueContractIT {

    /** How the subclasses configure their consumers, so the timing-based tests stay short. */
    protected static final Duration ERROR_RETRY_DELAY = Duration.ofMillis(500);

    /** mailroom.queue.max-deliveries as the subclasses configure it. */
    protected static final int MAX_DELIVERIES = 2;

    /** A delay the admin tests never wait out: the subclasses' longest retry tier must be at least this long. */
    protected static final Duration LONG_DELAY = Duration.ofMinutes(1);

    /** A dead-lettered message as the adapter's dead-letter store holds it. */
    public record DeadLetter(String id, String reason, byte[] content) {
    }

    private final List<MailQueueConsumer> consumers = new ArrayList<>();
    private final CountDownLatch releaseBlockedProcessors = new CountDownLatch(1);

    /** The producer under test (one per test). */
    protected abstract MailQueue queue();

    /** A new consumer, as if in a process of its own (own connection), not yet started. */
    protected abstract MailQueueConsumer newConsumer(int concurrency, Duration shutdownTimeout);

    /** Everything in the adapter's dead-letter store, without removing it. */
    protected abstract List<DeadLetter> deadLetters() throws Exception;

    /** The adapter's admin view of the same queue. */
    protected abstract MailQueueAdmin admin();

    /** Puts {@code mail} on the queue as a writer of another format version would. */
    protected abstract void enqueueInFormatVersion(QueuedMail mail, int version) throws Exception;

    protected MailQueueConsumer startConsumer(int concurrency, Duration shutdownTimeout, MailProcessor processor) {
        MailQueueConsumer consumer = newConsumer(concurrency, shutdownTimeout);
        consumers.add(consumer);
        consumer.start(processor);
        return consumer;
    }

    @AfterEach
    void closeConsumers() {
        releaseBlockedProcessors.countDown();
        consumers.forEach(MailQueueConsumer::close);
    }

    /** Every byte value, bare CR and LF beside CRLF, and a line that is only a dot: nothing may be rewritten. */
    protected static byte[] eightBitContent(String id) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(("Message-ID: <" + id + "@test>\r\nSubject: caf\u00e9 \u00fcber\r\n"
                + "Content-Transfer-Encoding: 8bit\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
        for (int b = 0; b < 256; b++) {
            out.write(b);
        }
        out.writeBytes("\r\n.\r\nbare LF\nbare CR\rend\r\n".getBytes(StandardCharsets.US_ASCII));
        out.writeBytes("Gr\u00fc\u00dfe, \u65e5\u672c\r\n".getBytes(StandardCharsets.UTF_8));
        return out.toByteArray();
    }

    protected static QueuedMail mail(String id) {
        return new QueuedMail(id, "trace-" + id, "sender@example.org", List.of("a@example.com", "b@example.com"),
                Instant.parse("2024-05-06T07:08:09.123456789Z"), eightBitContent(id));
    }

    protected static String newId() {
        return UUID.randomUUID().toString();
    }

    private record Delivery(QueuedMail mail, int attempt, long atNanos) {
    }

    @Test
    void enqueuedMessageArrivesByteForByteWithItsEnvelope() throws Exception {
        QueuedMail sent = new QueuedMail(newId(), "trace-1", "", List.of("x@example.com", "Y@Example.COM", "z@example.net"),
                Instant.parse("2024-05-06T07:08:09.123456789Z"), eightBitContent("rt"));
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        startConsumer(2, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.add(new Delivery(mail, attempt, System.nanoTime()));
            return Disposition.done();
        });

        queue().enqueue(sent);

        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() == 1);
        Delivery delivery = deliveries.getFirst();
        assertThat(delivery.attempt()).isEqualTo(1);
        assertThat(delivery.mail().id()).isEqualTo(sent.id());
        assertThat(delivery.mail().traceId()).isEqualTo("trace-1");
        assertThat(delivery.mail().envelopeFrom()).isEmpty();
        assertThat(delivery.mail().recipients()).containsExactly("x@example.com", "Y@Example.COM", "z@example.net");
        assertThat(delivery.mail().receivedAt()).isEqualTo(sent.receivedAt());
        assertThat(delivery.mail().content()).isEqualTo(sent.content());
    }

    @Test
    void messageWhoseProcessorThrowsIsDeliveredAgain() throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.add(new Delivery(mail, attempt, System.nanoTime()));
            if (attempt == 1) {
                throw new IllegalStateException("mailbox-api exploded");
            }
            return Disposition.done();
        });
        QueuedMail sent = mail(newId());

        queue().enqueue(sent);

        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() >= 2);
        assertThat(deliveries).extracting(Delivery::attempt).startsWith(1, 2);
        assertThat(deliveries.get(1).mail().content()).isEqualTo(sent.content());
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void messageInProgressWhenItsConsumerClosesIsDeliveredAgain() throws Exception {
        CountDownLatch started = new CountDownLatch(1);
        MailQueueConsumer first = startConsumer(1, Duration.ofMillis(200), (mail, attempt) -> {
            started.countDown();
            awaitRelease();
            return Disposition.done();
        });
        QueuedMail sent = mail(newId());
        queue().enqueue(sent);
        assertThat(started.await(20, TimeUnit.SECONDS)).isTrue();

        first.close();
        List<Delivery> again = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            again.add(new Delivery(mail, attempt, System.nanoTime()));
            return Disposition.done();
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> !again.isEmpty());
        assertThat(again.getFirst().mail().id()).isEqualTo(sent.id());
        assertThat(again.getFirst().mail().content()).isEqualTo(sent.content());
    }

    @Test
    void retriedMessageComesBackWithTheNextAttemptAfterTheDelay() throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.add(new Delivery(mail, attempt, System.nanoTime()));
            return attempt == 1 ? Disposition.retry(Duration.ofSeconds(1), "mailbox-api unavailable") : Disposition.done();
        });
        QueuedMail sent = mail(newId());

        queue().enqueue(sent);

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.size() >= 2);
        assertThat(deliveries).extracting(Delivery::attempt).startsWith(1, 2);
        long waitedMillis = TimeUnit.NANOSECONDS.toMillis(deliveries.get(1).atNanos() - deliveries.get(0).atNanos());
        assertThat(waitedMillis).isGreaterThanOrEqualTo(900);
        assertThat(deliveries.get(1).mail().content()).isEqualTo(sent.content());
        assertThat(deliveries.get(1).mail().traceId()).isEqualTo(sent.traceId());
    }

    @Test
    void deadMessageLandsInTheDeadLetterStoreWithItsReason() throws Exception {
        AtomicInteger processed = new AtomicInteger();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            processed.incrementAndGet();
            return Disposition.dead("550 5.1.1 every recipient unknown");
        });
        QueuedMail sent = mail(newId());

        queue().enqueue(sent);

        await().atMost(Duration.ofSeconds(20)).until(() -> !deadLetters().isEmpty());
        DeadLetter dead = deadLetters().getFirst();
        assertThat(dead.id()).isEqualTo(sent.id());
        assertThat(dead.reason()).isEqualTo("550 5.1.1 every recipient unknown");
        assertThat(dead.content()).isEqualTo(sent.content());
        await().during(Duration.ofMillis(1_500)).atMost(Duration.ofSeconds(5)).until(() -> processed.get() == 1);
    }

    @Test
    void messageOfAnUnknownFormatVersionIsDeadLetteredNotDropped() throws Exception {
        AtomicInteger processed = new AtomicInteger();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            processed.incrementAndGet();
            return Disposition.done();
        });
        QueuedMail future = mail(newId());

        enqueueInFormatVersion(future, 2);

        await().atMost(Duration.ofSeconds(20)).until(() -> !deadLetters().isEmpty());
        DeadLetter dead = deadLetters().getFirst();
        assertThat(dead.id()).isEqualTo(future.id());
        assertThat(dead.reason()).contains("version 2");
        assertThat(dead.content()).isEqualTo(future.content());
        assertThat(processed).hasValue(0);
    }

    @Test
    void concurrentConsumersNeverProcessOneMessageTwiceAtTheSameTime() throws Exception {
        Set<String> inProgress = ConcurrentHashMap.newKeySet();
        Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
        List<String> overlaps = new CopyOnWriteArrayList<>();
        MailProcessor processor = (mail, attempt) -> {
            if (!inProgress.add(mail.id())) {
                overlaps.add(mail.id());
            }
            // simulated work, so that processing windows of different consumers overlap in time
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
            inProgress.remove(mail.id());
            processed.computeIfAbsent(mail.id(), id -> new AtomicInteger()).incrementAndGet();
            return Disposition.done();
        };
        startConsumer(4, Duration.ofSeconds(5), processor);
        startConsumer(4, Duration.ofSeconds(5), processor);
        startConsumer(4, Duration.ofSeconds(5), processor);

        int count = 150;
        for (int i = 0; i < count; i++) {
            queue().enqueue(mail(newId()));
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() == count);
        assertThat(overlaps).isEmpty();
        assertThat(processed.values()).allSatisfy(times -> assertThat(times).hasValue(1));
    }

    @Test
    void manyMessagesAllArriveExactlyOnce() throws Exception {
        Map<String, AtomicInteger> processed = new ConcurrentHashMap<>();
        startConsumer(8, Duration.ofSeconds(5), (mail, attempt) -> {
            processed.computeIfAbsent(mail.id(), id -> new AtomicInteger()).incrementAndGet();
            return Disposition.done();
        });
        int count = 500;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            ids.add(newId());
        }

        // four producers at once, as several SMTP sessions would
        ExecutorService producers = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> sent = new ArrayList<>();
            for (int p = 0; p < 4; p++) {
                int first = p;
                sent.add(producers.submit(() -> {
                    for (int i = first; i < count; i += 4) {
                        queue().enqueue(mail(ids.get(i)));
                    }
                    return null;
                }));
            }
            for (Future<?> future : sent) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            producers.shutdownNow();
        }

        await().atMost(Duration.ofSeconds(60)).until(() -> processed.size() == count);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(5))
                .until(() -> processed.values().stream().allMatch(times -> times.get() == 1));
        assertThat(processed.keySet()).containsExactlyInAnyOrderElementsOf(ids);
    }

    private static final DeliveryState STATE = new DeliveryState(null, false, List.of(
            new DeliveryState.Destination("carol@elsewhere.org", "team@example.com", DeliveryState.Outcome.RELAYED,
                    "2.0.0", "250 2.0.0 queued as 4711", "relay.example.net", Instant.parse("2024-05-06T07:09:00Z"), true)));

    @Test
    void theStateARetryLeavesComesBackWithTheNextAttempt() throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.add(new Delivery(mail, attempt, System.nanoTime()));
            return attempt == 1 ? Disposition.retry(Duration.ofSeconds(1), "relay said 451", STATE) : Disposition.done();
        });

        queue().enqueue(mail(newId()));

        await().atMost(Duration.ofSeconds(30)).until(() -> deliveries.size() >= 2);
        assertThat(deliveries.get(0).mail().state()).isEqualTo(DeliveryState.EMPTY);
        assertThat(deliveries.get(1).mail().state()).isEqualTo(STATE);
        assertThat(deliveries.get(1).attempt()).isEqualTo(2);
    }

    /**
     * A message that takes its consumer down every time (here: the consumer goes away while the processor still
     * holds the message, as a killed process would) is handed out {@link #MAX_DELIVERIES} times, each time as the
     * next attempt, and then goes to the dead letters with the reason instead of looping forever.
     */
    @Test
    void aMessageThatKillsItsConsumerEveryTimeIsDeadLetteredAsPoison() throws Exception {
        List<Integer> attempts = new CopyOnWriteArrayList<>();
        QueuedMail sent = mail(newId());
        for (int crash = 0; crash < MAX_DELIVERIES; crash++) {
            CountDownLatch taken = new CountDownLatch(1);
            MailQueueConsumer doomed = startConsumer(1, Duration.ofMillis(200), (mail, attempt) -> {
                attempts.add(attempt);
                taken.countDown();
                holdForever();
                return Disposition.done();
            });
            if (crash == 0) {
                queue().enqueue(sent);
            }
            assertThat(taken.await(30, TimeUnit.SECONDS)).as("delivery %d", crash + 1).isTrue();
            doomed.close();
        }
        List<String> processedAfterwards = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            processedAfterwards.add(mail.id());
            return Disposition.done();
        });

        await().atMost(Duration.ofSeconds(30)).until(() -> !deadLetters().isEmpty());
        DeadLetter dead = deadLetters().getFirst();
        assertThat(dead.id()).isEqualTo(sent.id());
        assertThat(dead.reason()).contains("delivered " + MAX_DELIVERIES + " times in a row without an outcome");
        assertThat(dead.content()).isEqualTo(sent.content());
        assertThat(attempts).containsExactly(1, 2);
        assertThat(processedAfterwards).isEmpty();
    }

    @Test
    void aDeferredMessageIsListedAndComesBackAtOnceWhenRetriedNow() throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.add(new Delivery(mail, attempt, System.nanoTime()));
            return attempt == 1 ? Disposition.retry(LONG_DELAY, "mailbox-api unavailable", STATE) : Disposition.done();
        });
        QueuedMail sent = mail(newId());
        queue().enqueue(sent);
        await().atMost(Duration.ofSeconds(20)).until(() -> !admin().deferred(10).isEmpty());

        MailQueueAdmin.QueuedMessage deferred = admin().deferred(10).getFirst();
        assertThat(deferred.id()).isEqualTo(sent.id());
        assertThat(deferred.location()).isEqualTo(MailQueueAdmin.Location.DEFERRED);
        assertThat(deferred.envelopeFrom()).isEqualTo("sender@example.org");
        assertThat(deferred.recipients()).containsExactly("a@example.com", "b@example.com");
        assertThat(deferred.receivedAt()).isEqualTo(sent.receivedAt());
        assertThat(deferred.attempts()).isEqualTo(1);
        assertThat(deferred.lastError()).isEqualTo("mailbox-api unavailable");
        assertThat(deferred.nextAttemptAt()).isBetween(Instant.now().plusSeconds(30), Instant.now().plus(LONG_DELAY).plusSeconds(5));
        assertThat(deferred.state()).isEqualTo(STATE);
        assertThat(admin().find(sent.id())).get().extracting(MailQueueAdmin.QueuedMessage::location)
                .isEqualTo(MailQueueAdmin.Location.DEFERRED);
        // RabbitMQ's message counts lag a moment behind a browse that handed messages back
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(admin().stats().deferred()).isEqualTo(1));

        assertThat(admin().retryNow(sent.id())).isEqualTo(MailQueueAdmin.Result.DONE);

        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() == 2);
        assertThat(deliveries.get(1).attempt()).isEqualTo(2);
        assertThat(deliveries.get(1).mail().state()).isEqualTo(STATE);
        assertThat(deliveries.get(1).mail().content()).isEqualTo(sent.content());
        await().atMost(Duration.ofSeconds(10)).until(() -> admin().deferred(10).isEmpty());
    }

    @Test
    void aDeferredMessageDeletedByAnOperatorIsNeverDeliveredAgain() throws Exception {
        AtomicInteger deliveries = new AtomicInteger();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.incrementAndGet();
            return Disposition.retry(Duration.ofSeconds(1), "relay said 451");
        });
        QueuedMail sent = mail(newId());
        queue().enqueue(sent);
        await().atMost(Duration.ofSeconds(20)).until(() -> !admin().deferred(10).isEmpty());

        // the message is deferred (not held by the consumer) most of the time: deleting it may need a second try
        await().atMost(Duration.ofSeconds(20)).until(() -> admin().delete(sent.id()) == MailQueueAdmin.Result.DONE);
        int deliveriesWhenDeleted = deliveries.get();

        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(6)).until(() -> deliveries.get() == deliveriesWhenDeleted);
        assertThat(admin().find(sent.id())).isEmpty();
        assertThat(admin().delete(sent.id())).isEqualTo(MailQueueAdmin.Result.NOT_FOUND);
        assertThat(deadLetters()).isEmpty();
    }

    @Test
    void aDeadLetterIsListedWithItsReasonAndCanBeReplayedWithItsState() throws Exception {
        List<Delivery> deliveries = new CopyOnWriteArrayList<>();
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> {
            deliveries.add(new Delivery(mail, attempt, System.nanoTime()));
            return deliveries.size() == 1 ? Disposition.dead("every recipient failed", STATE) : Disposition.done();
        });
        QueuedMail sent = mail(newId());
        queue().enqueue(sent);
        await().atMost(Duration.ofSeconds(20)).until(() -> !admin().deadLetters(10).isEmpty());

        MailQueueAdmin.QueuedMessage dead = admin().deadLetters(10).getFirst();
        assertThat(dead.id()).isEqualTo(sent.id());
        assertThat(dead.location()).isEqualTo(MailQueueAdmin.Location.DEAD);
        assertThat(dead.deadReason()).isEqualTo("every recipient failed");
        assertThat(dead.deadAt()).isAfter(Instant.now().minusSeconds(60));
        assertThat(dead.recipients()).containsExactly("a@example.com", "b@example.com");
        assertThat(dead.state()).isEqualTo(STATE);
        assertThat(admin().stats().dead()).isEqualTo(1);
        Instant replayed = Instant.now();

        assertThat(admin().retryNow(sent.id())).isEqualTo(MailQueueAdmin.Result.DONE);

        await().atMost(Duration.ofSeconds(20)).until(() -> deliveries.size() == 2);
        QueuedMail again = deliveries.get(1).mail();
        assertThat(deliveries.get(1).attempt()).as("a replay starts a new delivery period").isEqualTo(1);
        assertThat(again.state().destinations()).isEqualTo(STATE.destinations());
        assertThat(again.state().since()).isAfterOrEqualTo(replayed.minusSeconds(5));
        assertThat(again.content()).isEqualTo(sent.content());
        assertThat(admin().deadLetters(10)).isEmpty();
        assertThat(admin().retryNow("no-such-message")).isEqualTo(MailQueueAdmin.Result.NOT_FOUND);
    }

    @Test
    void aDeadLetterCanBeDeleted() throws Exception {
        startConsumer(1, Duration.ofSeconds(5), (mail, attempt) -> Disposition.dead("unparseable"));
        QueuedMail first = mail(newId());
        QueuedMail second = mail(newId());
        queue().enqueue(first);
        queue().enqueue(second);
        await().atMost(Duration.ofSeconds(20)).until(() -> admin().deadLetters(10).size() == 2);

        assertThat(admin().delete(first.id())).isEqualTo(MailQueueAdmin.Result.DONE);

        assertThat(admin().deadLetters(10)).extracting(MailQueueAdmin.QueuedMessage::id).containsExactly(second.id());
        assertThat(deadLetters()).extracting(DeadLetter::id).containsExactly(second.id());
    }

    /** Never returns, whatever happens to the thread: a consumer whose process died does not finish anything. */
    private void holdForever() {
        boolean interrupted = false;
        while (releaseBlockedProcessors.getCount() > 0) {
            try {
                releaseBlockedProcessors.await();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        // released by the end of the test: by then the queue took the message back long ago
        throw new IllegalStateException("the test is over");
    }

    /** Blocks like a slow mailbox-api call; an interrupted call fails, as a real one would. */
    private void awaitRelease() {
        try {
            releaseBlockedProcessors.await(60, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            throw new IllegalStateException("interrupted while filing", e);
        }
    }
}
