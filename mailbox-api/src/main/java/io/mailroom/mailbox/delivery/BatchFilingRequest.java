package io.mailroom.mailbox.delivery;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The {@code recipients} part of a batch filing: who gets a copy of the message in the {@code message} part.
 * Mirrors mailbox-client's {@code HttpMailboxApiClient.BatchFilingRequest}.
 */
public record BatchFilingRequest(
        @NotNull @Size(min = 1, max = MAX_RECIPIENTS) List<@NotNull @Valid Recipient> recipients) {

    /** More than an SMTP transaction may carry (RFC 5321 4.5.3.1.8 asks for at least 100). */
    public static final int MAX_RECIPIENTS = 1000;

    /**
     * @param account    the account's address
     * @param deliveryId stable for this message and this recipient: filing it again changes nothing
     */
    @Schema(name = "BatchFilingRecipient")
    public record Recipient(@NotBlank String account,
                            @NotBlank @Size(max = DeliveryController.MAX_DELIVERY_ID_LENGTH) String deliveryId) {
    }
}
