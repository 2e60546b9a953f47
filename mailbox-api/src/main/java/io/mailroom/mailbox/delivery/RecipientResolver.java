package io.mailroom.mailbox.delivery;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import io.mailroom.mailbox.account.Account;
import io.mailroom.mailbox.account.AccountRepository;
import io.mailroom.mailbox.account.EmailAddress;
import io.mailroom.mailbox.alias.AliasService;
import io.mailroom.mailbox.domain.Domain;
import io.mailroom.mailbox.domain.DomainName;
import io.mailroom.mailbox.domain.DomainService;
import io.mailroom.mailbox.quota.QuotaService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * What a recipient address means here, for smtp-ingress (RCPT TO) and delivery-service: an account, an alias expanded
 * to its accounts (through nested aliases, at most {@value #MAX_DEPTH} deep) and external addresses, the domain's
 * catch-all, or nobody. Case-insensitive. A disabled account receives no mail, so it reads as an unknown user and an
 * alias skips it. Serves the resolution calls ({@link RecipientController}) and filing by address
 * ({@link DeliveryController}).
 */
@Component
class RecipientResolver {

    static final int MAX_DEPTH = 5;

    private final AccountRepository accounts;
    private final DomainService domains;
    private final AliasService aliases;
    private final QuotaService quotas;
    private final JdbcClient jdbc;

    RecipientResolver(AccountRepository accounts, DomainService domains, AliasService aliases, QuotaService quotas,
                      JdbcClient jdbc) {
        this.accounts = accounts;
        this.domains = domains;
        this.aliases = aliases;
        this.quotas = quotas;
        this.jdbc = jdbc;
    }

    /** The resolution of one address; 400 {@code invalid-address} when it is not one. */
    RecipientResolutionResponse resolve(String address) {
        String normalized = EmailAddress.normalize(address);
        int at = normalized.lastIndexOf('@');
        if (at <= 0 || at == normalized.length() - 1) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_ADDRESS, "not an address: " + address);
        }
        Optional<RecipientResolutionResponse> account = asAccount(address, normalized, normalized.substring(at + 1));
        if (account.isPresent()) {
            return account.get();
        }
        Optional<Domain> domain = domains.find(normalized.substring(at + 1));
        if (domain.isEmpty()) {
            return new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.NON_LOCAL_DOMAIN, List.of(), List.of(),
                    List.of());
        }
        Optional<Account> direct = accounts.findByAddress(normalized);
        if (direct.isPresent()) {
            // created between the two lookups
            return direct.get().enabled()
                    ? deliverable(address, List.of(direct.get().address()), List.of())
                    : unknown(address);
        }
        Optional<List<String>> targets = aliases.targetsOf(normalized);
        if (targets.isPresent()) {
            Set<String> local = new LinkedHashSet<>();
            Set<String> external = new LinkedHashSet<>();
            expand(normalized, targets.get(), local, external);
            return local.isEmpty() && external.isEmpty() ? unknown(address)
                    : deliverable(address, List.copyOf(local), List.copyOf(external));
        }
        Long catchAll = domain.get().catchAllAccountId();
        if (catchAll != null) {
            Optional<Account> target = accounts.findById(catchAll).filter(Account::enabled);
            if (target.isPresent()) {
                return deliverable(address, List.of(target.get().address()), List.of());
            }
        }
        return unknown(address);
    }

    /**
     * The common case in one query: the address is an account of one of our domains (then it is deliverable when
     * enabled, with its quota state, or unknown when disabled). Empty otherwise: an alias, a catch-all, another domain or
     * nobody, which the lookups of {@link #resolve} sort out.
     */
    private Optional<RecipientResolutionResponse> asAccount(String address, String normalized, String domainPart) {
        return jdbc.sql("""
                        SELECT a.address, a.enabled,
                               coalesce((a.quota_storage IS NOT NULL AND q.storage >= a.quota_storage)
                                     OR (a.quota_messages IS NOT NULL AND q.messages >= a.quota_messages), false) AS full
                          FROM accounts a LEFT JOIN quota_usage q ON q.account_id = a.id
                         WHERE a.address = ? AND EXISTS (SELECT 1 FROM domains d WHERE d.name = ?)""")
                .params(normalized, DomainName.normalize(domainPart))
                .query((rs, row) -> {
                    if (!rs.getBoolean("enabled")) {
                        return unknown(address);
                    }
                    String account = rs.getString("address");
                    return new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.DELIVERABLE,
                            List.of(account), List.of(), rs.getBoolean("full") ? List.of(account) : List.of());
                })
                .optional();
    }

    /** Breadth-first through nested aliases; a loop or a chain deeper than {@link #MAX_DEPTH} ends there. */
    private void expand(String alias, List<String> targets, Set<String> local, Set<String> external) {
        Set<String> seen = new LinkedHashSet<>(List.of(alias));
        Deque<List<String>> level = new ArrayDeque<>();
        level.add(targets);
        for (int depth = 0; depth < MAX_DEPTH && !level.isEmpty(); depth++) {
            Deque<List<String>> next = new ArrayDeque<>();
            for (List<String> group : level) {
                for (String target : group) {
                    if (!seen.add(target)) {
                        continue;
                    }
                    String targetDomain = target.substring(target.lastIndexOf('@') + 1);
                    if (domains.find(targetDomain).isEmpty()) {
                        external.add(target);
                        continue;
                    }
                    Optional<Account> account = accounts.findByAddress(target);
                    if (account.isPresent()) {
                        if (account.get().enabled()) {
                            local.add(account.get().address());
                        }
                        continue;
                    }
                    aliases.targetsOf(target).ifPresent(next::add);
                }
            }
            level = next;
        }
    }

    private RecipientResolutionResponse deliverable(String address, List<String> accounts, List<String> forwards) {
        return new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.DELIVERABLE, accounts, forwards,
                quotas.fullAccounts(accounts));
    }

    private static RecipientResolutionResponse unknown(String address) {
        return new RecipientResolutionResponse(address, RecipientResolutionResponse.Status.UNKNOWN_USER, List.of(), List.of(),
                List.of());
    }
}
