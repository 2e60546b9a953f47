package io.mailroom.mailbox.lease;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.PutMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

import io.mailroom.mailbox.account.AccountService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * The POP3 maildrop lock shared by every pop3-gateway replica (docs/rest-api.md, "Maildrop lease"): take, renew in
 * one batch per replica, give back.
 */
@RestController
class MaildropLeaseController {

    /** The longest lease a gateway may ask for (an hour): a dead replica's maildrops must come free in reasonable time. */
    static final long MAX_TTL_MILLIS = 3_600_000;

    private final AccountService accounts;
    private final MaildropLeaseService leases;

    MaildropLeaseController(AccountService accounts, MaildropLeaseService leases) {
        this.accounts = accounts;
        this.leases = leases;
    }

    /**
     * @param owner          who takes it: unique per POP3 session across replicas
     * @param ttlMillis      how long the lease lasts unless renewed
     * @param minIntervalMillis LOGIN-DELAY: refuse when the maildrop was taken by another owner less than this long ago
     */
    record AcquireLeaseRequest(@NotBlank @Size(max = 200) String owner,
                               @NotNull @Min(1) @Max(MAX_TTL_MILLIS) Long ttlMillis,
                               @Min(0) @Max(Integer.MAX_VALUE) Long minIntervalMillis) {
    }

    record LeaseResponse(String owner, java.time.Instant expiresAt, java.time.Instant acquiredAt) {
    }

    record LeaseKey(@NotBlank @Size(max = 320) String account, @NotBlank @Size(max = 200) String owner) {
    }

    record RenewLeasesRequest(@NotNull @Size(max = 10_000) List<@Valid @NotNull LeaseKey> leases,
                              @NotNull @Min(1) @Max(MAX_TTL_MILLIS) Long ttlMillis) {
    }

    /** @param lost the leases that were not renewed because their owner no longer holds them */
    record RenewLeasesResponse(List<LeaseKey> lost) {
    }

    @PutMapping("/internal/v1/accounts/{address}/maildrop/lease")
    LeaseResponse acquire(@PathVariable String address, @Valid @RequestBody AcquireLeaseRequest request) {
        long accountId = accounts.require(address).id();
        Duration minInterval = Duration.ofMillis(request.minIntervalMillis() == null ? 0 : request.minIntervalMillis());
        return switch (leases.acquire(accountId, request.owner(), Duration.ofMillis(request.ttlMillis()), minInterval)) {
            case MaildropLeaseService.Taken taken ->
                    new LeaseResponse(taken.lease().owner(), taken.lease().expiresAt(), taken.lease().acquiredAt());
            case MaildropLeaseService.InUse inUse -> throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.MAILDROP_IN_USE,
                    "another session holds this account's maildrop");
            case MaildropLeaseService.TooSoon tooSoon -> throw new LoginTooSoonException(tooSoon.retryAfter());
        };
    }

    /** LOGIN-DELAY refused the lease: a problem with a {@code Retry-After} header, which {@link ApiProblem} has not. */
    static final class LoginTooSoonException extends RuntimeException {

        private final Duration retryAfter;

        LoginTooSoonException(Duration retryAfter) {
            super("this account's maildrop was taken too recently", null, false, false);
            this.retryAfter = retryAfter;
        }
    }

    @ExceptionHandler(LoginTooSoonException.class)
    ResponseEntity<ProblemDetail> tooSoon(LoginTooSoonException tooSoon) {
        ProblemDetail problem = ApiProblem.problem(HttpStatus.TOO_MANY_REQUESTS, ProblemCodes.LOGIN_DELAY, tooSoon.getMessage());
        problem.setProperty("retryAfterMillis", tooSoon.retryAfter.toMillis());
        return ResponseEntity.status(HttpStatus.TOO_MANY_REQUESTS)
                .header(HttpHeaders.RETRY_AFTER, Long.toString(Math.max(1, (tooSoon.retryAfter.toMillis() + 999) / 1000)))
                .body(problem);
    }

    /** Renews a replica's leases in one call; answers those that are lost (the caller must stop using them). */
    @PostMapping("/internal/v1/maildrop-leases/renewals")
    RenewLeasesResponse renew(@Valid @RequestBody RenewLeasesRequest request) {
        List<MaildropLeaseService.LeaseKey> keys = request.leases().stream()
                .map(key -> new MaildropLeaseService.LeaseKey(key.account(), key.owner()))
                .toList();
        Set<MaildropLeaseService.LeaseKey> lost = leases.renew(keys, Duration.ofMillis(request.ttlMillis()));
        return new RenewLeasesResponse(lost.stream().map(key -> new LeaseKey(key.account(), key.owner())).toList());
    }

    /** Gives the maildrop back if {@code owner} holds it; 204 either way, so a repeated release is harmless. */
    @DeleteMapping("/internal/v1/accounts/{address}/maildrop/lease")
    ResponseEntity<Void> release(@PathVariable String address, @RequestParam String owner) {
        accounts.find(address).ifPresent(account -> leases.release(account.id(), owner));
        return ResponseEntity.noContent().build();
    }
}
