package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.protocol.tls.TlsMaterial;

/** mailbox-api cannot be reached (nothing listens where it should be): the client is told so, not that its password is wrong. */
@SpringBootTest(properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.mailbox-api.base-url=http://127.0.0.1:1",
        "mailroom.mailbox-api.connect-timeout=500ms",
        "mailroom.internal.token=unused",
        "mailroom.tls.self-signed-directory=target/test-tls"})
class ImapUnavailableIT {

    @Autowired
    TlsMaterial tls;

    @Autowired
    @Qualifier("imapsListener")
    ImapListener imaps;

    @Test
    void unreachableMailboxApiIsUnavailableNotAWrongPassword() throws Exception {
        try (ImapClient client = ImapClient.implicitTls(imaps.port(), tls)) {
            client.readLine();
            assertThat(client.status("LOGIN alice@example.com \"a password\"")).startsWith("a1 NO [UNAVAILABLE] LOGIN");
            assertThat(client.status("NOOP")).startsWith("a2 OK");
        }
    }
}
