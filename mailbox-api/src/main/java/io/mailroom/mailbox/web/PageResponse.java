package io.mailroom.mailbox.web;

import java.util.List;
import java.util.function.Function;
import java.util.function.ToLongFunction;

/**
 * One page of a list. {@code nextCursor} is null on the last page.
 */
public record PageResponse<T>(List<T> items, String nextCursor) {

    /** Page query parameters: how many items a page may hold by default and at most. */
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 500;

    /**
     * Builds a page from rows fetched with {@code limit + 1}: the extra row only tells that another page exists.
     */
    public static <R, T> PageResponse<T> of(List<R> rows, int limit, ToLongFunction<R> key, Function<R, T> map) {
        boolean more = rows.size() > limit;
        List<R> page = more ? rows.subList(0, limit) : rows;
        String next = more ? Cursor.encode(key.applyAsLong(page.getLast())) : null;
        return new PageResponse<>(page.stream().map(map).toList(), next);
    }
}
