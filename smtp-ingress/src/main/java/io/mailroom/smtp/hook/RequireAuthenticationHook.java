package io.mailroom.smtp.hook;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;

/**
 * Submission listeners take mail only from authenticated clients (RFC 6409 4.3): MAIL before AUTH gets
 * 530 5.7.0 (RFC 4954 6).
 */
public final class RequireAuthenticationHook implements MailHook {

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        return session.getUsername() == null ? SmtpReply.AUTHENTICATION_REQUIRED.hookResult() : HookResult.DECLINED;
    }
}
