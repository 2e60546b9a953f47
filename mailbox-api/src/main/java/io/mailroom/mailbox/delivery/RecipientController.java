package io.mailroom.mailbox.delivery;

import java.util.List;

import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountRepository;
import io.mailroom.mailbox.account.EmailAddress;
import io.mailroom.mailbox.domain.DomainService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/** What a recipient address means here, for smtp-ingress (RCPT TO) and delivery-service. */
@RestController
class RecipientController {

    private final AccountRepository accounts;
    private final DomainService domains;

    RecipientController(AccountRepository accounts, DomainService domains) {
        this.accounts = accounts;
        this.domains = domains;
    }

    /**
     * Case-insensitive. A disabled account receives no mail, so it reads as an unknown user. Aliases come later and
     * will answer with several accounts.
     */
    @GetMapping("/internal/v1/recipients")
    RecipientResolutionResponse resolve(@RequestParam String address) {
        String normalized = EmailAddress.normalize(address);
        int at = normalized.lastIndexOf('@');
        if (at <= 0 || at == normalized.length() - 1) {
            throw new ApiProblem(org.springframework.http.HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_ADDRESS,
                    "not an address: " + address);
        }
        if (domains.find(normalized.substring(at + 1)).isEmpty()) {
            return new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.NON_LOCAL_DOMAIN, List.of());
        }
        return accounts.findByAddress(normalized)
                .filter(Account::enabled)
                .map(account -> new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.DELIVERABLE,
                        List.of(account.address())))
                .orElseGet(() -> new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.UNKNOWN_USER,
                        List.of()));
    }
}
