package io.mailroom.mailbox.account;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

import io.mailroom.mailbox.domain.Domain;
import io.mailroom.mailbox.domain.DomainService;
import io.mailroom.mailbox.mailbox.MailboxService;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

@Service
public class AccountService {

    private final AccountRepository accounts;
    private final DomainService domains;
    private final MailboxService mailboxes;
    private final PasswordHasher hasher;
    private final QuotaService quota;
    private final TransactionTemplate transaction;
    private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

    /** How long {@link #requireId} trusts an address's account id: the most a deleted account's id stays in use. */
    public static final java.time.Duration ID_CACHE_TTL = java.time.Duration.ofSeconds(60);
    private static final int ID_CACHE_MAX = 100_000;

    private record CachedId(long id, long at) {
    }

    private final java.util.concurrent.ConcurrentHashMap<String, CachedId> ids = new java.util.concurrent.ConcurrentHashMap<>();

    AccountService(AccountRepository accounts, DomainService domains, MailboxService mailboxes, PasswordHasher hasher,
                   QuotaService quota, TransactionTemplate transaction, org.springframework.jdbc.core.simple.JdbcClient jdbc) {
        this.jdbc = jdbc;
        this.accounts = accounts;
        this.domains = domains;
        this.mailboxes = mailboxes;
        this.hasher = hasher;
        this.quota = quota;
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
        String passwordHash;
        if (request.passwordHash() != null && !request.passwordHash().isEmpty()) {
            try {
                passwordHash = hasher.requireImportable(request.passwordHash());
            } catch (IllegalArgumentException e) {
                throw ApiProblem.validation(e.getMessage());
            }
        } else {
            passwordHash = hasher.hash(request.password()); // slow on purpose: outside the transaction
        }
        String displayName = request.displayName() == null || request.displayName().isBlank() ? null : request.displayName().strip();
        try {
            return transaction.execute(status -> {
                Account account = accounts.saveAndFlush(new Account(domain.id(), address.value(), displayName, passwordHash));
                quota.open(account.id());
                if (request.quotaStorage() != null || request.quotaMessages() != null) {
                    quota.setLimits(account.id(), request.quotaStorage(), request.quotaMessages());
                }
                mailboxes.createDefaults(account.id());
                return AccountResponse.of(account);
            });
        } catch (DataIntegrityViolationException race) {
            throw exists(address); // a concurrent request created it between the check and the insert
        }
    }

    public io.mailroom.mailbox.web.PageResponse<AccountResponse> list(String domain, int limit, String cursor) {
        java.util.List<Account> rows = domain == null
                ? accounts.findByIdGreaterThanOrderById(io.mailroom.mailbox.web.Cursor.decode(cursor), org.springframework.data.domain.Limit.of(limit + 1))
                : accounts.findByDomainIdAndIdGreaterThanOrderById(domains.find(domain).map(Domain::id).orElse(-1L),
                        io.mailroom.mailbox.web.Cursor.decode(cursor), org.springframework.data.domain.Limit.of(limit + 1));
        return io.mailroom.mailbox.web.PageResponse.of(rows, limit, Account::id, AccountResponse::of);
    }

    /** Changes display name, enabled state or password. */
    public AccountResponse update(String address, UpdateAccountRequest request) {
        Account account = require(address);
        String hash = request.password() == null ? null : hasher.hash(request.password());
        transaction.executeWithoutResult(status -> {
            Account current = accounts.findById(account.id()).orElseThrow();
            current.update(request.displayName() == null ? null : request.displayName().strip(), request.enabled(), hash);
            accounts.saveAndFlush(current);
        });
        return AccountResponse.of(require(address));
    }

    public AccountResponse get(String address) {
        return AccountResponse.of(require(address));
    }

    /** The account with this address (any case), or 404 {@code account-not-found}. */
    public Account require(String address) {
        return find(address).orElseThrow(() -> ApiProblem.notFound(ProblemCodes.ACCOUNT_NOT_FOUND, "no account " + address));
    }

    /**
     * The id of the account with this address (any case), or 404 {@code account-not-found}, for the gateways' calls
     * on a mailbox ({@code /internal/v1/accounts/{address}/mailboxes/{id}/...}): the answer is remembered for
     * {@link #ID_CACHE_TTL}, so a session's commands do not each look the account up again. Only accounts found are
     * remembered: an unknown address costs the query every time and answers exactly as {@link #require} does. A
     * deleted account's id may be used for up to the TTL; every table keys by account, so such a call finds no
     * mailbox and answers 404, and any 404 of a gateway call forgets the address ({@link #forgetId}), so the next call
     * looks it up again. Accounts never change address, so an id cannot come to mean another account.
     */
    public long requireId(String address) {
        String key = address; // as the caller spells it (a gateway always the same way): no normalising per call
        long now = System.nanoTime();
        CachedId cached = ids.get(key);
        if (cached != null && now - cached.at() < ID_CACHE_TTL.toNanos()) {
            return cached.id();
        }
        long id = require(address).id();
        if (ids.size() >= ID_CACHE_MAX) {
            ids.clear(); // crude but bounded: a gateway fleet's active accounts fit many times over
        }
        ids.put(key, new CachedId(id, now));
        return id;
    }

    /** Forgets what {@link #requireId} remembered of this address (after a call on it answered 404). */
    public void forgetId(String address) {
        ids.remove(address);
    }

    /**
     * The account with this address (any case). Every request names its account, so this is one plain query rather than
     * a trip through the JPA repository machinery, which cost more than the query itself.
     */
    public java.util.Optional<Account> find(String address) {
        return jdbc.sql("""
                        SELECT id, domain_id, address, display_name, password_hash, enabled, created_at
                          FROM accounts WHERE address = ?""")
                .param(EmailAddress.normalize(address))
                .query((rs, row) -> Account.read(rs.getLong("id"), rs.getLong("domain_id"), rs.getString("address"),
                        rs.getString("display_name"), rs.getString("password_hash"), rs.getBoolean("enabled"),
                        rs.getTimestamp("created_at").toInstant()))
                .optional();
    }

    /**
     * The accounts with these addresses (any case), by normalized address, in one query; addresses without an account
     * are missing from the map.
     */
    public java.util.Map<String, Account> findAll(java.util.Collection<String> addresses) {
        if (addresses.isEmpty()) {
            return java.util.Map.of();
        }
        String[] normalized = addresses.stream().map(EmailAddress::normalize).distinct().toArray(String[]::new);
        java.util.Map<String, Account> found = new java.util.HashMap<>();
        jdbc.sql("""
                        SELECT id, domain_id, address, display_name, password_hash, enabled, created_at
                          FROM accounts WHERE address = ANY(?)""")
                .param(normalized)
                .query((rs, row) -> Account.read(rs.getLong("id"), rs.getLong("domain_id"), rs.getString("address"),
                        rs.getString("display_name"), rs.getString("password_hash"), rs.getBoolean("enabled"),
                        rs.getTimestamp("created_at").toInstant()))
                .list()
                .forEach(account -> found.put(account.address(), account));
        return found;
    }

    private static ApiProblem exists(EmailAddress address) {
        return new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.ACCOUNT_EXISTS, "account " + address + " exists already");
    }
}
