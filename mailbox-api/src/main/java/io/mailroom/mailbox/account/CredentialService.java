package io.mailroom.mailbox.account;

import java.util.Optional;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * Checks an account's address and a password (the account password or one of its app passwords), for mail clients
 * (through the gateways) and for HTTP Basic on the tools API. An unknown address, a wrong password and a disabled
 * account look the same to the caller. The {@link LoginPolicy} is asked first and told the outcome; a hash of an
 * imported scheme is replaced by a bcrypt one once the password proved right.
 */
@Service
public class CredentialService {

    private final AccountRepository accounts;
    private final PasswordHasher hasher;
    private final AppPasswordService appPasswords;
    private final LoginPolicy policy;
    private final JdbcClient jdbc;

    CredentialService(AccountRepository accounts, PasswordHasher hasher, AppPasswordService appPasswords,
                      LoginPolicy policy, JdbcClient jdbc) {
        this.accounts = accounts;
        this.hasher = hasher;
        this.appPasswords = appPasswords;
        this.policy = policy;
        this.jdbc = jdbc;
    }

    /**
     * @return the account, or empty when the credentials are not accepted
     * @throws LoginPolicy.LoginLockedException when the policy refuses the attempt outright
     */
    public Optional<AuthenticatedAccountResponse> verify(String username, String password, String protocol, String remoteIp) {
        String address = EmailAddress.normalize(username);
        policy.beforeAttempt(address, protocol, remoteIp);
        Optional<Account> account = accounts.findByAddress(address);
        boolean accepted;
        if (account.isEmpty()) {
            accepted = hasher.matchesNothing(password);
        } else if (appPasswords.matches(account.get().id(), password)) {
            accepted = account.get().enabled();
        } else {
            String stored = account.get().passwordHash();
            accepted = hasher.matches(password, stored) && account.get().enabled();
            if (accepted && hasher.needsUpgrade(stored)) {
                jdbc.sql("UPDATE accounts SET password_hash = ? WHERE id = ? AND password_hash = ?")
                        .params(hasher.hash(password), account.get().id(), stored)
                        .update();
            }
        }
        if (!accepted) {
            policy.onFailure(address, protocol, remoteIp);
            return Optional.empty();
        }
        policy.onSuccess(address, protocol, remoteIp);
        return Optional.of(new AuthenticatedAccountResponse(account.get().id(), account.get().address()));
    }
}
