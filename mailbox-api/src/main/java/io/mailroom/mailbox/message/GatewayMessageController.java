package io.mailroom.mailbox.message;

import jakarta.validation.Valid;

import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;

/** Messages as the gateways address them: by UID, in batches. */
@RestController
@RequestMapping("/internal/v1/accounts/{address}")
class GatewayMessageController {

    private final AccountService accounts;
    private final MessageService messages;

    GatewayMessageController(AccountService accounts, MessageService messages) {
        this.accounts = accounts;
        this.messages = messages;
    }

    @GetMapping("/maildrop")
    MaildropResponse maildrop(@PathVariable String address) {
        return messages.maildrop(accounts.require(address).id());
    }

    @GetMapping(path = "/mailboxes/{mailboxId}/messages/{uid}/raw", produces = RawMessageResponses.MESSAGE_RFC822)
    ResponseEntity<Resource> raw(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long uid) {
        return RawMessageResponses.of(messages.openByUid(accounts.require(address).id(), mailboxId, uid));
    }

    @PostMapping("/mailboxes/{mailboxId}/expunge")
    ExpungeResponse expunge(@PathVariable String address, @PathVariable long mailboxId,
                            @Valid @RequestBody ExpungeRequest request) {
        return messages.expunge(accounts.require(address).id(), mailboxId, request.uids());
    }
}
