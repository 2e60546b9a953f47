package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;

/**
 * Credentials through the gateways' check and HTTP Basic: imported Dovecot hashes (upgraded to bcrypt at the first
 * login), app passwords (shown once, revocable, any spelling), and a disabled account.
 */
class CredentialsIT extends MailboxApiITBase {

    private static final String ARGON2ID = "{ARGON2ID}$argon2id$v=19$m=65536,t=3,p=1$+CnF1H10RSnItIdwiFTHjQ$7lywE0ZZyBiNb6ydlD9EpmhCMNgT+I/Zgc3kb1J2Fp8";
    private static final String SHA512_CRYPT = "{SHA512-CRYPT}$6$rounds=10000$XeyEDL3D64.9gzHJ$0I.RmTQjhs45PtDPsTKterdv2ZC61smyAK/m19q4GNiz1HhX4rmcYFCyV29LNte6ecWU9W/bnPQMEf/d1n5Sv0";
    private static final String BLF_CRYPT = "{BLF-CRYPT}$2y$05$wotRs.7ZxLaXm3wQX0NK5.no8zQF6DeztIY9AvFqIyQmPe2TPwxEu";

    @Test
    void importsDovecotHashesAndUpgradesThemAtTheFirstLogin() {
        String domain = newDomain();
        for (String hash : List.of(ARGON2ID, SHA512_CRYPT, BLF_CRYPT)) {
            String address = "imported" + Math.abs(hash.hashCode()) + "@" + domain;
            Response created = post("/api/v1/accounts", admin(), Map.of("address", address, "passwordHash", hash));
            assertThat(created.status()).as(created.text()).isEqualTo(201);

            Response login = post("/internal/v1/authentications", internal(), Map.of("username", address, "password", PASSWORD));

            assertThat(login.status()).as(hash).isEqualTo(200);
            String stored = jdbc.sql("SELECT password_hash FROM accounts WHERE address = ?").param(address).query(String.class).single();
            assertThat(stored).as("now bcrypt of our own cost").startsWith("{BLF-CRYPT}$2a$10$");
            assertThat(post("/internal/v1/authentications", internal(), Map.of("username", address, "password", PASSWORD)).status())
                    .isEqualTo(200);
            assertThat(post("/internal/v1/authentications", internal(), Map.of("username", address, "password", "wrong horse")).status())
                    .isEqualTo(401);
        }
    }

    @Test
    void refusesBadImportsAndAmbiguousRequests() {
        String domain = newDomain();

        Response unknownScheme = post("/api/v1/accounts", admin(), Map.of("address", "a@" + domain, "passwordHash", "{PLAIN}x"));
        Response both = post("/api/v1/accounts", admin(), Map.of("address", "b@" + domain, "password", PASSWORD, "passwordHash", BLF_CRYPT));
        Response neither = post("/api/v1/accounts", admin(), Map.of("address", "c@" + domain));

        assertThat(unknownScheme.status()).isEqualTo(400);
        assertThat(both.status()).isEqualTo(400);
        assertThat(neither.status()).isEqualTo(400);
        assertThat(jdbc.sql("SELECT count(*) FROM accounts WHERE address LIKE ?").param("%@" + domain).query(Long.class).single()).isZero();
    }

    @Test
    void appPasswordsLogInUntilRevoked() {
        String address = newAccount();

        Response created = post("/api/v1/accounts/" + address + "/app-passwords", basic(address, PASSWORD), Map.of("name", "phone"));
        String secret = created.json().path("password").asString();
        long id = created.json().path("id").asLong();
        Response duplicate = post("/api/v1/accounts/" + address + "/app-passwords", basic(address, PASSWORD), Map.of("name", "phone"));
        Response listed = get("/api/v1/accounts/" + address + "/app-passwords", basic(address, PASSWORD));

        assertThat(created.status()).isEqualTo(201);
        assertThat(secret).matches("[a-z2-9]{4}(-[a-z2-9]{4}){5}");
        assertThat(duplicate.code()).isEqualTo("app-password-exists");
        JsonNode entry = listed.json().get(0);
        assertThat(entry.path("name").asString()).isEqualTo("phone");
        assertThat(entry.path("password").isNull()).as("never shown again").isTrue();
        assertThat(login(address, secret)).isEqualTo(200);
        assertThat(login(address, secret.replace("-", "").toUpperCase())).as("any spelling").isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + address, basic(address, secret)).status()).as("HTTP Basic too").isEqualTo(200);
        assertThat(get("/api/v1/accounts/" + address + "/app-passwords", basic(address, PASSWORD)).json().get(0)
                .path("lastUsedAt").isNull()).isFalse();

        assertThat(send("DELETE", "/api/v1/accounts/" + address + "/app-passwords/" + id, basic(address, PASSWORD), null, null).status())
                .isEqualTo(204);
        assertThat(login(address, secret)).isEqualTo(401);
        assertThat(login(address, PASSWORD)).as("the account password is untouched").isEqualTo(200);
    }

    @Test
    void adminsDisableAccountsAndOwnersCannot() {
        String address = newAccount();

        Response byOwner = send("PATCH", "/api/v1/accounts/" + address, basic(address, PASSWORD), "application/json",
                json.writeValueAsBytes(Map.of("enabled", false)));
        Response rename = send("PATCH", "/api/v1/accounts/" + address, basic(address, PASSWORD), "application/json",
                json.writeValueAsBytes(Map.of("displayName", "Me")));
        Response byAdmin = send("PATCH", "/api/v1/accounts/" + address, admin(), "application/json",
                json.writeValueAsBytes(Map.of("enabled", false)));

        assertThat(byOwner.status()).isEqualTo(403);
        assertThat(rename.json().path("displayName").asString()).isEqualTo("Me");
        assertThat(byAdmin.json().path("enabled").asBoolean()).isFalse();
        assertThat(login(address, PASSWORD)).isEqualTo(401);
        assertThat(get("/internal/v1/recipients?address=" + address, internal()).json().path("status").asString())
                .isEqualTo("UNKNOWN_USER");
    }

    private int login(String address, String password) {
        return post("/internal/v1/authentications", internal(), Map.of("username", address, "password", password, "protocol", "imap",
                "remoteIp", "198.51.100.7")).status();
    }
}
