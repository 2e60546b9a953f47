package io.mailroom.bench;

import java.util.ArrayList;
import java.util.List;

/** The bench accounts: {@code <prefix><first>@<domain>} .. {@code <prefix><first+count-1>@<domain>}. */
final class Users {

    private Users() {
    }

    static List<String> from(Options o, int defaultCount) {
        String prefix = o.string("user-prefix", "user");
        String domain = o.string("domain", "example.test");
        int first = o.integer("first-user", 1);
        int count = o.integer("users", defaultCount);
        List<String> users = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            users.add(prefix + (first + i) + (domain.isEmpty() ? "" : "@" + domain));
        }
        return users;
    }
}
