package io.mailroom.mailbox.account;

import java.util.Locale;
import java.util.regex.Pattern;

import io.mailroom.mailbox.domain.DomainName;

/**
 * An account address in the one form Mailroom stores and compares: lower case, domain in ASCII.
 *
 * <p>Account local parts are dot-atoms (RFC 5322 §3.2.3) without {@code / % ? #}: those are legal in mail but
 * turn an address into a path or query hazard in every URL that names an account. Recipients are resolved with
 * {@link #normalize}, which accepts anything and simply matches no account when the address is unusual.
 */
public record EmailAddress(String localPart, String domain) {

    private static final Pattern LOCAL_PART = Pattern.compile(
            "[a-z0-9!$&'*+=^_`{|}~-]+(\\.[a-z0-9!$&'*+=^_`{|}~-]+)*");

    /**
     * @throws IllegalArgumentException when the address is not one an account may have
     */
    public static EmailAddress parse(String raw) {
        if (raw == null) {
            throw new IllegalArgumentException("an address is required");
        }
        String address = raw.strip();
        int at = address.lastIndexOf('@');
        if (at <= 0 || at == address.length() - 1) {
            throw new IllegalArgumentException("not an address: " + raw);
        }
        String local = address.substring(0, at).toLowerCase(Locale.ROOT);
        if (local.length() > 64 || !LOCAL_PART.matcher(local).matches()) {
            throw new IllegalArgumentException("the local part of " + raw + " is not a plain dot-atom of at most 64 characters");
        }
        return new EmailAddress(local, DomainName.canonical(address.substring(at + 1)));
    }

    /** The canonical spelling of any address-like string, without judging it. */
    public static String normalize(String raw) {
        if (raw == null) {
            return "";
        }
        String address = raw.strip();
        int at = address.lastIndexOf('@');
        if (at < 0) {
            return address.toLowerCase(Locale.ROOT);
        }
        return address.substring(0, at).toLowerCase(Locale.ROOT) + "@" + DomainName.normalize(address.substring(at + 1));
    }

    public String value() {
        return localPart + "@" + domain;
    }

    @Override
    public String toString() {
        return value();
    }
}
