package io.mailroom.mailbox.client.store;

import java.time.Instant;
import java.util.List;
import java.util.Objects;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;

/**
 * A search, evaluated by mailbox-api in PostgreSQL so that a gateway never reads messages to search them (IMAP SEARCH,
 * RFC 9051 §6.4.4; James's {@code SearchQuery}). Criteria nest with {@link And}, {@link Or} and {@link Not}. On the wire
 * each is a JSON object with a {@code type} property naming the record (in lower case, e.g. {@code {"type": "flag",
 * "flag": "\\Seen", "set": false}}).
 *
 * <p>String matches are case-insensitive substring matches, as IMAP asks (RFC 9051 §6.4.4: "case-insensitive
 * substring"), over the decoded (RFC 2047) header values and the decoded text of {@code text/*} parts.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = SearchCriterion.All.class, name = "all"),
        @JsonSubTypes.Type(value = SearchCriterion.And.class, name = "and"),
        @JsonSubTypes.Type(value = SearchCriterion.Or.class, name = "or"),
        @JsonSubTypes.Type(value = SearchCriterion.Not.class, name = "not"),
        @JsonSubTypes.Type(value = SearchCriterion.Uids.class, name = "uids"),
        @JsonSubTypes.Type(value = SearchCriterion.Flag.class, name = "flag"),
        @JsonSubTypes.Type(value = SearchCriterion.Header.class, name = "header"),
        @JsonSubTypes.Type(value = SearchCriterion.Text.class, name = "text"),
        @JsonSubTypes.Type(value = SearchCriterion.Date.class, name = "date"),
        @JsonSubTypes.Type(value = SearchCriterion.Size.class, name = "size"),
        @JsonSubTypes.Type(value = SearchCriterion.ModSeq.class, name = "modseq"),
        @JsonSubTypes.Type(value = SearchCriterion.EmailIds.class, name = "emailids"),
        @JsonSubTypes.Type(value = SearchCriterion.ThreadId.class, name = "threadid"),
        @JsonSubTypes.Type(value = SearchCriterion.HasAttachment.class, name = "hasattachment")
})
public sealed interface SearchCriterion {

    /** How a number compares to a criterion's value. */
    enum Comparison {
        LESS, EQUAL, GREATER
    }

    /** Every message (IMAP ALL). */
    record All() implements SearchCriterion {
    }

    /** Every criterion holds (IMAP's implicit AND); with none, every message matches. */
    record And(List<SearchCriterion> criteria) implements SearchCriterion {
        public And {
            criteria = List.copyOf(criteria);
        }
    }

    /** At least one criterion holds; with none, no message matches. */
    record Or(List<SearchCriterion> criteria) implements SearchCriterion {
        public Or {
            criteria = List.copyOf(criteria);
        }
    }

    record Not(SearchCriterion criterion) implements SearchCriterion {
        public Not {
            Objects.requireNonNull(criterion, "criterion");
        }
    }

    /** UID in the set; {@code uids} in IMAP syntax ({@link UidSet#toString()}). */
    record Uids(String uids) implements SearchCriterion {
        public Uids {
            UidSet.parse(uids);
        }

        public static Uids of(UidSet set) {
            return new Uids(set.toString());
        }
    }

    /** The flag (system flag or keyword, {@link Flags}) is set, or is not set when {@code set} is false. */
    record Flag(String flag, boolean set) implements SearchCriterion {
    }

    /**
     * A header field of this name contains the text (IMAP HEADER, FROM, TO, CC, BCC, SUBJECT); an empty text asks only
     * that the field exist.
     */
    record Header(String name, String contains) implements SearchCriterion {
    }

    /** The text occurs in the body ({@link Scope#BODY}, IMAP BODY) or in the header or body ({@link Scope#FULL}, TEXT). */
    record Text(Scope scope, String contains) implements SearchCriterion {
        public enum Scope {
            BODY, FULL
        }
    }

    /**
     * A date in {@code [from, before)}; either bound may be null. The gateway turns IMAP's day-granular BEFORE / ON /
     * SINCE and WITHIN's OLDER / YOUNGER (RFC 5032) into instants.
     */
    record Date(Field field, Instant from, Instant before) implements SearchCriterion {
        public enum Field {
            /** INTERNALDATE. */
            INTERNAL,
            /** SAVEDATE (RFC 8514). */
            SAVE,
            /** The Date header (SENTBEFORE, SENTON, SENTSINCE); a message without a valid one never matches. */
            SENT
        }
    }

    /** RFC822.SIZE compared to {@code value}: IMAP LARGER is {@code GREATER}, SMALLER is {@code LESS}. */
    record Size(Comparison comparison, long value) implements SearchCriterion {
    }

    /** MODSEQ compared to {@code value}: IMAP {@code MODSEQ n} (RFC 7162 §3.1.5) is {@code GREATER n - 1}. */
    record ModSeq(Comparison comparison, long value) implements SearchCriterion {
    }

    /** The message's emailId is one of these (RFC 8474 EMAILID). */
    record EmailIds(List<Long> emailIds) implements SearchCriterion {
        public EmailIds {
            emailIds = List.copyOf(emailIds);
        }
    }

    /** The message belongs to this thread (RFC 8474 THREADID). */
    record ThreadId(long threadId) implements SearchCriterion {
    }

    /** The message has (or has not) a part with {@code Content-Disposition: attachment} or a named non-text leaf. */
    record HasAttachment(boolean value) implements SearchCriterion {
    }

    static SearchCriterion all() {
        return new All();
    }

    static SearchCriterion and(SearchCriterion... criteria) {
        return new And(List.of(criteria));
    }

    static SearchCriterion or(SearchCriterion... criteria) {
        return new Or(List.of(criteria));
    }

    static SearchCriterion not(SearchCriterion criterion) {
        return new Not(criterion);
    }

    static SearchCriterion flagSet(String flag) {
        return new Flag(flag, true);
    }

    static SearchCriterion flagUnset(String flag) {
        return new Flag(flag, false);
    }

    static SearchCriterion uids(UidSet set) {
        return Uids.of(set);
    }
}
