package io.mailroom.mailbox.account;

import java.net.URI;
import java.util.List;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.PositiveOrZero;

import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PatchMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.util.UriComponentsBuilder;

import io.mailroom.mailbox.client.store.QuotaUsage;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.security.Caller;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.PageResponse;
import io.mailroom.mailbox.web.ProblemCodes;

/** Mail accounts, their quota and their app passwords. */
@RestController
@RequestMapping("/api/v1/accounts")
class AccountController {

    private final AccountService accounts;
    private final QuotaService quota;
    private final AppPasswordService appPasswords;

    AccountController(AccountService accounts, QuotaService quota, AppPasswordService appPasswords) {
        this.accounts = accounts;
        this.quota = quota;
        this.appPasswords = appPasswords;
    }

    /** @param limits a storage limit in bytes and a message-count limit; null for none */
    record QuotaLimitsRequest(@PositiveOrZero Long storage, @PositiveOrZero Long messages) {
    }

    @PostMapping
    ResponseEntity<AccountResponse> create(@Valid @RequestBody CreateAccountRequest request) {
        AccountResponse account = accounts.create(request);
        URI location = UriComponentsBuilder.fromPath("/api/v1/accounts/{address}").buildAndExpand(account.address()).encode().toUri();
        return ResponseEntity.created(location).body(account);
    }

    /** Every account, or a domain's, by id. */
    @GetMapping
    PageResponse<AccountResponse> list(
            @RequestParam(required = false) String domain,
            @RequestParam(defaultValue = "" + PageResponse.DEFAULT_LIMIT) @Min(1) @Max(PageResponse.MAX_LIMIT) int limit,
            @RequestParam(required = false) String cursor) {
        return accounts.list(domain, limit, cursor);
    }

    @GetMapping("/{address}")
    AccountResponse get(@PathVariable String address) {
        return accounts.get(address);
    }

    /** Display name (the owner too); enabled and password (admin only). */
    @PatchMapping("/{address}")
    AccountResponse update(@PathVariable String address, @Valid @RequestBody UpdateAccountRequest request,
                           HttpServletRequest http) {
        if ((request.enabled() != null || request.password() != null) && !(Caller.of(http) instanceof Caller.Admin)) {
            throw new ApiProblem(HttpStatus.FORBIDDEN, ProblemCodes.FORBIDDEN, "only an admin enables, disables or sets passwords");
        }
        return accounts.update(address, request);
    }

    @GetMapping("/{address}/quota")
    QuotaUsage quota(@PathVariable String address) {
        return quota.usage(accounts.require(address).id());
    }

    /** Sets the limits (admin only). A limit below the current usage refuses further additions, nothing else. */
    @PutMapping("/{address}/quota")
    QuotaUsage setQuota(@PathVariable String address, @Valid @RequestBody QuotaLimitsRequest request, HttpServletRequest http) {
        if (!(Caller.of(http) instanceof Caller.Admin)) {
            throw new ApiProblem(HttpStatus.FORBIDDEN, ProblemCodes.FORBIDDEN, "only an admin sets quotas");
        }
        return quota.setLimits(accounts.require(address).id(), request.storage(), request.messages());
    }

    /** Creates an app password; the answer is the only time it is shown. */
    @PostMapping("/{address}/app-passwords")
    ResponseEntity<AppPasswordService.AppPasswordResponse> createAppPassword(
            @PathVariable String address, @Valid @RequestBody AppPasswordService.CreateAppPasswordRequest request) {
        return ResponseEntity.status(HttpStatus.CREATED).body(appPasswords.create(accounts.require(address).id(), request.name()));
    }

    @GetMapping("/{address}/app-passwords")
    List<AppPasswordService.AppPasswordResponse> appPasswords(@PathVariable String address) {
        return appPasswords.list(accounts.require(address).id());
    }

    @DeleteMapping("/{address}/app-passwords/{id}")
    ResponseEntity<Void> revokeAppPassword(@PathVariable String address, @PathVariable long id) {
        appPasswords.revoke(accounts.require(address).id(), id);
        return ResponseEntity.noContent().build();
    }
}
