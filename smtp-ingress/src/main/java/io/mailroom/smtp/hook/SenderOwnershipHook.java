package io.mailroom.smtp.hook;

import java.util.Locale;

import org.apache.james.core.MaybeSender;
import org.apache.james.protocols.smtp.SMTPSession;
import org.apache.james.protocols.smtp.hook.HookResult;
import org.apache.james.protocols.smtp.hook.MailHook;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;
import io.mailroom.mailbox.client.RecipientResolution;
import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.Utf8Addresses;

/**
 * On submission, the envelope sender must belong to the account the client authenticated as (RFC 6409 8.1;
 * Postfix's {@code reject_sender_login_mismatch}): 553 5.7.1 otherwise. An address belongs to the account when it is
 * the account's own ({@link SenderAddresses}) or when mail to it reaches the account: an alias that names the account
 * (a team address among others), or a catch-all of the account's — as Postfix does when its sender login maps are the
 * virtual alias maps. That second question is mailbox-api's recipient resolution, through the same short-lived cache
 * as RCPT; when mailbox-api cannot answer, {@code 451 4.4.3}. The null sender stays allowed, for the notifications a
 * mail client sends (RFC 8098 MDNs).
 */
public final class SenderOwnershipHook implements MailHook {

    private static final Logger log = LoggerFactory.getLogger(SenderOwnershipHook.class);

    private final SenderAddresses senders;
    private final RecipientDirectory directory;

    /**
     * @param directory where aliases are looked up; null to allow the addresses {@code senders} allows and no others
     */
    public SenderOwnershipHook(SenderAddresses senders, RecipientDirectory directory) {
        this.senders = senders;
        this.directory = directory;
    }

    @Override
    public HookResult doMail(SMTPSession session, MaybeSender sender) {
        if (session.getUsername() == null || sender.isNullSender()) {
            return HookResult.DECLINED;
        }
        String account = session.getUsername().asString();
        String address = Utf8Addresses.original(session, sender.get());
        if (senders.mayUse(account, address)) {
            return HookResult.DECLINED;
        }
        if (directory == null) {
            return SmtpReply.SENDER_NOT_OWNED.hookResult();
        }
        try {
            RecipientResolution resolution = directory.resolve(address);
            boolean reachesAccount = resolution.status() == RecipientResolution.Status.DELIVERABLE
                    && resolution.accounts().stream().anyMatch(target -> target.toLowerCase(Locale.ROOT)
                    .equals(account.toLowerCase(Locale.ROOT)));
            return reachesAccount ? HookResult.DECLINED : SmtpReply.SENDER_NOT_OWNED.hookResult();
        } catch (MailboxApiUnavailableException e) {
            log.warn("Cannot check sender {} of {}: mailbox-api unavailable ({})", address, account, e.getMessage());
            return SmtpReply.RECIPIENT_CHECK_UNAVAILABLE.hookResult();
        } catch (MailboxApiException e) {
            log.error("mailbox-api refused the look-up of sender {}: {} {}", address, e.status(), e.code(), e);
            return SmtpReply.LOCAL_ERROR.hookResult();
        }
    }
}
