package io.mailroom.mailbox.security;

import jakarta.servlet.http.HttpServletRequest;

/** Who a request comes from, as its credentials proved. */
public sealed interface Caller {

    String REQUEST_ATTRIBUTE = Caller.class.getName();

    /** A tool holding the admin token: may do everything under {@code /api/v1}. */
    record Admin() implements Caller {
    }

    /** Another Mailroom service holding the internal token: may use {@code /internal/v1}. */
    record Service() implements Caller {
    }

    /** An account's owner, by HTTP Basic: may read its own {@code /api/v1/accounts/{address}/**}. */
    record AccountOwner(long accountId, String address) implements Caller {
    }

    static Caller of(HttpServletRequest request) {
        return (Caller) request.getAttribute(REQUEST_ATTRIBUTE);
    }
}
