package io.mailroom.mailbox.delivery;

import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import io.swagger.v3.oas.annotations.media.Schema;

/**
 * The {@code deliveries} part of a filing of many messages: for each {@code message} part, in the same order, whose
 * INBOX it goes to and under which delivery id. Mirrors mailbox-client's {@code HttpMailboxApiClient.MessageBatchRequest}.
 */
public record MessageBatchRequest(
        @NotNull @Size(min = 1, max = MAX_MESSAGES) List<@NotNull @Valid Delivery> deliveries) {

    /** Messages per request: enough to pay a request and a commit once for many, few enough to answer soon. */
    public static final int MAX_MESSAGES = 64;

    /**
     * @param account    the account's address
     * @param deliveryId stable for this message and this account: filing it again changes nothing
     */
    @Schema(name = "MessageBatchDelivery")
    public record Delivery(@NotBlank String account,
                           @NotBlank @Size(max = DeliveryController.MAX_DELIVERY_ID_LENGTH) String deliveryId) {
    }
}
