package io.mailroom.mailbox.search;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import io.mailroom.mailbox.client.store.SearchCriterion;

/**
 * The filters of the tools API's message lists and search, all optional and combined with AND.
 *
 * @param from    text in the From header (case-insensitive substring)
 * @param to      text in the To or Cc header
 * @param subject text in the subject
 * @param text    words to find in subject and text body, PostgreSQL full-text search ({@code websearch_to_tsquery}
 *                syntax: {@code "exact phrase"}, {@code -excluded}, {@code or})
 * @param after   internal date at or after
 * @param before  internal date before
 * @param minSize at least this many bytes
 * @param maxSize at most this many bytes
 * @param flag    flags the message has (IMAP spelling, e.g. {@code \Seen}, {@code $Important})
 * @param notFlag flags it has not
 */
public record MessageFilter(String from, String to, String subject, String text, Instant after, Instant before,
                            Long minSize, Long maxSize, List<String> flag, List<String> notFlag) {

    /** The filters other than {@code text}, as one criterion. */
    SearchCriterion criterion() {
        List<SearchCriterion> parts = new ArrayList<>();
        if (present(from)) {
            parts.add(new SearchCriterion.Header("from", from));
        }
        if (present(to)) {
            parts.add(SearchCriterion.or(new SearchCriterion.Header("to", to), new SearchCriterion.Header("cc", to)));
        }
        if (present(subject)) {
            parts.add(new SearchCriterion.Header("subject", subject));
        }
        if (after != null || before != null) {
            parts.add(new SearchCriterion.Date(SearchCriterion.Date.Field.INTERNAL, after, before));
        }
        if (minSize != null) {
            parts.add(new SearchCriterion.Size(SearchCriterion.Comparison.GREATER, minSize - 1));
        }
        if (maxSize != null) {
            parts.add(new SearchCriterion.Size(SearchCriterion.Comparison.LESS, maxSize + 1));
        }
        if (flag != null) {
            flag.forEach(f -> parts.add(new SearchCriterion.Flag(f, true)));
        }
        if (notFlag != null) {
            notFlag.forEach(f -> parts.add(new SearchCriterion.Flag(f, false)));
        }
        return new SearchCriterion.And(parts);
    }

    boolean hasText() {
        return present(text);
    }

    private static boolean present(String value) {
        return value != null && !value.isBlank();
    }
}
