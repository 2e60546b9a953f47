package io.mailroom.mailbox.delivery;

import java.io.IOException;
import java.net.URI;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.blob.SpooledContent;
import io.mailroom.mailbox.message.MessageUploads;
import io.mailroom.mailbox.web.ApiProblem;

/** Filing, for delivery-service: {@code PUT} because repeating it is harmless. */
@RestController
class DeliveryController {

    static final int MAX_DELIVERY_ID_LENGTH = 255;

    private final AccountService accounts;
    private final FilingService filing;
    private final MessageUploads uploads;

    DeliveryController(AccountService accounts, FilingService filing, MessageUploads uploads) {
        this.accounts = accounts;
        this.filing = filing;
        this.uploads = uploads;
    }

    /**
     * Files the request body (the raw RFC 5322 message, stored unchanged) into the account's INBOX: 201 the first
     * time, 200 with {@code duplicate: true} for a delivery id filed before.
     */
    @PutMapping(path = "/internal/v1/accounts/{address}/deliveries/{deliveryId}", consumes = "message/rfc822")
    @io.swagger.v3.oas.annotations.parameters.RequestBody(required = true, description = "the raw RFC 5322 message",
            content = @Content(mediaType = "message/rfc822", schema = @Schema(type = "string", format = "binary")))
    ResponseEntity<FiledMessageResponse> file(@PathVariable String address, @PathVariable String deliveryId,
                                              HttpServletRequest request) throws IOException {
        if (deliveryId.isBlank() || deliveryId.length() > MAX_DELIVERY_ID_LENGTH) {
            throw ApiProblem.validation("a delivery id has 1 to " + MAX_DELIVERY_ID_LENGTH + " characters");
        }
        Account account = accounts.require(address);
        FiledMessageResponse filed;
        try (SpooledContent content = uploads.read(request)) {
            filed = filing.file(account, deliveryId, content);
        }
        if (filed.duplicate()) {
            return ResponseEntity.ok(filed);
        }
        URI location = UriComponentsBuilder.fromPath("/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}")
                .buildAndExpand(account.address(), filed.mailboxId(), filed.messageId()).encode().toUri();
        return ResponseEntity.created(location).body(filed);
    }
}
