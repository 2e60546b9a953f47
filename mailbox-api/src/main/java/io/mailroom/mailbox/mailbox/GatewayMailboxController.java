package io.mailroom.mailbox.mailbox;

import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.client.store.MailboxAnnotation;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.QuotaUsage;
import io.mailroom.mailbox.message.InboxRename;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/** Mailboxes, subscriptions, METADATA and quota for the IMAP gateway (docs/rest-api.md, "Store API"). */
@RestController
@RequestMapping("/internal/v1/accounts/{address}")
class GatewayMailboxController {

    private final AccountService accounts;
    private final MailboxService mailboxes;
    private final InboxRename inboxRename;
    private final AnnotationService annotations;
    private final QuotaService quota;

    GatewayMailboxController(AccountService accounts, MailboxService mailboxes, InboxRename inboxRename,
                             AnnotationService annotations, QuotaService quota) {
        this.accounts = accounts;
        this.mailboxes = mailboxes;
        this.inboxRename = inboxRename;
        this.annotations = annotations;
        this.quota = quota;
    }

    /** @param role a special use for the new mailbox (RFC 6154 CREATE-SPECIAL-USE), or null */
    record CreateMailboxRequest(@NotBlank @Size(max = 1000) String name, MailboxRole role) {
    }

    record RenameMailboxRequest(@NotBlank @Size(max = 1000) String name) {
    }

    record SubscriptionRequest(@NotBlank @Size(max = 1000) String name) {
    }

    @GetMapping("/mailboxes")
    List<MailboxInfo> list(@PathVariable String address) {
        return mailboxes.infos(accounts.require(address).id());
    }

    @GetMapping("/mailboxes/{mailboxId}")
    MailboxInfo get(@PathVariable String address, @PathVariable long mailboxId) {
        return mailboxes.requireInfo(accounts.requireId(address), mailboxId);
    }

    @GetMapping("/mailboxes/by-name")
    MailboxInfo byName(@PathVariable String address, @RequestParam String name) {
        return mailboxes.infoByName(accounts.requireId(address), name).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.MAILBOX_NOT_FOUND, "no mailbox named " + name));
    }

    @PostMapping("/mailboxes")
    ResponseEntity<MailboxInfo> create(@PathVariable String address, @Valid @RequestBody CreateMailboxRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED)
                .body(mailboxes.create(accounts.require(address).id(), request.name(), request.role()));
    }

    /** Renames the mailbox and everything below it; answers every mailbox renamed. */
    @PatchMapping("/mailboxes/{mailboxId}")
    List<MailboxInfo> rename(@PathVariable String address, @PathVariable long mailboxId,
                             @Valid @RequestBody RenameMailboxRequest request) {
        long accountId = accounts.require(address).id();
        Mailbox mailbox = mailboxes.require(accountId, mailboxId);
        if (mailbox.role() == MailboxRole.INBOX) {
            return inboxRename.rename(accountId, mailboxId, request.name());
        }
        return mailboxes.rename(accountId, mailboxId, request.name());
    }

    @DeleteMapping("/mailboxes/{mailboxId}")
    ResponseEntity<Void> delete(@PathVariable String address, @PathVariable long mailboxId) {
        mailboxes.delete(accounts.require(address).id(), mailboxId);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/subscriptions")
    List<String> subscriptions(@PathVariable String address) {
        return mailboxes.subscriptions(accounts.require(address).id());
    }

    @PostMapping("/subscriptions")
    ResponseEntity<Void> subscribe(@PathVariable String address, @Valid @RequestBody SubscriptionRequest request) {
        mailboxes.subscribe(accounts.require(address).id(), request.name());
        return ResponseEntity.noContent().build();
    }

    @DeleteMapping("/subscriptions")
    ResponseEntity<Void> unsubscribe(@PathVariable String address, @RequestParam String name) {
        mailboxes.unsubscribe(accounts.require(address).id(), name);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/mailboxes/{mailboxId}/annotations")
    List<MailboxAnnotation> annotations(@PathVariable String address, @PathVariable long mailboxId,
                                        @RequestParam(required = false) Set<String> key,
                                        @RequestParam(defaultValue = "ZERO") MailboxAnnotation.Depth depth) {
        return annotations.get(accounts.requireId(address), mailboxId, key, depth);
    }

    @PutMapping("/mailboxes/{mailboxId}/annotations")
    ResponseEntity<Void> setAnnotations(@PathVariable String address, @PathVariable long mailboxId,
                                        @Valid @RequestBody @NotNull @Size(max = 1000) List<@NotNull MailboxAnnotation> entries) {
        annotations.set(accounts.requireId(address), mailboxId, entries);
        return ResponseEntity.noContent().build();
    }

    @GetMapping("/quota")
    QuotaUsage quota(@PathVariable String address) {
        return quota.usage(accounts.require(address).id());
    }
}
