package io.mailroom.mailbox.mailbox;

import java.net.URI;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.message.InboxRename;

/** An account's mailboxes, for tools: the same operations IMAP has (create, rename with children, delete, subscribe). */
@RestController
@RequestMapping("/api/v1/accounts/{address}/mailboxes")
class MailboxController {

    private final AccountService accounts;
    private final MailboxService mailboxes;
    private final InboxRename inboxRename;

    MailboxController(AccountService accounts, MailboxService mailboxes, InboxRename inboxRename) {
        this.accounts = accounts;
        this.mailboxes = mailboxes;
        this.inboxRename = inboxRename;
    }

    /** @param role a special use, or null */
    record CreateMailboxRequest(@NotBlank @Size(max = 1000) String name, MailboxRole role) {
    }

    /** Absent fields stay as they are. {@code name} renames the mailbox and everything below it. */
    record UpdateMailboxRequest(@Size(min = 1, max = 1000) String name, Boolean subscribed) {
    }

    /**
     * Every mailbox of the account. Not paginated: IMAP LIST needs them all at once, and an account's mailboxes
     * are few.
     */
    @GetMapping
    List<MailboxResponse> list(@PathVariable String address) {
        return mailboxes.list(accounts.require(address).id());
    }

    @PostMapping
    ResponseEntity<MailboxResponse> create(@PathVariable String address, @Valid @RequestBody CreateMailboxRequest request) {
        MailboxResponse created = MailboxResponse.of(mailboxes.create(accounts.require(address).id(), request.name(), request.role()));
        URI location = UriComponentsBuilder.fromPath("/api/v1/accounts/{address}/mailboxes/{id}")
                .buildAndExpand(address, created.id()).encode().toUri();
        return ResponseEntity.created(location).body(created);
    }

    @GetMapping("/{mailboxId}")
    MailboxResponse get(@PathVariable String address, @PathVariable long mailboxId) {
        return MailboxResponse.of(mailboxes.requireInfo(accounts.require(address).id(), mailboxId));
    }

    /** Renames (with everything below it; INBOX: its messages move to a new mailbox) and/or (un)subscribes. */
    @PatchMapping("/{mailboxId}")
    MailboxResponse update(@PathVariable String address, @PathVariable long mailboxId,
                           @Valid @RequestBody UpdateMailboxRequest request) {
        long accountId = accounts.require(address).id();
        Mailbox mailbox = mailboxes.require(accountId, mailboxId);
        long result = mailboxId;
        if (request.name() != null) {
            if (mailbox.role() == MailboxRole.INBOX) {
                result = inboxRename.rename(accountId, mailboxId, request.name()).getFirst().id();
            } else {
                mailboxes.rename(accountId, mailboxId, request.name());
            }
        }
        if (request.subscribed() != null) {
            String name = mailboxes.requireInfo(accountId, result).name();
            if (request.subscribed()) {
                mailboxes.subscribe(accountId, name);
            } else {
                mailboxes.unsubscribe(accountId, name);
            }
        }
        return MailboxResponse.of(mailboxes.requireInfo(accountId, result));
    }

    /** Deletes the mailbox and its messages; mailboxes below it stay. */
    @DeleteMapping("/{mailboxId}")
    ResponseEntity<Void> delete(@PathVariable String address, @PathVariable long mailboxId) {
        mailboxes.delete(accounts.require(address).id(), mailboxId);
        return ResponseEntity.noContent().build();
    }
}
