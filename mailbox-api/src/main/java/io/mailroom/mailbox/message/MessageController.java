package io.mailroom.mailbox.message;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;

import org.springframework.core.io.Resource;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.web.PageResponse;

/** The messages of one mailbox, for tools. */
@RestController
@RequestMapping("/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages")
class MessageController {

    private final AccountService accounts;
    private final MessageService messages;

    MessageController(AccountService accounts, MessageService messages) {
        this.accounts = accounts;
        this.messages = messages;
    }

    @GetMapping
    PageResponse<MessageSummaryResponse> list(
            @PathVariable String address, @PathVariable long mailboxId,
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor) {
        return messages.page(accounts.require(address).id(), mailboxId, limit, cursor);
    }

    @GetMapping("/{messageId}")
    MessageResponse get(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId) {
        return messages.get(accounts.require(address).id(), mailboxId, messageId);
    }

    /** The exact bytes that were filed. */
    @GetMapping(path = "/{messageId}/raw", produces = RawMessageResponses.MESSAGE_RFC822)
    ResponseEntity<Resource> raw(@PathVariable String address, @PathVariable long mailboxId, @PathVariable long messageId) {
        return RawMessageResponses.of(messages.openById(accounts.require(address).id(), mailboxId, messageId));
    }
}
