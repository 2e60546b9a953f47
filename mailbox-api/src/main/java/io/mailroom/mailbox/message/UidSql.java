package io.mailroom.mailbox.message;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import io.mailroom.mailbox.client.store.UidSet;

/**
 * A UID set as a SQL condition on {@code m.uid}: single UIDs as one {@code = ANY(array)}, ranges as {@code BETWEEN}s,
 * so that PostgreSQL answers both from the (account, mailbox, uid) index.
 */
final class UidSql {

    private UidSql() {
    }

    /** The condition; its parameters go into {@code params} under names that start with {@code prefix}. */
    static String condition(UidSet set, String column, String prefix, Map<String, Object> params) {
        if (set.isEmpty()) {
            return "false";
        }
        List<Long> singles = new ArrayList<>();
        List<String> parts = new ArrayList<>();
        int i = 0;
        for (UidSet.Range range : set.ranges()) {
            if (range.from() == range.to()) {
                singles.add(range.from());
            } else {
                String from = prefix + "f" + i;
                String to = prefix + "t" + i;
                params.put(from, range.from());
                params.put(to, range.to());
                parts.add(column + " BETWEEN :" + from + " AND :" + to);
                i++;
            }
        }
        if (!singles.isEmpty()) {
            params.put(prefix + "s", singles.toArray(Long[]::new));
            parts.add(column + " = ANY(:" + prefix + "s)");
        }
        return parts.size() == 1 ? parts.getFirst() : "(" + String.join(" OR ", parts) + ")";
    }
}
