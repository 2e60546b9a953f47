package io.mailroom.mailbox.delivery;

import java.util.List;

/**
 * The answer to a filing by address: what each address resolved to (as the resolution calls answer, in the order of
 * the request: accounts, external {@code forwards} for the caller to relay, {@code UNKNOWN_USER},
 * {@code NON_LOCAL_DOMAIN}), and one filing result per account filed, in the order the addresses first reach them
 * (an account reached by two addresses is filed once). Mirrors mailbox-client's {@code DeliveryReport}.
 */
public record AddressedFilingResponse(List<RecipientResolutionResponse> resolutions,
                                      List<BatchFilingResponse.Result> results) {
}
