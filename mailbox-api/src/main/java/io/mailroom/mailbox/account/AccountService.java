package io.mailroom.mailbox.account;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.domain.Domain;
import io.mailroom.mailbox.domain.DomainService;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

@Service
public class AccountService {

    private final AccountRepository accounts;
    private final DomainService domains;
    private final MailboxService mailboxes;
    private final PasswordHasher hasher;
    private final TransactionTemplate transaction;

    AccountService(AccountRepository accounts, DomainService domains, MailboxService mailboxes, PasswordHasher hasher,
                   TransactionTemplate transaction) {
        this.accounts = accounts;
        this.domains = domains;
        this.mailboxes = mailboxes;
        this.hasher = hasher;
        this.transaction = transaction;
    }

    /** Creates the account with its default mailboxes (INBOX, Sent, Drafts, Trash, Junk, Archive), all or nothing. */
    public AccountResponse create(CreateAccountRequest request) {
        EmailAddress address;
        try {
            address = EmailAddress.parse(request.address());
        } catch (IllegalArgumentException e) {
            throw ApiProblem.validation(e.getMessage());
        }
        Domain domain = domains.find(address.domain()).orElseThrow(() -> new ApiProblem(
                HttpStatus.UNPROCESSABLE_CONTENT, ProblemCodes.DOMAIN_NOT_FOUND,
                "domain " + address.domain() + " does not exist; create it first"));
        if (accounts.existsByAddress(address.value())) {
            throw exists(address);
        }
        String passwordHash = hasher.hash(request.password()); // slow on purpose: outside the transaction
        String displayName = request.displayName() == null || request.displayName().isBlank() ? null : request.displayName().strip();
        try {
            return transaction.execute(status -> {
                Account account = accounts.saveAndFlush(new Account(domain.id(), address.value(), displayName, passwordHash));
                mailboxes.createDefaults(account.id());
                return AccountResponse.of(account);
            });
        } catch (DataIntegrityViolationException race) {
            throw exists(address); // a concurrent request created it between the check and the insert
        }
    }

    public AccountResponse get(String address) {
        return AccountResponse.of(require(address));
    }

    /** The account with this address (any case), or 404 {@code account-not-found}. */
    public Account require(String address) {
        return accounts.findByAddress(EmailAddress.normalize(address)).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.ACCOUNT_NOT_FOUND, "no account " + address));
    }

    private static ApiProblem exists(EmailAddress address) {
        return new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.ACCOUNT_EXISTS, "account " + address + " exists already");
    }
}
