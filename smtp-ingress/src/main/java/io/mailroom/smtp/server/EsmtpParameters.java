package io.mailroom.smtp.server;

import java.util.Locale;
import java.util.Set;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.TransactionOptions;
import io.mailroom.smtp.session.Xtext;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.handler.DisconnectHandler;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.core.DataCmdHandler;
import org.apache.james.protocols.smtp.hook.HeloHook;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailParametersHook;

/**
 * The ESMTP extensions James 3.8.1 lacks, as far as EHLO and MAIL are concerned: SMTPUTF8 (RFC 6531), CHUNKING
 * and BINARYMIME (RFC 3030), DSN (RFC 3461: RET and ENVID here, NOTIFY and ORCPT in the recipient hook), and
 * the BODY parameter of 8BITMIME (RFC 6152), which James announces but does not read. Also releases the message
 * buffer of a connection that goes away in the middle of a message.
 */
final class EsmtpParameters implements HeloHook, MailParametersHook, DisconnectHandler<SMTPSession> {

    static final int MAX_ENVID_LENGTH = 100;

    @Override
    public Set<String> implementedEsmtpFeatures(SMTPSession session) {
        return Set.of("SMTPUTF8", "CHUNKING", "BINARYMIME", "DSN");
    }

    @Override
    public HookResult doHelo(SMTPSession session, String helo) {
        return HookResult.DECLINED;
    }

    @Override
    public String[] getMailParamNames() {
        // James upper-cases parameter names only when they have a value.
        return new String[] {"SMTPUTF8", "smtputf8", "BODY", "RET", "ENVID"};
    }

    @Override
    public HookResult doMailParameter(SMTPSession session, String name, String value) {
        TransactionOptions options = TransactionOptions.of(session);
        switch (name.toUpperCase(Locale.ROOT)) {
            case "SMTPUTF8" -> {
                if (!value.isEmpty()) {
                    return SmtpReply.INVALID_PARAMETER.hookResult();
                }
                options.smtpUtf8(true);
            }
            case "BODY" -> {
                String body = value.toUpperCase(Locale.ROOT);
                if (!Set.of("7BIT", "8BITMIME", "BINARYMIME").contains(body)) {
                    return SmtpReply.INVALID_PARAMETER.hookResult();
                }
                options.bodyType(body);
            }
            case "RET" -> {
                String ret = value.toUpperCase(Locale.ROOT);
                if (!ret.equals("FULL") && !ret.equals("HDRS")) {
                    return SmtpReply.INVALID_PARAMETER.hookResult();
                }
                options.dsnReturn(ret);
            }
            case "ENVID" -> {
                try {
                    String envelopeId = Xtext.decode(value);
                    if (envelopeId.isEmpty() || envelopeId.length() > MAX_ENVID_LENGTH) {
                        return SmtpReply.INVALID_PARAMETER.hookResult();
                    }
                    options.dsnEnvelopeId(envelopeId);
                } catch (IllegalArgumentException e) {
                    return SmtpReply.INVALID_PARAMETER.hookResult();
                }
            }
            default -> {
                return HookResult.DECLINED;
            }
        }
        return HookResult.DECLINED;
    }

    @Override
    public void onDisconnect(SMTPSession session) {
        if (session == null) {
            return;
        }
        session.getAttachment(DataCmdHandler.MAILENV, ProtocolSession.State.Transaction).ifPresent(MessageBuffer::release);
        session.getAttachment(BdatCmdHandler.ENVELOPE, ProtocolSession.State.Transaction).ifPresent(MessageBuffer::release);
        session.getAttachment(MessageBuffer.CURRENT, ProtocolSession.State.Connection).ifPresent(MessageBuffer::release);
    }
}
