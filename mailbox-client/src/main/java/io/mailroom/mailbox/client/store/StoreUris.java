package io.mailroom.mailbox.client.store;

import java.net.URI;
import java.nio.charset.StandardCharsets;

import org.springframework.web.util.UriUtils;

/**
 * The URIs of the store API's most frequent calls, written directly: expanding a URI template through the
 * {@code RestClient}'s {@code DefaultUriBuilderFactory} parses the base URL and the template again on every call (4–5 %
 * of imap-gateway's CPU in bench/imap). The result is the template's, byte for byte ({@code StoreUrisTest}): the
 * base URL, then the path, each variable encoded strictly (everything but RFC 3986's unreserved characters, as the
 * transport's {@code TEMPLATE_AND_VALUES} encoding does), so {@code +}, {@code @}, {@code :} and {@code /} in
 * addresses and names survive the trip.
 */
final class StoreUris {

    private final String accounts;

    StoreUris(URI baseUrl) {
        String base = baseUrl.toString();
        while (base.endsWith("/")) {
            base = base.substring(0, base.length() - 1);
        }
        this.accounts = base + "/internal/v1/accounts/";
    }

    /** {@code …/internal/v1/accounts/{address}} followed by {@code tail} (already encoded). */
    URI account(String account, String tail) {
        return URI.create(accounts + encode(account) + tail);
    }

    /** {@code …/internal/v1/accounts/{address}/mailboxes/{mailboxId}} followed by {@code tail} (already encoded). */
    URI mailbox(String account, long mailboxId, String tail) {
        return URI.create(accounts + encode(account) + "/mailboxes/" + mailboxId + tail);
    }

    /** A path segment or query value, strictly encoded. */
    static String encode(String value) {
        return UriUtils.encode(value, StandardCharsets.UTF_8);
    }
}
