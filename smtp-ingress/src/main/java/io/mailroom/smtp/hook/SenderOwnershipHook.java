package io.mailroom.smtp.hook;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.Utf8Addresses;
import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;

/**
 * On submission, the envelope sender must belong to the account the client authenticated as (RFC 6409 8.1;
 * Postfix's {@code reject_sender_login_mismatch}): 553 5.7.1 otherwise. The null sender stays allowed, for
 * the notifications a mail client sends (RFC 8098 MDNs).
 */
public final class SenderOwnershipHook implements MailHook {

    private final SenderAddresses senders;

    public SenderOwnershipHook(SenderAddresses senders) {
        this.senders = senders;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() == null || sender.isNullSender()) {
            return HookResult.DECLINED;
        }
        String address = Utf8Addresses.original(session, sender.get());
        return senders.mayUse(session.getUsername().asString(), address) ? HookResult.DECLINED
                : SmtpReply.SENDER_NOT_OWNED.hookResult();
    }
}
