package io.mailroom.mailbox.alias;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.account.EmailAddress;
import io.mailroom.mailbox.domain.Domain;
import io.mailroom.mailbox.domain.DomainService;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.Cursor;
import io.mailroom.mailbox.web.PageResponse;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * Aliases: an address of one of our domains that delivers to one or more local accounts, other aliases, or external
 * addresses. An alias never shadows an account: the address must be free.
 */
@Service
public class AliasService {

    public static final int MAX_TARGETS = 100;

    public record AliasRequest(@NotBlank @Size(max = 320) String address,
                               @NotNull @Size(min = 1, max = MAX_TARGETS) List<@NotBlank @Size(max = 320) String> targets) {
    }

    public record TargetsRequest(@NotNull @Size(min = 1, max = MAX_TARGETS) List<@NotBlank @Size(max = 320) String> targets) {
    }

    public record AliasResponse(long id, String address, List<String> targets, Instant createdAt) {
    }

    private final JdbcClient jdbc;
    private final DomainService domains;

    AliasService(JdbcClient jdbc, DomainService domains) {
        this.jdbc = jdbc;
        this.domains = domains;
    }

    @Transactional
    public AliasResponse create(AliasRequest request) {
        EmailAddress address = parse(request.address());
        Domain domain = domains.find(address.domain()).orElseThrow(() -> new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT,
                ProblemCodes.DOMAIN_NOT_FOUND, "domain " + address.domain() + " does not exist; create it first"));
        if (jdbc.sql("SELECT count(*) FROM accounts WHERE address = ?").param(address.value()).query(Long.class).single() > 0) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.ADDRESS_TAKEN, address + " is an account");
        }
        String[] targets = targets(request.targets(), address.value());
        try {
            long id = jdbc.sql("INSERT INTO aliases (domain_id, address, targets) VALUES (?, ?, ?) RETURNING id")
                    .params(domain.id(), address.value(), targets)
                    .query(Long.class)
                    .single();
            return find(id).orElseThrow();
        } catch (DuplicateKeyException e) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.ALIAS_EXISTS, "alias " + address + " exists already");
        }
    }

    @Transactional
    public AliasResponse replaceTargets(String rawAddress, TargetsRequest request) {
        AliasResponse alias = require(rawAddress);
        jdbc.sql("UPDATE aliases SET targets = ? WHERE id = ?")
                .params(targets(request.targets(), alias.address()), alias.id())
                .update();
        return find(alias.id()).orElseThrow();
    }

    @Transactional
    public void delete(String rawAddress) {
        AliasResponse alias = require(rawAddress);
        jdbc.sql("DELETE FROM aliases WHERE id = ?").param(alias.id()).update();
    }

    public AliasResponse require(String rawAddress) {
        return jdbc.sql(SELECT + " WHERE address = ?").param(EmailAddress.normalize(rawAddress))
                .query((rs, row) -> response(rs)).optional()
                .orElseThrow(() -> ApiProblem.notFound(ProblemCodes.ALIAS_NOT_FOUND, "no alias " + rawAddress));
    }

    public PageResponse<AliasResponse> list(String domain, int limit, String cursor) {
        long domainId = domain == null ? -1 : domains.find(domain).map(Domain::id).orElse(0L);
        List<AliasResponse> rows = jdbc.sql(SELECT + " WHERE id > ? AND (? < 0 OR domain_id = ?) ORDER BY id LIMIT ?")
                .params(Cursor.decode(cursor), domainId, domainId, limit + 1)
                .query((rs, row) -> response(rs))
                .list();
        return PageResponse.of(rows, limit, AliasResponse::id, r -> r);
    }

    /** The targets of the alias with this (normalized) address, if there is one. */
    public Optional<List<String>> targetsOf(String address) {
        return jdbc.sql("SELECT targets FROM aliases WHERE address = ?").param(address)
                .query((rs, row) -> List.of((String[]) rs.getArray(1).getArray()))
                .optional();
    }

    private Optional<AliasResponse> find(long id) {
        return jdbc.sql(SELECT + " WHERE id = ?").param(id).query((rs, row) -> response(rs)).optional();
    }

    private static String[] targets(List<String> raw, String self) {
        Set<String> targets = new LinkedHashSet<>();
        for (String target : raw) {
            String normalized = parse(target).value();
            if (normalized.equals(self)) {
                throw ApiProblem.validation("an alias cannot deliver to itself");
            }
            targets.add(normalized);
        }
        return targets.toArray(String[]::new);
    }

    private static EmailAddress parse(String raw) {
        try {
            return EmailAddress.parse(raw);
        } catch (IllegalArgumentException e) {
            throw new ApiProblem(HttpStatus.BAD_REQUEST, ProblemCodes.INVALID_ADDRESS, e.getMessage());
        }
    }

    private static final String SELECT = "SELECT id, address, targets, created_at FROM aliases";

    private static AliasResponse response(ResultSet rs) throws SQLException {
        return new AliasResponse(rs.getLong("id"), rs.getString("address"),
                new ArrayList<>(List.of((String[]) rs.getArray("targets").getArray())), rs.getTimestamp("created_at").toInstant());
    }
}
