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

    DomainService(DomainRepository domains) {
        this.domains = domains;
    }

    public DomainResponse create(String rawName) {
        String name = canonical(rawName);
        if (domains.existsByName(name)) {
            throw exists(name);
        }
        try {
            return DomainResponse.of(domains.saveAndFlush(new Domain(name)));
        } catch (DataIntegrityViolationException race) {
            throw exists(name); // created by a concurrent request between the check and the insert
        }
    }

    @Transactional(readOnly = true)
    public PageResponse<DomainResponse> list(int limit, String cursor) {
        return PageResponse.of(domains.findByIdGreaterThanOrderById(Cursor.decode(cursor), Limit.of(limit + 1)),
                limit, Domain::id, DomainResponse::of);
    }

    @Transactional(readOnly = true)
    public DomainResponse get(String name) {
        return DomainResponse.of(find(name).orElseThrow(() ->
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
