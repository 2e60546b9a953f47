package io.mailroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Map;

import org.junit.jupiter.api.Test;

/**
 * The gateways' calls on a mailbox resolve their account through the address → id map of
 * {@code AccountService.requireId}: an unknown account answers exactly as before (404 {@code account-not-found}, ahead
 * of any other problem of the request, before an APPEND's body is read); a known one is looked up once and then
 * remembered, until a call on it answers 404.
 */
class GatewayAccountIdsIT extends MailboxApiITBase {

    @Test
    void anUnknownAccountIsNotFoundAheadOfEveryOtherProblem() {
        String nobody = "nobody-" + System.nanoTime() + "@example.org";
        String base = "/internal/v1/accounts/" + segment(nobody) + "/mailboxes/1";
        for (int attempt = 0; attempt < 2; attempt++) { // the second time too: an unknown address is never remembered
            assertThat(post(base + "/messages/fetch", internal(), Map.of("uids", "not a set")).code())
                    .isEqualTo("account-not-found");
            assertThat(post(base + "/flags", internal(), Map.of("uids", "1:x", "mode", "ADD", "flags", java.util.List.of("\\Seen"))).code())
                    .isEqualTo("account-not-found");
            assertThat(post(base + "/expunge", internal(), Map.of("uidSet", "::")).code()).isEqualTo("account-not-found");
            assertThat(post(base + "/copy", internal(), Map.of("uids", "x", "to", 2)).code()).isEqualTo("account-not-found");
            assertThat(post(base + "/search", internal(), Map.of("criterion", Map.of("type", "header", "name", "bad name", "contains", "x"))).code())
                    .isEqualTo("account-not-found");
            assertThat(get(base, internal()).code()).isEqualTo("account-not-found");
            assertThat(get("/internal/v1/accounts/" + segment(nobody) + "/mailboxes/by-name?name=INBOX", internal()).code())
                    .isEqualTo("account-not-found");
        }
    }

    @Test
    void anAppendToAnUnknownAccountIsRefusedBeforeItsBodyIsRead() throws Exception {
        String nobody = "nobody-" + System.nanoTime() + "@example.org";
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            // announces 50 MB and sends none of it: only an answer given before reading the body can arrive
            out.write(("POST /internal/v1/accounts/" + segment(nobody) + "/mailboxes/1/messages HTTP/1.1\r\n"
                    + "Host: 127.0.0.1\r\nAuthorization: " + internal() + "\r\nContent-Type: message/rfc822\r\n"
                    + "Content-Length: 52428800\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1));
            String status = in.readLine();
            StringBuilder rest = new StringBuilder();
            for (String line = in.readLine(); line != null && rest.length() < 4000; line = in.readLine()) {
                rest.append(line).append('\n');
                if (line.contains("account-not-found")) {
                    break;
                }
            }
            assertThat(status).startsWith("HTTP/1.1 404");
            assertThat(rest.toString()).contains("account-not-found");
        }
    }

    @Test
    void aKnownAccountIsRememberedUntilACallOnItAnswers404() {
        String account = newAccount();
        long inbox = mailboxId(account, "INBOX");
        String fetch = "/internal/v1/accounts/" + segment(account) + "/mailboxes/" + inbox + "/messages/fetch";
        assertThat(post(fetch, internal(), Map.of("uids", "1:*")).status()).isEqualTo(200);

        // the address stops naming the account (accounts never change address: this stands for an account gone)
        jdbc.sql("UPDATE accounts SET address = 'gone-' || address WHERE address = ?").param(account).update();
        assertThat(post(fetch, internal(), Map.of("uids", "1:*")).status())
                .as("the id remembered from the first call, no new look-up").isEqualTo(200);

        Response missing = post("/internal/v1/accounts/" + segment(account) + "/mailboxes/0/messages/fetch", internal(),
                Map.of("uids", "1:*"));
        assertThat(missing.code()).isEqualTo("mailbox-not-found");
        assertThat(post(fetch, internal(), Map.of("uids", "1:*")).code())
                .as("a 404 made it look the address up again").isEqualTo("account-not-found");
    }
}
