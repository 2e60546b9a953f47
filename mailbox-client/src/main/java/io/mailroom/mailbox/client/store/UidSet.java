package io.mailroom.mailbox.client.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * A set of UIDs as IMAP writes it (RFC 9051 §9, {@code sequence-set}): ranges, where {@code *} stands for "the largest
 * UID there is" and is spelt {@link #MAX_UID} here. On the wire it travels in IMAP syntax ({@code "1:5,7,10:*"}), so it
 * stays short however many messages it names.
 *
 * <p>Ranges are kept sorted and merged, so two sets that name the same UIDs are equal and print the same.
 */
public record UidSet(List<Range> ranges) {

    /** The largest UID IMAP allows (RFC 9051 §2.3.1.1: a 32-bit unsigned number); also what {@code *} means. */
    public static final long MAX_UID = 4294967295L;

    /** UIDs {@code from} to {@code to}, both included, {@code 1 <= from <= to <= MAX_UID}. */
    public record Range(long from, long to) {
        public Range {
            if (from < 1 || to > MAX_UID || from > to) {
                throw new IllegalArgumentException("not a UID range: " + from + ":" + to);
            }
        }

        public boolean contains(long uid) {
            return uid >= from && uid <= to;
        }

        @Override
        public String toString() {
            String end = to == MAX_UID ? "*" : Long.toString(to);
            return from == to ? Long.toString(from) : from + ":" + end;
        }
    }

    public UidSet {
        ranges = normalize(Objects.requireNonNull(ranges, "ranges"));
    }

    /** Every UID: IMAP's {@code 1:*}. */
    public static UidSet all() {
        return new UidSet(List.of(new Range(1, MAX_UID)));
    }

    /** {@code from:*}. */
    public static UidSet from(long from) {
        return new UidSet(List.of(new Range(from, MAX_UID)));
    }

    public static UidSet range(long from, long to) {
        return new UidSet(List.of(new Range(from, to)));
    }

    public static UidSet of(long... uids) {
        List<Range> ranges = new ArrayList<>(uids.length);
        for (long uid : uids) {
            ranges.add(new Range(uid, uid));
        }
        return new UidSet(ranges);
    }

    public static UidSet of(Collection<Long> uids) {
        return new UidSet(uids.stream().map(uid -> new Range(uid, uid)).toList());
    }

    /**
     * Reads IMAP syntax: {@code 1:5,7,10:*}. A reversed range ({@code 5:1}) means the same as {@code 1:5}, as in IMAP.
     *
     * @throws IllegalArgumentException when the text is not a UID set
     */
    public static UidSet parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException("an empty UID set");
        }
        List<Range> ranges = new ArrayList<>();
        for (String part : text.strip().split(",", -1)) {
            int colon = part.indexOf(':');
            long a = number(colon < 0 ? part : part.substring(0, colon), text);
            long b = colon < 0 ? a : number(part.substring(colon + 1), text);
            ranges.add(new Range(Math.min(a, b), Math.max(a, b)));
        }
        return new UidSet(ranges);
    }

    private static long number(String token, String text) {
        if (token.equals("*")) {
            return MAX_UID;
        }
        if (token.isEmpty() || token.length() > 10 || !token.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IllegalArgumentException("not a UID set: " + text);
        }
        long value = Long.parseLong(token);
        if (value < 1 || value > MAX_UID) {
            throw new IllegalArgumentException("UIDs are 1 to " + MAX_UID + ": " + text);
        }
        return value;
    }

    public boolean contains(long uid) {
        for (Range range : ranges) {
            if (range.contains(uid)) {
                return true;
            }
        }
        return false;
    }

    public boolean isEmpty() {
        return ranges.isEmpty();
    }

    /** The part of this set at or above {@code uid}: how a caller resumes a paged fetch. */
    public UidSet startingAt(long uid) {
        List<Range> rest = new ArrayList<>();
        for (Range range : ranges) {
            if (range.to() >= uid) {
                rest.add(new Range(Math.max(range.from(), uid), range.to()));
            }
        }
        return new UidSet(rest);
    }

    /** IMAP syntax, e.g. {@code 1:5,7,10:*}; empty for an empty set. */
    @Override
    public String toString() {
        StringBuilder text = new StringBuilder();
        for (Range range : ranges) {
            if (!text.isEmpty()) {
                text.append(',');
            }
            text.append(range);
        }
        return text.toString();
    }

    private static List<Range> normalize(List<Range> input) {
        List<Range> sorted = new ArrayList<>(input);
        sorted.sort(Comparator.comparingLong(Range::from));
        List<Range> merged = new ArrayList<>();
        for (Range range : sorted) {
            if (!merged.isEmpty() && range.from() <= merged.getLast().to() + 1) {
                Range last = merged.removeLast();
                merged.add(new Range(last.from(), Math.max(last.to(), range.to())));
            } else {
                merged.add(range);
            }
        }
        return List.copyOf(merged);
    }
}
