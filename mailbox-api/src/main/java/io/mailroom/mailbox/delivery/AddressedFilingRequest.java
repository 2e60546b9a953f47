package io.mailroom.mailbox.delivery;

import java.util.List;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/**
 * The {@code recipients} part of a filing by address ({@code POST /internal/v1/deliveries/by-address}): the message's
 * recipient addresses, resolved and filed in one request. Mirrors mailbox-client's
 * {@code HttpMailboxApiClient.AddressedFilingRequest}.
 *
 * @param addresses        the recipient addresses as the envelope has them, resolved as the resolution calls do
 * @param deliveryIdPrefix the delivery id of each account's copy is this prefix followed by the account's address
 *                         (lower case, as resolutions name accounts): stable for the message, so filing again files
 *                         nothing twice, alias expansions and catch-alls included
 * @param skip             accounts that already have a final outcome for this message (filed, bounced): not filed
 *                         again, and given no result; optional
 */
public record AddressedFilingRequest(
        @NotNull @Size(min = 1, max = BatchFilingRequest.MAX_RECIPIENTS) List<@NotBlank String> addresses,
        @NotBlank @Size(max = DeliveryController.MAX_DELIVERY_ID_LENGTH - 3) String deliveryIdPrefix,
        @Size(max = MAX_SKIPPED) List<@NotBlank String> skip) {

    /** Final outcomes a message can carry: every account its recipients reach, with room for forwards. */
    public static final int MAX_SKIPPED = 10_000;

    public AddressedFilingRequest {
        skip = skip == null ? List.of() : skip;
    }
}
