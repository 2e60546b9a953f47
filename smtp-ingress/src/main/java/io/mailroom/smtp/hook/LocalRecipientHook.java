package io.mailroom.smtp.hook;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.RecipientResolution;
import io.mailroom.queue.MailOptions.RecipientOptions;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.TransactionOptions;
import io.mailroom.smtp.session.Utf8Addresses;
import io.mailroom.smtp.session.Xtext;
import org.apache.james.core.MailAddress;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.RcptHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which recipients a listener accepts (RFC 5321 4.1.1.3, RCPT), and what the client asked about each (RFC 3461
 * NOTIFY and ORCPT).
 *
 * <p>mailbox-api says whether an address is an account or alias here (accepted, as a local recipient), an
 * unknown user of one of our domains (550 5.1.1) or not ours at all. On MX a foreign address is refused with
 * 554 5.7.1 (an MX does not relay); on submission the client has authenticated and may send anywhere, and the
 * recipient is marked remote on the queue message, for the outbound relay. When mailbox-api cannot answer,
 * 451 4.4.3 makes the client try again later.
 */
public final class LocalRecipientHook implements RcptHook {

    private static final Logger log = LoggerFactory.getLogger(LocalRecipientHook.class);
    private static final Set<String> NOTIFY_VALUES = Set.of("SUCCESS", "FAILURE", "DELAY");

    private final RecipientDirectory directory;
    private final boolean submission;
    private final SmtpMetrics metrics;

    private LocalRecipientHook(RecipientDirectory directory, boolean submission, SmtpMetrics metrics) {
        this.directory = directory;
        this.submission = submission;
        this.metrics = metrics;
    }

    /** For MX: only addresses mailbox-api knows. */
    public static LocalRecipientHook forMx(RecipientDirectory directory, SmtpMetrics metrics) {
        return new LocalRecipientHook(directory, false, metrics);
    }

    /** For submission: any address, from an authenticated client; foreign ones are marked remote. */
    public static LocalRecipientHook forSubmission(RecipientDirectory directory, SmtpMetrics metrics) {
        return new LocalRecipientHook(directory, true, metrics);
    }

    @Override
    public Set<String> supportedParameters() {
        return Set.of("NOTIFY", "ORCPT");
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient) {
        return doRcpt(session, sender, recipient, Map.of());
    }

    @Override
    public HookResult doRcpt(SMTPSession session, MaybeSender sender, MailAddress recipient, Map<String, String> parameters) {
        if (submission && session.getUsername() == null) {
            return SmtpReply.AUTHENTICATION_REQUIRED.hookResult();
        }
        List<String> notify;
        String originalRecipient;
        try {
            notify = notify(parameter(parameters, "NOTIFY"));
            originalRecipient = originalRecipient(parameter(parameters, "ORCPT"));
        } catch (IllegalArgumentException e) {
            return SmtpReply.INVALID_PARAMETER.hookResult();
        }
        String address = Utf8Addresses.original(session, recipient);
        boolean remote;
        try {
            RecipientResolution resolution = directory.resolve(address);
            switch (resolution.status()) {
                case DELIVERABLE -> {
                    if (resolution.mailboxFull()) {
                        // RFC 3463 4.2.2: temporary, the sender keeps it queued and tries again once there is room
                        metrics.recipientRejected("mailbox-full");
                        return SmtpReply.MAILBOX_FULL.hookResult();
                    }
                    remote = false;
                }
                case UNKNOWN_USER -> {
                    metrics.recipientRejected("unknown-user");
                    return SmtpReply.UNKNOWN_USER.hookResult();
                }
                case NON_LOCAL_DOMAIN -> {
                    if (!submission) {
                        metrics.recipientRejected("relay-denied");
                        return SmtpReply.RELAY_DENIED.hookResult();
                    }
                    remote = true;
                }
                default -> throw new IllegalStateException("unknown resolution " + resolution.status());
            }
        } catch (MailboxApiUnavailableException e) {
            log.warn("Cannot check recipient {}: mailbox-api unavailable ({})", address, e.getMessage());
            metrics.recipientRejected("lookup-unavailable");
            return SmtpReply.RECIPIENT_CHECK_UNAVAILABLE.hookResult();
        } catch (MailboxApiException e) {
            log.error("mailbox-api refused the recipient look-up for {}: {} {}", address, e.status(), e.code(), e);
            metrics.recipientRejected("lookup-failed");
            return SmtpReply.LOCAL_ERROR.hookResult();
        }
        TransactionOptions.of(session).addRecipient(recipient, new RecipientOptions(remote, notify, originalRecipient));
        return HookResult.OK;
    }

    private static String parameter(Map<String, String> parameters, String name) {
        for (Map.Entry<String, String> parameter : parameters.entrySet()) {
            if (parameter.getKey().equalsIgnoreCase(name)) {
                return parameter.getValue();
            }
        }
        return null;
    }

    /** RFC 3461 4.1: NEVER, or a comma-separated list of SUCCESS, FAILURE, DELAY. */
    static List<String> notify(String value) {
        if (value == null) {
            return List.of();
        }
        List<String> notify = new ArrayList<>();
        for (String keyword : value.toUpperCase(Locale.ROOT).split(",")) {
            if (!(keyword.equals("NEVER") || NOTIFY_VALUES.contains(keyword)) || notify.contains(keyword)) {
                throw new IllegalArgumentException("invalid NOTIFY " + value);
            }
            notify.add(keyword);
        }
        if (notify.contains("NEVER") && notify.size() > 1) {
            throw new IllegalArgumentException("NEVER with other NOTIFY keywords");
        }
        return notify;
    }

    /** RFC 3461 4.2: {@code addr-type ";" xtext}, kept as {@code addr-type;decoded address}. */
    static String originalRecipient(String value) {
        if (value == null) {
            return null;
        }
        int semicolon = value.indexOf(';');
        if (semicolon <= 0 || !value.substring(0, semicolon).matches("[A-Za-z0-9-]+")) {
            throw new IllegalArgumentException("invalid ORCPT " + value);
        }
        String decoded = Xtext.decode(value.substring(semicolon + 1));
        if (decoded.isEmpty()) {
            throw new IllegalArgumentException("empty ORCPT address");
        }
        return value.substring(0, semicolon).toLowerCase(Locale.ROOT) + ";" + decoded;
    }
}
