package io.mailroom.mailbox.mailbox;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;

/** An account's mailboxes. */
@RestController
class MailboxController {

    private final AccountService accounts;
    private final MailboxService mailboxes;

    MailboxController(AccountService accounts, MailboxService mailboxes) {
        this.accounts = accounts;
        this.mailboxes = mailboxes;
    }

    /**
     * Every mailbox of the account. Not paginated: IMAP LIST needs them all at once, and an account's mailboxes
     * are few.
     */
    @GetMapping("/api/v1/accounts/{address}/mailboxes")
    List<MailboxResponse> list(@PathVariable String address) {
        return mailboxes.list(accounts.require(address).id());
    }
}
