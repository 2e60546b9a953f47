package io.mailroom.mailbox.account;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

import org.springframework.dao.DuplicateKeyException;
import org.springframework.http.HttpStatus;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

import io.mailroom.mailbox.blob.Sha256;
import io.mailroom.mailbox.web.ApiProblem;
import io.mailroom.mailbox.web.ProblemCodes;

/**
 * App passwords: several named, revocable secrets per account for mail clients, so a user never types the account
 * password into a phone. Generated here (24 characters, 120 bits), shown once, stored as a SHA-256.
 */
@Service
public class AppPasswordService {

    static final int MAX_PER_ACCOUNT = 50;
    private static final char[] ALPHABET = "abcdefghijkmnpqrstuvwxyz23456789".toCharArray();
    private static final SecureRandom RANDOM = new SecureRandom();

    public record CreateAppPasswordRequest(@NotBlank @Size(max = 100) String name) {
    }

    /** @param password the secret, in the answer to its creation only */
    public record AppPasswordResponse(long id, String name, Instant createdAt, Instant lastUsedAt, String password) {
    }

    private final JdbcClient jdbc;

    AppPasswordService(JdbcClient jdbc) {
        this.jdbc = jdbc;
    }

    public AppPasswordResponse create(long accountId, String name) {
        long count = jdbc.sql("SELECT count(*) FROM app_passwords WHERE account_id = ?").param(accountId).query(Long.class).single();
        if (count >= MAX_PER_ACCOUNT) {
            throw ApiProblem.validation("an account has at most " + MAX_PER_ACCOUNT + " app passwords");
        }
        StringBuilder secret = new StringBuilder();
        for (int i = 0; i < 24; i++) {
            if (i > 0 && i % 4 == 0) {
                secret.append('-');
            }
            secret.append(ALPHABET[RANDOM.nextInt(ALPHABET.length)]);
        }
        try {
            return jdbc.sql("""
                            INSERT INTO app_passwords (account_id, name, secret_sha256) VALUES (?, ?, ?)
                            RETURNING id, name, created_at""")
                    .params(accountId, name.strip(), digest(secret.toString()))
                    .query((rs, row) -> new AppPasswordResponse(rs.getLong("id"), rs.getString("name"),
                            rs.getTimestamp("created_at").toInstant(), null, secret.toString()))
                    .single();
        } catch (DuplicateKeyException e) {
            throw new ApiProblem(HttpStatus.CONFLICT, ProblemCodes.APP_PASSWORD_EXISTS, "an app password named " + name + " exists");
        }
    }

    public List<AppPasswordResponse> list(long accountId) {
        return jdbc.sql("SELECT id, name, created_at, last_used_at FROM app_passwords WHERE account_id = ? ORDER BY id")
                .param(accountId)
                .query((rs, row) -> new AppPasswordResponse(rs.getLong("id"), rs.getString("name"),
                        rs.getTimestamp("created_at").toInstant(),
                        rs.getTimestamp("last_used_at") == null ? null : rs.getTimestamp("last_used_at").toInstant(), null))
                .list();
    }

    public void revoke(long accountId, long id) {
        if (jdbc.sql("DELETE FROM app_passwords WHERE account_id = ? AND id = ?").params(accountId, id).update() == 0) {
            throw ApiProblem.notFound(ProblemCodes.NOT_FOUND, "no app password " + id);
        }
    }

    /** Whether the password is one of the account's app passwords; notes its use. */
    boolean matches(long accountId, String password) {
        if (password == null || password.length() > 64) {
            return false;
        }
        Optional<Long> id = jdbc.sql("""
                        UPDATE app_passwords SET last_used_at = now()
                         WHERE account_id = ? AND secret_sha256 = ?
                        RETURNING id""")
                .params(accountId, digest(password))
                .query(Long.class)
                .optional();
        return id.isPresent();
    }

    /** Spaces, dashes and case are not part of the secret: clients and people write it in many ways. */
    private static String digest(String secret) {
        String normalized = secret.replaceAll("[\\s-]", "").toLowerCase(Locale.ROOT);
        return Sha256.hex(normalized.getBytes(StandardCharsets.UTF_8));
    }
}
