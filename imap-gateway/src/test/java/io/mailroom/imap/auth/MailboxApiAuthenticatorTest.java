package io.mailroom.imap.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.apache.james.core.Username;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.util.MDCBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.MDC;

import io.mailroom.imap.InMemoryMailboxApi;
class MailboxApiAuthenticatorTest {

    static final Username ALICE = Username.of("alice@example.com");

    InMemoryMailboxApi api = new InMemoryMailboxApi();
    MailboxApiAuthenticator authenticator = new MailboxApiAuthenticator(api);

    @BeforeEach
    void setUp() {
        api.createAccount(ALICE.asString(), "pw");
    }

    @AfterEach
    void clearMdc() {
        MDC.clear();
    }

    @Test
    void acceptsTheRightPasswordAndPassesTheClientAddressFromTheConnectionMdc() throws MailboxException {
        MDC.put(MDCBuilder.IP, "192.0.2.7");
        assertThat(authenticator.isAuthentic(ALICE, "pw")).isTrue();
        assertThat(api.logins()).containsExactly(new InMemoryMailboxApi.Login(ALICE.asString(), "imap", "192.0.2.7"));
    }

    @Test
    void aWrongPasswordIsARefusal() throws MailboxException {
        assertThat(authenticator.isAuthentic(ALICE, "nope")).isFalse();
        assertThat(api.logins()).extracting(InMemoryMailboxApi.Login::remoteIp).containsExactly("unknown");
    }

    @Test
    void anUnreachableMailboxApiIsAnErrorNotARefusal() {
        api.setUnavailable(true);
        assertThatThrownBy(() -> authenticator.isAuthentic(ALICE, "pw")).isInstanceOf(MailboxException.class);
    }

    @Test
    void aTemporaryLockOutIsAnErrorNotARefusal() {
        api.setLockedOut(true);
        assertThatThrownBy(() -> authenticator.isAuthentic(ALICE, "pw")).isInstanceOf(MailboxException.class);
    }
}
