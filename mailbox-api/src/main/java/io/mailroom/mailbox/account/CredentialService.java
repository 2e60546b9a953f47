package io.mailroom.mailbox.account;

import java.util.Optional;

import org.springframework.stereotype.Service;

/**
 * Checks an account's address and password, for mail clients (through the gateways) and for HTTP Basic on the
 * tools API. An unknown address, a wrong password and a disabled account look the same to the caller, and take
 * the same time.
 */
@Service
public class CredentialService {

    private final AccountRepository accounts;
    private final PasswordHasher hasher;
    private final LoginPolicy policy;

    CredentialService(AccountRepository accounts, PasswordHasher hasher, LoginPolicy policy) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.policy = policy;
    }

    /**
     * @return the account, or empty when the credentials are not accepted
     * @throws LoginPolicy.LoginLockedException when the policy refuses the attempt outright
     */
    public Optional<AuthenticatedAccountResponse> verify(String username, String password, String protocol, String remoteIp) {
        String address = EmailAddress.normalize(username);
        policy.beforeAttempt(address, protocol, remoteIp);
        Optional<Account> account = accounts.findByAddress(address);
        boolean accepted = account.isPresent()
                ? hasher.matches(password, account.get().passwordHash()) && account.get().enabled()
                : hasher.matchesNothing(password);
        if (!accepted) {
            policy.onFailure(address, protocol, remoteIp);
            return Optional.empty();
        }
        policy.onSuccess(address, protocol, remoteIp);
        return Optional.of(new AuthenticatedAccountResponse(account.get().id(), account.get().address()));
    }
}
