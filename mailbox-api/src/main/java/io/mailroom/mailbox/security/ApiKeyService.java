package io.mailroom.mailbox.security;

import java.security.SecureRandom;
import java.sql.Array;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;
import org.springframework.transaction.annotation.Transactional;

import io.mailroom.mailbox.account.EmailAddress;
import io.mailroom.mailbox.blob.Sha256;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.Cursor;
import io.mailroom.mailbox.web.PageResponse;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * API keys: {@code mrk_<id>_<secret>}, shown once at creation and stored as the SHA-256 of the secret (160 random bits:
 * a fast hash is enough, and checking one costs one indexed lookup). Scoped to admin, to a set of accounts, or to the
 * gateway role; revocable.
 */
@Service
public class ApiKeyService {

    public static final String PREFIX = "mrk_";
    private static final Pattern FORMAT = Pattern.compile("mrk_(\\d{1,18})_([0-9a-f]{40})");
    private static final SecureRandom RANDOM = new SecureRandom();

    public enum Scope {
        ADMIN, ACCOUNTS, GATEWAY
    }

    /**
     * @param accounts for {@link Scope#ACCOUNTS}: the addresses of the accounts it may use
     */
    public record CreateApiKeyRequest(@NotBlank @Size(max = 200) String name, @NotNull Scope scope,
                                      @Size(max = 1000) List<@NotBlank String> accounts) {
    }

    /** A key as listed; {@code key} (the secret) only in the answer to its creation. */
    public record ApiKeyResponse(long id, String name, Scope scope, List<String> accounts, Instant createdAt,
                                 Instant revokedAt, Instant lastUsedAt, String key) {
    }

    private final JdbcClient jdbc;

    ApiKeyService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    @Transactional
    public ApiKeyResponse create(CreateApiKeyRequest request) {
        List<Long> accountIds = new ArrayList<>();
        if (request.scope() == Scope.ACCOUNTS) {
            if (request.accounts() == null || request.accounts().isEmpty()) {
                throw ApiProblem.validation("an ACCOUNTS key names at least one account");
            }
            for (String address : request.accounts()) {
                accountIds.add(jdbc.sql("SELECT id FROM accounts WHERE address = ?").param(EmailAddress.normalize(address))
                        .query(Long.class).optional()
                        .orElseThrow(() -> new ApiProblem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemCodes.ACCOUNT_NOT_FOUND,
                                "no account " + address)));
            }
        } else if (request.accounts() != null && !request.accounts().isEmpty()) {
            throw ApiProblem.validation("only an ACCOUNTS key names accounts");
        }
        byte[] secret = new byte[20];
        RANDOM.nextBytes(secret);
        String secretHex = HexFormat.of().formatHex(secret);
        long id = jdbc.sql("""
                        INSERT INTO api_keys (name, secret_sha256, scope, account_ids) VALUES (?, ?, ?, ?)
                        RETURNING id""")
                .params(request.name().strip(), Sha256.hex(secretHex.getBytes(java.nio.charset.StandardCharsets.US_ASCII)),
                        request.scope().name(), accountIds.toArray(Long[]::new))
                .query(Long.class)
                .single();
        ApiKeyResponse stored = get(id);
        return new ApiKeyResponse(stored.id(), stored.name(), stored.scope(), stored.accounts(), stored.createdAt(), null,
                null, PREFIX + id + "_" + secretHex);
    }

    public PageResponse<ApiKeyResponse> list(int limit, String cursor) {
        List<ApiKeyResponse> rows = jdbc.sql(SELECT + " WHERE k.id > ? ORDER BY k.id LIMIT ?")
                .params(Cursor.decode(cursor), limit + 1)
                .query((rs, row) -> response(rs))
                .list();
        return PageResponse.of(rows, limit, ApiKeyResponse::id, r -> r);
    }

    public ApiKeyResponse get(long id) {
        return jdbc.sql(SELECT + " WHERE k.id = ?").param(id).query((rs, row) -> response(rs)).optional()
                .orElseThrow(() -> ApiProblem.notFound(ProblemCodes.NOT_FOUND, "no API key " + id));
    }

    @Transactional
    public void revoke(long id) {
        get(id);
        jdbc.sql("UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = ?").param(id).update();
    }

    /** The caller a presented key stands for; empty when it is malformed, unknown, revoked or wrong. */
    public Optional<Caller> authenticate(String token) {
        Matcher matcher = FORMAT.matcher(token);
        if (!matcher.matches()) {
            return Optional.empty();
        }
        long id = Long.parseLong(matcher.group(1));
        record Stored(String hash, Scope scope, Set<Long> accounts) {
        }
        Optional<Stored> stored = jdbc.sql("SELECT secret_sha256, scope, account_ids FROM api_keys WHERE id = ? AND revoked_at IS NULL")
                .param(id)
                .query((rs, row) -> new Stored(rs.getString(1), Scope.valueOf(rs.getString(2)), Set.of((Long[]) rs.getArray(3).getArray())))
                .optional();
        String presented = Sha256.hex(matcher.group(2).getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        if (stored.isEmpty() || !java.security.MessageDigest.isEqual(stored.get().hash().getBytes(), presented.getBytes())) {
            return Optional.empty();
        }
        // at most one write a minute per key, not one per request
        jdbc.sql("UPDATE api_keys SET last_used_at = now() WHERE id = ? AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')")
                .param(id).update();
        return Optional.of(switch (stored.get().scope()) {
            case ADMIN -> new Caller.Admin(false);
            case GATEWAY -> new Caller.Service();
            case ACCOUNTS -> new Caller.AccountsKey(id, stored.get().accounts());
        });
    }

    private static final String SELECT = """
            SELECT k.id, k.name, k.scope, k.created_at, k.revoked_at, k.last_used_at,
                   ARRAY(SELECT a.address FROM accounts a WHERE a.id = ANY(k.account_ids) ORDER BY a.address) AS accounts
              FROM api_keys k""";

    private static ApiKeyResponse response(ResultSet rs) throws SQLException {
        Array accounts = rs.getArray("accounts");
        return new ApiKeyResponse(rs.getLong("id"), rs.getString("name"), Scope.valueOf(rs.getString("scope")),
                List.of((String[]) accounts.getArray()), rs.getTimestamp("created_at").toInstant(),
                rs.getTimestamp("revoked_at") == null ? null : rs.getTimestamp("revoked_at").toInstant(),
                rs.getTimestamp("last_used_at") == null ? null : rs.getTimestamp("last_used_at").toInstant(), null);
    }
}
