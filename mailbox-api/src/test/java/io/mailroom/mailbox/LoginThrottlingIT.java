package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.test.context.TestPropertySource;

/** Failed logins are delayed, then locked out per account and per client IP, for every protocol alike. */
@TestPropertySource(properties = {"mailroom.login.max-failures-per-account=3", "mailroom.login.max-failures-per-ip=6",
        "mailroom.login.delay-step=100ms", "mailroom.login.max-delay=250ms", "mailroom.login.lockout=1h"})
class LoginThrottlingIT extends MailboxApiITBase {

    @Test
    void locksAnAccountAfterRepeatedFailuresEvenForTheRightPassword() {
        String address = newAccount();

        long started = System.nanoTime();
        for (int i = 0; i < 3; i++) {
            assertThat(login(address, "wrong password", "192.0.2.10").code()).isEqualTo("auth-failed");
        }
        long elapsedMillis = (System.nanoTime() - started) / 1_000_000;
        Response locked = login(address, PASSWORD, "192.0.2.11");

        assertThat(elapsedMillis).as("100 + 200 + 250 ms of delay").isGreaterThanOrEqualTo(550);
        assertThat(locked.status()).isEqualTo(401);
        assertThat(locked.code()).isEqualTo("auth-locked");
        assertThat(locked.json().path("temporary").asBoolean()).isTrue();
        assertThat(Long.parseLong(locked.header("Retry-After"))).isGreaterThan(3000);
        assertThat(get("/api/v1/accounts/" + address, basic(address, PASSWORD)).status()).as("HTTP Basic too").isEqualTo(401);
    }

    @Test
    void locksAClientIpThatGuessesAtManyAccounts() {
        String domain = newDomain();
        String victim = newAccount(domain, "victim");
        for (int i = 0; i < 6; i++) {
            login("nobody" + i + "@" + domain, "guess", "203.0.113.66");
        }

        Response fromGuesser = login(victim, PASSWORD, "203.0.113.66");
        Response fromElsewhere = login(victim, PASSWORD, "203.0.113.67");

        assertThat(fromGuesser.code()).isEqualTo("auth-locked");
        assertThat(fromElsewhere.status()).as("the account itself is not locked").isEqualTo(200);
    }

    @Test
    void aSuccessClearsTheAccountsFailures() {
        String address = newAccount();
        login(address, "wrong", "192.0.2.20");
        login(address, "wrong", "192.0.2.20");

        assertThat(login(address, PASSWORD, "192.0.2.20").status()).isEqualTo(200);
        login(address, "wrong", "192.0.2.20");
        login(address, "wrong", "192.0.2.20");

        assertThat(login(address, PASSWORD, "192.0.2.20").status()).as("two failures again, not four").isEqualTo(200);
    }

    private Response login(String address, String password, String ip) {
        return post("/internal/v1/authentications", internal(),
                Map.of("username", address, "password", password, "protocol", "imap", "remoteIp", ip));
    }
}
