package io.mailroom.mailbox.domain;

import java.util.Optional;

import org.springframework.dao.DataIntegrityViolationException;
import org.springframework.data.domain.Limit;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.Cursor;
import io.mailroom.mailbox.web.PageResponse;
import io.mailroom.mailbox.web.ProblemCodes;

@Service
public class DomainService {

    private final DomainRepository domains;
    private final org.springframework.jdbc.core.simple.JdbcClient jdbc;

    DomainService(DomainRepository domains, org.springframework.jdbc.core.simple.JdbcClient jdbc) {
        this.domains = domains;
        this.jdbc = jdbc;
    }

    /** The address of an account by id, for answers. */
    private String address(Long accountId) {
        return accountId == null ? null : jdbc.sql("SELECT address FROM accounts WHERE id = ?").param(accountId)
                .query(String.class).optional().orElse(null);
    }

    private DomainResponse response(Domain domain) {
        return new DomainResponse(domain.id(), domain.name(), address(domain.catchAllAccountId()), domain.createdAt());
    }

    /**
     * Sets or removes the catch-all.
     *
     * @throws ApiProblem 422 {@code account-not-found} when the address is not an account of this domain
     */
    @Transactional
    public DomainResponse update(String name, UpdateDomainRequest request) {
        Domain domain = find(name).orElseThrow(() -> ApiProblem.notFound(ProblemCodes.DOMAIN_NOT_FOUND, "no domain " + name));
        if (request.catchAll() != null) {
            if (request.catchAll().isBlank()) {
                domain.catchAll(null);
            } else {
                String address = io.mailroom.mailbox.account.EmailAddress.normalize(request.catchAll());
                Long accountId = jdbc.sql("SELECT id FROM accounts WHERE address = ? AND domain_id = ?")
                        .params(address, domain.id()).query(Long.class).optional()
                        .orElseThrow(() -> new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemCodes.ACCOUNT_NOT_FOUND,
                                "the catch-all must be an account of " + domain.name() + ": " + request.catchAll()));
                domain.catchAll(accountId);
            }
        }
        return response(domains.saveAndFlush(domain));
    }

    public DomainResponse create(String rawName) {
        String name = canonical(rawName);
        if (domains.existsByName(name)) {
            throw exists(name);
        }
        try {
            return response(domains.saveAndFlush(new Domain(name)));
        } catch (DataIntegrityViolationException race) {
            throw exists(name); // created by a concurrent request between the check and the insert
        }
    }

    @Transactional(readOnly = true)
    public PageResponse<DomainResponse> list(int limit, String cursor) {
        return PageResponse.of(domains.findByIdGreaterThanOrderById(Cursor.decode(cursor), Limit.of(limit + 1)),
                limit, Domain::id, this::response);
    }

    @Transactional(readOnly = true)
    public DomainResponse get(String name) {
        return response(find(name).orElseThrow(() ->
                ApiProblem.notFound(ProblemCodes.DOMAIN_NOT_FOUND, "no domain " + name)));
    }

    /** The domain by any spelling of its name; empty for unknown or malformed names. */
    @Transactional(readOnly = true)
    public Optional<Domain> find(String name) {
        return domains.findByName(DomainName.normalize(name));
    }

    private static String canonical(String rawName) {
        try {
            return DomainName.canonical(rawName);
        } catch (IllegalArgumentException e) {
            throw ApiProblem.validation(e.getMessage());
        }
    }

    private static ApiProblem exists(String name) {
        return new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.DOMAIN_EXISTS, "domain " + name + " exists already");
    }
}
