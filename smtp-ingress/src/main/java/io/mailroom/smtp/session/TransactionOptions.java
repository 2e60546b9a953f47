package io.mailroom.smtp.session;

import java.util.ArrayList;
import java.util.List;

import io.mailroom.queue.MailOptions.RecipientOptions;
import org.apache.james.core.MailAddress;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * What the client said about the current mail transaction beyond the addresses James keeps: the MAIL
 * parameters SMTPUTF8 (RFC 6531), BODY (RFC 6152, RFC 3030), RET and ENVID (RFC 3461), and for each accepted
 * recipient NOTIFY, ORCPT and whether it is remote. Transaction state: RSET, EHLO and the end of the message drop it.
 */
public final class TransactionOptions {

    private static final ProtocolSession.AttachmentKey<TransactionOptions> KEY =
            ProtocolSession.AttachmentKey.of("mailroom.transactionOptions", TransactionOptions.class);

    private boolean smtpUtf8;
    private String bodyType;
    private String dsnReturn;
    private String dsnEnvelopeId;
    private boolean chunking;
    private final List<Recipient> recipients = new ArrayList<>();

    /** One accepted RCPT. */
    public record Recipient(MailAddress address, RecipientOptions options) {
    }

    /** The current transaction's options, made empty on first use. */
    public static TransactionOptions of(SMTPSession session) {
        return session.getAttachment(KEY, ProtocolSession.State.Transaction).orElseGet(() -> {
            TransactionOptions options = new TransactionOptions();
            session.setAttachment(KEY, options, ProtocolSession.State.Transaction);
            return options;
        });
    }

    /** Forgets what an earlier MAIL said: a new MAIL starts from nothing. */
    public static void clear(SMTPSession session) {
        session.removeAttachment(KEY, ProtocolSession.State.Transaction);
    }

    public boolean smtpUtf8() {
        return smtpUtf8;
    }

    public void smtpUtf8(boolean smtpUtf8) {
        this.smtpUtf8 = smtpUtf8;
    }

    public String bodyType() {
        return bodyType;
    }

    public void bodyType(String bodyType) {
        this.bodyType = bodyType;
    }

    public String dsnReturn() {
        return dsnReturn;
    }

    public void dsnReturn(String dsnReturn) {
        this.dsnReturn = dsnReturn;
    }

    public String dsnEnvelopeId() {
        return dsnEnvelopeId;
    }

    public void dsnEnvelopeId(String dsnEnvelopeId) {
        this.dsnEnvelopeId = dsnEnvelopeId;
    }

    /** True once a BDAT chunk has been taken in this transaction: DATA is then out of order (RFC 3030 2). */
    public boolean chunking() {
        return chunking;
    }

    public void chunking(boolean chunking) {
        this.chunking = chunking;
    }

    public void addRecipient(MailAddress address, RecipientOptions options) {
        recipients.add(new Recipient(address, options));
    }

    public List<Recipient> recipients() {
        return List.copyOf(recipients);
    }
}
