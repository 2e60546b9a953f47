package io.mailroom.mailbox.delivery;

import java.util.ArrayList;
import java.util.List;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/**
 * The resolution calls ({@link RecipientResolver} says what an address means): one address for smtp-ingress (RCPT TO),
 * many at once for delivery-service.
 */
@RestController
class RecipientController {

    static final int MAX_ADDRESSES = 1000;

    private final RecipientResolver resolver;

    RecipientController(RecipientResolver resolver) {
        this.resolver = resolver;
    }

    @GetMapping("/internal/v1/recipients")
    RecipientResolutionResponse resolve(@RequestParam String address) {
        return resolver.resolve(address);
    }

    /**
     * {@link #resolve} for many addresses in one request (delivery-service, for a message with several recipients):
     * the resolutions in the order of the addresses. Refused as a whole (400 {@code invalid-address}) when one of them
     * is not an address, like the single call; the caller then asks for the others one by one.
     */
    @PostMapping("/internal/v1/recipients/resolutions")
    ResolutionsResponse resolveAll(@Valid @RequestBody ResolutionsRequest request) {
        List<RecipientResolutionResponse> resolutions = new ArrayList<>(request.addresses().size());
        for (String address : request.addresses()) {
            resolutions.add(resolve(address));
        }
        return new ResolutionsResponse(resolutions);
    }

    /** Addresses to resolve at once. */
    record ResolutionsRequest(@NotNull @Size(min = 1, max = MAX_ADDRESSES) List<@NotBlank String> addresses) {
    }

    /** One resolution per address, in the order asked. */
    record ResolutionsResponse(List<RecipientResolutionResponse> resolutions) {
    }
}
