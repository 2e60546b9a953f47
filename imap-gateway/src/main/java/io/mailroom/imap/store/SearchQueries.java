package io.mailroom.imap.store;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Set;
import java.util.Locale;

import javax.mail.Flags;

import org.apache.james.mailbox.MessageUid;
import org.apache.james.mailbox.exception.UnsupportedSearchException;
import org.apache.james.mailbox.model.SearchQuery;
import org.apache.james.mailbox.model.SearchQuery.Criterion;

import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.UidSet;

/**
 * James's {@link SearchQuery} as mailbox-api's {@link SearchCriterion}, evaluated in PostgreSQL (RFC 9051 §6.4.4).
 *
 * <p>Dates follow James's semantics, which its conformance scripts pin: a date is compared in UTC at the resolution
 * asked (a day for BEFORE / ON / SINCE), so ON is the interval of that unit, BEFORE ends where it starts and SINCE
 * (James's AFTER) starts where it ends.
 */
final class SearchQueries {

    private SearchQueries() {
    }

    /**
     * RECENT is a property of the session (RFC 3501 §2.3.2: the session that first saw the message), which James keeps
     * and hands over with the query; it is matched against those UIDs, not against a stored flag.
     */
    static SearchCriterion toApi(SearchQuery query) throws UnsupportedSearchException {
        return new Translation(query.getRecentMessageUids()).and(query.getCriteria());
    }

    static SearchCriterion toApi(Criterion criterion) throws UnsupportedSearchException {
        return new Translation(Set.of()).toApi(criterion);
    }

    private record Translation(Set<MessageUid> recent) {

    private SearchCriterion and(List<Criterion> criteria) throws UnsupportedSearchException {
        if (criteria.size() == 1) {
            return toApi(criteria.getFirst());
        }
        return new SearchCriterion.And(all(criteria));
    }

    private List<SearchCriterion> all(List<Criterion> criteria) throws UnsupportedSearchException {
        List<SearchCriterion> translated = new ArrayList<>(criteria.size());
        for (Criterion criterion : criteria) {
            translated.add(toApi(criterion));
        }
        return translated;
    }

    private SearchCriterion recent(boolean set) {
        SearchCriterion recentOnes = recent.isEmpty()
                ? new SearchCriterion.Or(List.of())
                : SearchCriterion.uids(UidSet.of(recent.stream().map(MessageUid::asLong).toList()));
        return set ? recentOnes : new SearchCriterion.Not(recentOnes);
    }

    private SearchCriterion toApi(Criterion criterion) throws UnsupportedSearchException {
        return switch (criterion) {
            case SearchQuery.AllCriterion all -> SearchCriterion.all();
            case SearchQuery.ConjunctionCriterion conjunction -> switch (conjunction.getType()) {
                case AND -> new SearchCriterion.And(all(conjunction.getCriteria()));
                case OR -> new SearchCriterion.Or(all(conjunction.getCriteria()));
                case NOR -> new SearchCriterion.Not(new SearchCriterion.Or(all(conjunction.getCriteria())));
            };
            case SearchQuery.FlagCriterion flag when flag.getFlag() == Flags.Flag.RECENT -> recent(flag.getOperator().isSet());
            case SearchQuery.FlagCriterion flag -> new SearchCriterion.Flag(systemFlag(flag.getFlag()), flag.getOperator().isSet());
            case SearchQuery.CustomFlagCriterion flag -> new SearchCriterion.Flag(flag.getFlag(), flag.getOperator().isSet());
            case SearchQuery.UidCriterion uids -> uids(uids.getOperator().getRange());
            case SearchQuery.SizeCriterion size -> new SearchCriterion.Size(
                    comparison(size.getOperator().getType()), size.getOperator().getValue());
            case SearchQuery.ModSeqCriterion modSeq -> new SearchCriterion.ModSeq(
                    comparison(modSeq.getOperator().getType()), modSeq.getOperator().getValue());
            case SearchQuery.InternalDateCriterion date -> date(SearchCriterion.Date.Field.INTERNAL, date.getOperator());
            case SearchQuery.SaveDateCriterion date -> date(SearchCriterion.Date.Field.SAVE, date.getOperator());
            case SearchQuery.HeaderCriterion header -> header(header);
            case SearchQuery.TextCriterion text -> switch (text.getType()) {
                case BODY -> new SearchCriterion.Text(SearchCriterion.Text.Scope.BODY, text.getOperator().getValue());
                case FULL, ATTACHMENTS -> new SearchCriterion.Text(SearchCriterion.Text.Scope.FULL, text.getOperator().getValue());
                case ATTACHMENT_FILE_NAME -> throw new UnsupportedSearchException();
            };
            case SearchQuery.SubjectCriterion subject -> new SearchCriterion.Header("subject", subject.getSubject());
            case SearchQuery.MimeMessageIDCriterion messageId -> new SearchCriterion.Header("message-id", messageId.getMessageID());
            case SearchQuery.MessageIdCriterion messageId -> new SearchCriterion.EmailIds(List.of(ApiMessageId.value(messageId.getMessageId())));
            case SearchQuery.ThreadIdCriterion thread -> new SearchCriterion.ThreadId(ApiMessageId.value(thread.getThreadId().getBaseMessageId()));
            case SearchQuery.AttachmentCriterion attachment -> new SearchCriterion.HasAttachment(attachment.getOperator().isSet());
            default -> throw new UnsupportedSearchException();
        };
    }
    }

    private static SearchCriterion uids(SearchQuery.UidRange[] ranges) {
        if (ranges.length == 0) {
            return new SearchCriterion.Or(List.of());
        }
        List<UidSet.Range> apiRanges = new ArrayList<>(ranges.length);
        for (SearchQuery.UidRange range : ranges) {
            long low = Math.max(1, range.getLowValue().asLong());
            long high = Math.min(UidSet.MAX_UID, range.getHighValue().asLong());
            if (low <= high) {
                apiRanges.add(new UidSet.Range(low, high));
            }
        }
        if (apiRanges.isEmpty()) {
            return new SearchCriterion.Or(List.of());
        }
        return SearchCriterion.uids(new UidSet(apiRanges));
    }

    private static SearchCriterion header(SearchQuery.HeaderCriterion header) throws UnsupportedSearchException {
        String name = header.getHeaderName().toLowerCase(Locale.ROOT);
        return switch (header.getOperator()) {
            case SearchQuery.ContainsOperator contains -> new SearchCriterion.Header(name, contains.getValue());
            case SearchQuery.AddressOperator address -> new SearchCriterion.Header(name, address.getAddress());
            case SearchQuery.ExistsOperator exists -> new SearchCriterion.Header(name, "");
            case SearchQuery.DateOperator date when name.equals("date") -> date(SearchCriterion.Date.Field.SENT, date);
            default -> throw new UnsupportedSearchException();
        };
    }

    private static SearchCriterion date(SearchCriterion.Date.Field field, SearchQuery.DateOperator operator) {
        ChronoUnit unit = unit(operator.getDateResultion());
        Instant start = truncate(operator.getDate(), operator.getDateResultion(), unit);
        Instant next = ZonedDateTime.ofInstant(start, ZoneOffset.UTC).plus(1, unit).toInstant();
        return switch (operator.getType()) {
            case ON -> new SearchCriterion.Date(field, start, next);
            case BEFORE -> new SearchCriterion.Date(field, null, start);
            case AFTER -> new SearchCriterion.Date(field, next, null);
        };
    }

    private static Instant truncate(Date date, SearchQuery.DateResolution resolution, ChronoUnit unit) {
        ZonedDateTime utc = ZonedDateTime.ofInstant(date.toInstant(), ZoneOffset.UTC);
        return switch (resolution) {
            case Year -> utc.withDayOfYear(1).truncatedTo(ChronoUnit.DAYS).toInstant();
            case Month -> utc.withDayOfMonth(1).truncatedTo(ChronoUnit.DAYS).toInstant();
            default -> utc.truncatedTo(unit).toInstant();
        };
    }

    private static ChronoUnit unit(SearchQuery.DateResolution resolution) {
        return switch (resolution) {
            case Second -> ChronoUnit.SECONDS;
            case Minute -> ChronoUnit.MINUTES;
            case Hour -> ChronoUnit.HOURS;
            case Day -> ChronoUnit.DAYS;
            case Month -> ChronoUnit.MONTHS;
            case Year -> ChronoUnit.YEARS;
        };
    }

    private static SearchCriterion.Comparison comparison(SearchQuery.NumericComparator comparator) {
        return switch (comparator) {
            case EQUALS -> SearchCriterion.Comparison.EQUAL;
            case LESS_THAN -> SearchCriterion.Comparison.LESS;
            case GREATER_THAN -> SearchCriterion.Comparison.GREATER;
        };
    }

    private static String systemFlag(Flags.Flag flag) throws UnsupportedSearchException {
        Flags flags = new Flags(flag);
        return ImapFlags.toApi(flags).stream().findFirst().orElseThrow(UnsupportedSearchException::new);
    }
}
