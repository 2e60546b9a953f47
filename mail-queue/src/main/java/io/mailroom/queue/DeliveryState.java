package io.mailroom.queue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * What the attempts at a queued message achieved so far, carried with the message from one attempt to the
 * next (a RabbitMQ header, a PostgreSQL column: docs/queue-format.md), so that a retry redoes nothing that is
 * already final: a copy handed to the outbound relay is not relayed again, a bounce is not sent twice.
 * smtp-ingress enqueues with {@link #EMPTY}; only the consumer writes it, through {@link Disposition.Retry} and
 * {@link Disposition.Dead}.
 *
 * <p>A crash between an outcome and the retry that records it loses that outcome, so the work is done again:
 * filing is idempotent anyway, a relay may then hand over a second copy (at-least-once, as with every MTA).
 *
 * @param since         when the current delivery period began (the message's receipt unless an operator replayed
 *                      it from the dead letters): retry periods and delay warnings count from here; null = receipt
 * @param delayNotified a delay notification (RFC 3464, action {@code delayed}) was already sent for this message
 * @param destinations  one entry per address a copy goes to (an account, an external address), in the order first met
 */
public record DeliveryState(Instant since, boolean delayNotified, List<Destination> destinations) {

    /** Nothing attempted yet. */
    public static final DeliveryState EMPTY = new DeliveryState(null, false, List.of());

    public DeliveryState {
        destinations = destinations == null ? List.of() : List.copyOf(destinations);
    }

    public boolean isEmpty() {
        return equals(EMPTY);
    }

    /** The entry for {@code address} (compared without case), if an attempt recorded one. */
    public Optional<Destination> destination(String address) {
        String key = Destination.key(address);
        return destinations.stream().filter(destination -> destination.key().equals(key)).findFirst();
    }

    /** This state with {@code destination} added, or replacing the entry for the same address. */
    public DeliveryState with(Destination destination) {
        List<Destination> updated = new ArrayList<>(destinations.size() + 1);
        boolean replaced = false;
        for (Destination existing : destinations) {
            if (existing.key().equals(destination.key())) {
                updated.add(destination);
                replaced = true;
            } else {
                updated.add(existing);
            }
        }
        if (!replaced) {
            updated.add(destination);
        }
        return new DeliveryState(since, delayNotified, updated);
    }

    public DeliveryState withDelayNotified() {
        return new DeliveryState(since, true, destinations);
    }

    public DeliveryState withSince(Instant since) {
        return new DeliveryState(since, delayNotified, destinations);
    }

    /** Drops the entries that are safe to forget (filed copies: filing again is idempotent), to keep the state small. */
    public DeliveryState withoutFiled() {
        return new DeliveryState(since, delayNotified,
                destinations.stream().filter(destination -> destination.outcome() != Outcome.FILED).toList());
    }

    /** What became of one destination. Final outcomes are never redone; {@link #DEFERRED} is tried again. */
    public enum Outcome {
        /** Filed into a local mailbox. */
        FILED,
        /** Accepted by the outbound relay. */
        RELAYED,
        /** Failed for good; the sender was (or will be) told, as the DSN rules say. */
        BOUNCED,
        /** Failed for now; tried again with the message. Not final. */
        DEFERRED;

        public boolean isFinal() {
            return this != DEFERRED;
        }
    }

    /**
     * @param address        where the copy goes: an account's address, or an external address for the relay
     * @param recipient      the SMTP {@code RCPT TO} address it came from (the same, unless an alias expanded it)
     * @param outcome        what became of it
     * @param status         the RFC 3463 enhanced status code of the outcome ({@code 2.0.0}, {@code 4.4.1}, {@code 5.1.1})
     * @param detail         for people: the remote server's reply, the reason, or where the copy was filed
     * @param remoteMta      the server that answered, for relayed and bounced copies; null when local
     * @param at             when the outcome was reached (for {@link Outcome#DEFERRED}: the last failure)
     * @param reported       the delivery status notification this outcome calls for (if any) is on the queue; an
     *                       outcome that is final but not reported is reported at the next attempt
     */
    public record Destination(String address, String recipient, Outcome outcome, String status, String detail,
                              String remoteMta, Instant at, boolean reported) {

        /** Keeps one state small whatever a remote server answers. */
        public static final int MAX_DETAIL = 500;

        public Destination {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(outcome, "outcome");
            recipient = recipient == null ? address : recipient;
            if (detail != null && detail.length() > MAX_DETAIL) {
                detail = detail.substring(0, MAX_DETAIL) + "…";
            }
        }

        String key() {
            return key(address);
        }

        static String key(String address) {
            return address.toLowerCase(Locale.ROOT);
        }

        public Destination asReported() {
            return new Destination(address, recipient, outcome, status, detail, remoteMta, at, true);
        }
    }
}
