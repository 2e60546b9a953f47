package io.mailroom.mailbox.delivery;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Map;

import jakarta.servlet.http.HttpServletRequest;

import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.MailboxProperties;
import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/** Filing, for delivery-service: {@code PUT} because repeating it is harmless. */
@RestController
class DeliveryController {

    static final int MAX_DELIVERY_ID_LENGTH = 255;

    private final AccountService accounts;
    private final FilingService filing;
    private final MailboxProperties properties;

    DeliveryController(AccountService accounts, FilingService filing, MailboxProperties properties) {
        this.accounts = accounts;
        this.filing = filing;
        this.properties = properties;
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
        byte[] content = readBounded(request);
        FiledMessageResponse filed = filing.file(account, deliveryId, content);
        if (filed.duplicate()) {
            return ResponseEntity.ok(filed);
        }
        URI location = UriComponentsBuilder.fromPath("/api/v1/accounts/{address}/mailboxes/{mailboxId}/messages/{messageId}")
                .buildAndExpand(account.address(), filed.mailboxId(), filed.messageId()).encode().toUri();
        return ResponseEntity.created(location).body(filed);
    }

    /** The body, refusing more than the configured maximum before reading it where the length is declared. */
    private byte[] readBounded(HttpServletRequest request) throws IOException {
        long max = properties.maxMessageSize().toBytes();
        long declared = request.getContentLengthLong();
        if (declared > max) {
            throw tooLarge(max);
        }
        try (InputStream in = request.getInputStream()) {
            byte[] content = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, max + 1));
            if (content.length > max) {
                throw tooLarge(max);
            }
            if (content.length == 0) {
                throw ApiProblem.validation("the message is empty");
            }
            return content;
        }
    }

    private static ApiProblem tooLarge(long max) {
        return new ApiProblem(HttpStatus.CONTENT_TOO_LARGE, ProblemCodes.MESSAGE_TOO_LARGE,
                "the message is larger than the " + max + " bytes this server accepts", Map.of("maxSize", max));
    }
}
