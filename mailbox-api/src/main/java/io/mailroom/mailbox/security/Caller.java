package io.mailroom.mailbox.security;

import java.util.Set;

import jakarta.servlet.http.HttpServletRequest;

/** Who a request comes from, as its credentials proved. */
public sealed interface Caller {

    String REQUEST_ATTRIBUTE = Caller.class.getName();

    /**
     * A tool with admin rights: everything under {@code /api/v1}.
     *
     * @param bootstrap true for the configured bootstrap token ({@code mailroom.admin.token}), which alone may create API
     *                  keys; false for an admin-scoped API key
     */
    record Admin(boolean bootstrap) implements Caller {
    }

    /** Another Mailroom service (the internal token, or a gateway-scoped API key): everything under {@code /internal/v1}. */
    record Service() implements Caller {
    }

    /** An account's owner, by HTTP Basic: its own {@code /api/v1/accounts/{address}/**}. */
    record AccountOwner(long accountId, String address) implements Caller {
    }

    /** An API key scoped to some accounts: their {@code /api/v1/accounts/{address}/**}, nothing else. */
    record AccountsKey(long keyId, Set<Long> accountIds) implements Caller {
    }

    static Caller of(HttpServletRequest request) {
        return (Caller) request.getAttribute(REQUEST_ATTRIBUTE);
    }
}
