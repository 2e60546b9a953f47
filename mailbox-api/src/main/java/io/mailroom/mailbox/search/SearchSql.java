package io.mailroom.mailbox.search;

import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.mailroom.mailbox.client.store.SearchCriterion;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.mailbox.message.MessageFlags;
import io.mailroom.mailbox.web.ApiProblem;

/**
 * Turns a search criterion tree into one SQL condition over {@code messages m} (and {@code message_contents c} when
 * a criterion reads headers or text). Every value is a bind parameter; header names and texts are escaped for the
 * regular expression or LIKE pattern they end up in.
 */
final class SearchSql {

    static final int MAX_CRITERIA = 500;
    static final int MAX_DEPTH = 32;
    private static final Pattern HEADER_NAME = Pattern.compile("[!-9;-~]{1,100}");

    private final Map<String, Object> params;
    private int count;
    private boolean needsContents;

    SearchSql(Map<String, Object> params) {
        this.params = params;
    }

    boolean needsContents() {
        return needsContents;
    }

    String condition(SearchCriterion criterion) {
        return condition(criterion, 0);
    }

    private String condition(SearchCriterion criterion, int depth) {
        if (++count > MAX_CRITERIA || depth > MAX_DEPTH) {
            throw ApiProblem.validation("a search may have at most " + MAX_CRITERIA + " criteria nested " + MAX_DEPTH + " deep");
        }
        if (criterion == null) {
            throw ApiProblem.validation("a criterion is missing");
        }
        return switch (criterion) {
            case SearchCriterion.All all -> "true";
            case SearchCriterion.And and -> join(and.criteria(), " AND ", "true", depth);
            case SearchCriterion.Or or -> join(or.criteria(), " OR ", "false", depth);
            case SearchCriterion.Not not -> "NOT (" + condition(not.criterion(), depth + 1) + ")";
            case SearchCriterion.Uids uids -> uids(uids);
            case SearchCriterion.Flag flag -> flag(flag);
            case SearchCriterion.Header header -> header(header);
            case SearchCriterion.Text text -> text(text);
            case SearchCriterion.Date date -> date(date);
            case SearchCriterion.Size size -> compare("m.size", size.comparison(), size.value());
            case SearchCriterion.ModSeq modSeq -> compare("m.modseq", modSeq.comparison(), modSeq.value());
            case SearchCriterion.EmailIds ids -> "m.email_id = ANY(:" + param(ids.emailIds().toArray(Long[]::new)) + ")";
            case SearchCriterion.ThreadId thread -> "m.thread_id = :" + param(thread.threadId());
            case SearchCriterion.HasAttachment attachment -> "m.has_attachment = :" + param(attachment.value());
        };
    }

    private String join(List<SearchCriterion> criteria, String operator, String empty, int depth) {
        if (criteria == null || criteria.isEmpty()) {
            return empty;
        }
        List<String> parts = new ArrayList<>();
        for (SearchCriterion criterion : criteria) {
            parts.add("(" + condition(criterion, depth + 1) + ")");
        }
        return String.join(operator, parts);
    }

    private String uids(SearchCriterion.Uids uids) {
        UidSet set;
        try {
            set = UidSet.parse(uids.uids());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.validation(e.getMessage());
        }
        List<String> parts = new ArrayList<>();
        for (UidSet.Range range : set.ranges()) {
            parts.add("m.uid BETWEEN :" + param(range.from()) + " AND :" + param(range.to()));
        }
        return parts.isEmpty() ? "false" : "(" + String.join(" OR ", parts) + ")";
    }

    private String flag(SearchCriterion.Flag flag) {
        if (flag.flag() == null || flag.flag().isEmpty()) {
            throw ApiProblem.validation("a flag criterion needs a flag");
        }
        int bit = MessageFlags.bit(flag.flag());
        if (bit == 0 && !MessageFlags.isAtom(flag.flag())) {
            throw ApiProblem.validation("not a keyword (an IMAP atom): " + flag.flag());
        }
        if (bit != 0) {
            return "m.flags & " + bit + (flag.set() ? " <> 0" : " = 0");
        }
        String has = "EXISTS (SELECT 1 FROM unnest(m.keywords) AS k WHERE lower(k) = :"
                + param(flag.flag().toLowerCase(Locale.ROOT)) + ")";
        return flag.set() ? has : "NOT " + has;
    }

    private String header(SearchCriterion.Header header) {
        if (header.name() == null || !HEADER_NAME.matcher(header.name()).matches()) {
            throw ApiProblem.validation("not a header field name: " + header.name());
        }
        needsContents = true;
        String contains = header.contains() == null ? "" : header.contains();
        // one line of header_text is "name: decoded value"; the text must occur on a line of that field
        String pattern = "(^|\\n)" + regex(header.name().toLowerCase(Locale.ROOT)) + ":[^\\n]*" + regex(contains);
        return "c.header_text ~* :" + param(pattern);
    }

    private String text(SearchCriterion.Text text) {
        if (text.contains() == null || text.scope() == null) {
            throw ApiProblem.validation("a text criterion needs a scope and a text");
        }
        needsContents = true;
        String like = param("%" + like(text.contains()) + "%");
        return text.scope() == SearchCriterion.Text.Scope.BODY
                ? "c.body_text ILIKE :" + like
                : "(c.header_text ILIKE :" + like + " OR c.body_text ILIKE :" + like + ")";
    }

    private String date(SearchCriterion.Date date) {
        if (date.field() == null) {
            throw ApiProblem.validation("a date criterion needs a field");
        }
        String column = switch (date.field()) {
            case INTERNAL -> "m.internal_date";
            case SAVE -> "m.save_date";
            case SENT -> "m.sent_date";
        };
        List<String> parts = new ArrayList<>();
        if (date.from() != null) {
            parts.add(column + " >= :" + param(Timestamp.from(date.from())));
        }
        if (date.before() != null) {
            parts.add(column + " < :" + param(Timestamp.from(date.before())));
        }
        return parts.isEmpty() ? column + " IS NOT NULL" : String.join(" AND ", parts);
    }

    private String compare(String column, SearchCriterion.Comparison comparison, long value) {
        if (comparison == null) {
            throw ApiProblem.validation("a comparison is missing");
        }
        String operator = switch (comparison) {
            case LESS -> " < ";
            case EQUAL -> " = ";
            case GREATER -> " > ";
        };
        return column + operator + ":" + param(value);
    }

    private String param(Object value) {
        String name = "p" + params.size();
        params.put(name, value);
        return name;
    }

    private static String regex(String text) {
        StringBuilder escaped = new StringBuilder();
        for (char c : text.toCharArray()) {
            if ("\\^$.|?*+()[]{}".indexOf(c) >= 0) {
                escaped.append('\\');
            }
            escaped.append(c);
        }
        return escaped.toString();
    }

    private static String like(String text) {
        return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
    }
}
