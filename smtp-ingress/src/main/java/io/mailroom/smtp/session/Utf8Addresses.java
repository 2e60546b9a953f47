package io.mailroom.smtp.session;

import java.net.IDN;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * Internationalised addresses (RFC 6531) through James, whose address parser takes ASCII only.
 *
 * <p>Before James parses a MAIL or RCPT command, an address with UTF-8 in it is replaced by a stand-in that
 * James accepts: the local part becomes {@code u8-<hex of its UTF-8 bytes>}, the domain its ASCII (IDNA) form.
 * The session remembers which stand-in means which address, and Mailroom's hooks ask {@link #original} for the
 * address as the client wrote it, which is what mailbox-api looks up and what goes on the queue.
 */
public final class Utf8Addresses {

    private static final String PREFIX = "u8-";
    @SuppressWarnings("unchecked")
    private static final ProtocolSession.AttachmentKey<Map<String, String>> KEY =
            ProtocolSession.AttachmentKey.of("mailroom.utf8Addresses", (Class<Map<String, String>>) (Class<?>) Map.class);

    private Utf8Addresses() {
    }

    public static boolean isAscii(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) > 127) {
                return false;
            }
        }
        return true;
    }

    /**
     * The stand-in for {@code address} (local@domain, UTF-8), remembered for the transaction.
     *
     * @throws IllegalArgumentException when the domain is not a valid internationalised domain name
     */
    public static String standIn(SMTPSession session, String address) {
        int at = address.lastIndexOf('@');
        String local = at < 0 ? address : address.substring(0, at);
        String domain = at < 0 ? "" : address.substring(at + 1);
        String asciiLocal = isAscii(local) ? local : PREFIX + HexFormat.of().formatHex(local.getBytes(StandardCharsets.UTF_8));
        String asciiDomain = domain.isEmpty() ? "" : IDN.toASCII(domain, IDN.ALLOW_UNASSIGNED);
        String standIn = at < 0 ? asciiLocal : asciiLocal + "@" + asciiDomain;
        map(session).put(standIn.toLowerCase(Locale.ROOT), address);
        return standIn;
    }

    /** The address as the client wrote it. */
    public static String original(SMTPSession session, MailAddress address) {
        String ascii = address.asString();
        return session.getAttachment(KEY, ProtocolSession.State.Transaction)
                .map(known -> known.get(ascii.toLowerCase(Locale.ROOT)))
                .orElse(ascii);
    }

    private static Map<String, String> map(SMTPSession session) {
        return session.getAttachment(KEY, ProtocolSession.State.Transaction).orElseGet(() -> {
            Map<String, String> known = new HashMap<>();
            session.setAttachment(KEY, known, ProtocolSession.State.Transaction);
            return known;
        });
    }
}
