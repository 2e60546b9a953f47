package io.mailroom.delivery.admin;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.format.annotation.DateTimeFormat;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;

import io.mailroom.delivery.DeliveryProcessor;
import io.mailroom.queue.DeliveryState;
import io.mailroom.queue.DeliveryState.Destination;
import io.mailroom.queue.MailQueueAdmin;
import io.mailroom.queue.MailQueueAdmin.QueuedMessage;
import io.mailroom.queue.QueueUnavailableException;

/**
 * Where a message stands, for operators (docs/delivery.md): one message by queue id with each recipient's status,
 * a search over the deferred messages and the dead letters by sender, recipient and time window, "retry now" and
 * delete. Behind the admin bearer token ({@link AdminTokenInterceptor}).
 */
@RestController
@RequestMapping("/admin/v1/queue")
class QueueAdminController {

    private static final Logger LOG = LoggerFactory.getLogger(QueueAdminController.class);
    static final int MAX_LIMIT = 1000;

    private final ObjectProvider<MailQueueAdmin> queueAdmin;

    QueueAdminController(ObjectProvider<MailQueueAdmin> queueAdmin) {
        this.queueAdmin = queueAdmin;
    }

    /** The queue adapter's admin view; absent only when this process does not consume (a test's own queue). */
    private MailQueueAdmin admin() {
        MailQueueAdmin admin = queueAdmin.getIfAvailable();
        if (admin == null) {
            throw new AdminProblem(HttpStatus.NOT_IMPLEMENTED, AdminProblem.NOT_SUPPORTED,
                    "this queue offers no admin view");
        }
        return admin;
    }

    @GetMapping("/stats")
    StatsView stats() throws QueueUnavailableException {
        MailQueueAdmin.QueueStats stats = admin().stats();
        return new StatsView(stats.ready(), stats.deferred(), stats.inProgress() < 0 ? null : stats.inProgress(),
                stats.dead(), stats.oldestAge().map(age -> age.toMillis() / 1000.0).orElse(null));
    }

    @GetMapping("/messages/{id}")
    MessageView message(@PathVariable String id) throws QueueUnavailableException {
        return admin().find(id).map(QueueAdminController::view).orElseThrow(() -> notFound(id));
    }

    /**
     * Deferred messages and dead letters (or one of them: {@code status=deferred|dead}), filtered: {@code sender}
     * and {@code recipient} match an address without case (a value starting with {@code @} matches a domain),
     * {@code from} / {@code to} bound the time of receipt.
     */
    @GetMapping("/messages")
    MessageList search(@RequestParam(required = false) String status,
                       @RequestParam(required = false) String sender,
                       @RequestParam(required = false) String recipient,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant from,
                       @RequestParam(required = false) @DateTimeFormat(iso = DateTimeFormat.ISO.DATE_TIME) Instant to,
                       @RequestParam(defaultValue = "100") int limit) throws QueueUnavailableException {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw new AdminProblem(HttpStatus.BAD_REQUEST, AdminProblem.INVALID_REQUEST,
                    "limit must be between 1 and " + MAX_LIMIT);
        }
        String which = status == null ? "all" : status.toLowerCase(Locale.ROOT);
        if (!List.of("all", "deferred", "dead").contains(which)) {
            throw new AdminProblem(HttpStatus.BAD_REQUEST, AdminProblem.INVALID_REQUEST,
                    "status must be deferred or dead");
        }
        // read one more than asked, to tell whether there is more
        List<QueuedMessage> candidates = new ArrayList<>();
        boolean filtered = sender != null || recipient != null || from != null || to != null;
        int scan = filtered ? MAX_LIMIT * 10 : limit + 1;
        if (!which.equals("dead")) {
            candidates.addAll(admin().deferred(scan));
        }
        if (!which.equals("deferred")) {
            candidates.addAll(admin().deadLetters(scan));
        }
        List<MessageView> matches = candidates.stream()
                .filter(m -> sender == null || (m.envelopeFrom() != null && addressMatches(m.envelopeFrom(), sender)))
                .filter(m -> recipient == null || m.recipients().stream().anyMatch(r -> addressMatches(r, recipient))
                        || m.state().destinations().stream().anyMatch(d -> addressMatches(d.address(), recipient)))
                .filter(m -> from == null || (m.receivedAt() != null && !m.receivedAt().isBefore(from)))
                .filter(m -> to == null || (m.receivedAt() != null && m.receivedAt().isBefore(to)))
                .sorted(Comparator.comparing(QueuedMessage::receivedAt, Comparator.nullsLast(Comparator.reverseOrder())))
                .limit(limit + 1L)
                .map(QueueAdminController::view)
                .toList();
        boolean truncated = matches.size() > limit;
        return new MessageList(truncated ? matches.subList(0, limit) : matches, truncated);
    }

    @PostMapping("/messages/{id}/retry")
    ResponseEntity<Map<String, String>> retryNow(@PathVariable String id) throws QueueUnavailableException {
        answer(id, admin().retryNow(id));
        return ResponseEntity.accepted().body(Map.of("id", id, "result", "retrying"));
    }

    @DeleteMapping("/messages/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) throws QueueUnavailableException {
        answer(id, admin().delete(id));
        LOG.info("Operator deleted queued message {}", id);
        return ResponseEntity.noContent().build();
    }

    private static void answer(String id, MailQueueAdmin.Result result) {
        switch (result) {
            case DONE -> {
            }
            case NOT_FOUND -> throw notFound(id);
            case IN_PROGRESS -> throw new AdminProblem(HttpStatus.CONFLICT, AdminProblem.IN_PROGRESS,
                    "a consumer holds message " + id + " right now; try again once it is deferred or gone");
        }
    }

    private static AdminProblem notFound(String id) {
        return new AdminProblem(HttpStatus.NOT_FOUND, AdminProblem.NOT_FOUND, "no deferred, queued or dead-lettered "
                + "message has the id " + id + " (a message that was delivered is no longer on the queue)");
    }

    static boolean addressMatches(String address, String query) {
        String a = address.toLowerCase(Locale.ROOT);
        String q = query.toLowerCase(Locale.ROOT).trim();
        if (q.startsWith("<") && q.endsWith(">")) {
            q = q.substring(1, q.length() - 1);
        }
        return q.startsWith("@") ? a.endsWith(q) : a.equals(q);
    }

    static MessageView view(QueuedMessage message) {
        String location = message.location().name().toLowerCase(Locale.ROOT).replace('_', '-');
        List<RecipientView> recipients = new ArrayList<>();
        for (String recipient : message.recipients()) {
            List<Destination> destinations = message.state().destinations().stream()
                    .filter(d -> d.recipient().equalsIgnoreCase(recipient)).toList();
            if (destinations.isEmpty()) {
                recipients.add(new RecipientView(recipient, recipient,
                        message.location() == MailQueueAdmin.Location.DEAD ? "dead" : "queued",
                        null, null, null, null, null, null, null));
            }
            for (Destination d : destinations) {
                recipients.add(destinationView(message, d));
            }
        }
        // destinations recorded for recipients the envelope does not list (cannot happen today; shown, not hidden)
        message.state().destinations().stream()
                .filter(d -> message.recipients().stream().noneMatch(r -> r.equalsIgnoreCase(d.recipient())))
                .forEach(d -> recipients.add(destinationView(message, d)));
        return new MessageView(message.id(), location, message.traceId(),
                message.envelopeFrom() == null ? null : message.envelopeFrom(), message.receivedAt(),
                message.attempts(), message.lastError(), message.nextAttemptAt(), message.deadReason(),
                message.deadAt(), message.state().delayNotified(), recipients);
    }

    private static RecipientView destinationView(QueuedMessage message, Destination d) {
        long[] filed = DeliveryProcessor.filedLocation(d.detail());
        String status = switch (d.outcome()) {
            case FILED -> "filed";
            case RELAYED -> "relayed";
            case BOUNCED -> "bounced";
            case DEFERRED -> message.location() == MailQueueAdmin.Location.DEAD ? "dead" : "deferred";
        };
        boolean deferred = d.outcome() == DeliveryState.Outcome.DEFERRED;
        return new RecipientView(d.recipient(), d.address(), status, d.status(), d.detail(), d.remoteMta(), d.at(),
                deferred ? message.nextAttemptAt() : null, filed == null ? null : filed[0], filed == null ? null : filed[1]);
    }

    @ExceptionHandler(AdminProblem.class)
    ResponseEntity<ProblemDetail> problem(AdminProblem problem) {
        return ResponseEntity.status(problem.status()).body(problem.toProblemDetail());
    }

    @ExceptionHandler(QueueUnavailableException.class)
    ResponseEntity<ProblemDetail> queueUnavailable(QueueUnavailableException e) {
        LOG.warn("Admin request failed: the queue is unavailable: {}", e.getMessage());
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE).body(AdminProblem.problem(
                HttpStatus.SERVICE_UNAVAILABLE, AdminProblem.QUEUE_UNAVAILABLE, "the queue is unavailable; try again later"));
    }

    @ExceptionHandler(MethodArgumentTypeMismatchException.class)
    ResponseEntity<ProblemDetail> badParameter(MethodArgumentTypeMismatchException e) {
        return ResponseEntity.badRequest().body(AdminProblem.problem(HttpStatus.BAD_REQUEST, AdminProblem.INVALID_REQUEST,
                "parameter " + e.getName() + " is invalid (times are ISO-8601 instants, e.g. 2024-05-06T07:08:09Z)"));
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        LOG.error("Admin request failed", e);
        return ResponseEntity.internalServerError().body(AdminProblem.problem(HttpStatus.INTERNAL_SERVER_ERROR,
                "internal-error", "an unexpected error occurred; the logs tell the details"));
    }

    /**
     * One queued message as an operator sees it.
     *
     * @param location   {@code queued}, {@code in-progress}, {@code deferred} or {@code dead}
     * @param recipients one entry per destination (an alias expands to several), or per recipient not yet attempted
     */
    record MessageView(String id, String location, String traceId, String sender, Instant receivedAt, int attempts,
                       String lastError, Instant nextAttemptAt, String deadReason, Instant deadAt,
                       boolean delayNotified, List<RecipientView> recipients) {
    }

    /**
     * @param recipient      the SMTP RCPT TO address
     * @param address        where the copy goes (an account, a remote address)
     * @param status         {@code queued}, {@code filed}, {@code relayed}, {@code bounced}, {@code deferred}, {@code dead}
     * @param enhancedStatus RFC 3463 code of the outcome
     * @param nextAttemptAt  for deferred destinations
     * @param mailboxId      for filed copies
     * @param uid            for filed copies
     */
    record RecipientView(String recipient, String address, String status, String enhancedStatus, String detail,
                         String remoteMta, Instant at, Instant nextAttemptAt, Long mailboxId, Long uid) {
    }

    record MessageList(List<MessageView> messages, boolean truncated) {
    }

    /**
     * @param inProgress       null when the adapter cannot tell (RabbitMQ)
     * @param oldestAgeSeconds age of the oldest message on the queue; null when the adapter cannot tell (RabbitMQ)
     */
    record StatsView(long ready, long deferred, Long inProgress, long dead, Double oldestAgeSeconds) {
    }
}
