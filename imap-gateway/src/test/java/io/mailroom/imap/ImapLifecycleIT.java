package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.Set;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * The service as a whole process would run it: started, used, and closed; with plaintext login allowed,
 * as the single-machine default sets it.
 */
class ImapLifecycleIT {

    @Test
    void plaintextLoginWhenAllowedAndNoThreadLeftAfterClose() throws Exception {
        RealMailboxApi mailboxApi = RealMailboxApi.shared();
        String alice = "alice@" + RealMailboxApi.uniqueDomain("life");
        String password = RealMailboxApi.strongPassword();
        mailboxApi.createAccount(alice, password, false);
        Set<Thread> before = nonDaemonThreads();
        ConfigurableApplicationContext context = new SpringApplicationBuilder(ImapGatewayApplication.class)
                // arguments, not default properties: these must win over application.yml
                .run("--server.port=0",
                        "--mailroom.imap.imap.host=127.0.0.1",
                        "--mailroom.imap.imap.port=0",
                        "--mailroom.imap.imaps.host=127.0.0.1",
                        "--mailroom.imap.imaps.port=0",
                        "--mailroom.imap.allow-plaintext-auth=true",
                        "--mailroom.tls.self-signed-directory=target/test-tls",
                        "--mailroom.mailbox-api.base-url=" + mailboxApi.baseUrl(),
                        "--mailroom.internal.token=" + mailboxApi.internalToken());
        try {
            ImapListener imap = context.getBean("imapListener", ImapListener.class);
            ImapListener imaps = context.getBean("imapsListener", ImapListener.class);

            try (ImapClient client = ImapClient.plain(imap.port())) {
                assertThat(client.readLine()).startsWith("* OK ");
                assertThat(client.command("CAPABILITY").getFirst())
                        .contains(" STARTTLS", " AUTH=PLAIN")
                        .doesNotContain("LOGINDISABLED");
                assertThat(client.status("LOGIN " + alice + " " + password)).startsWith("a2 OK");
                assertThat(client.command("SELECT INBOX").getLast()).startsWith("a3 OK [READ-WRITE]");
                // an open session while the context closes: closing must not wait for it, nor leave it behind
                try (ImapClient secure = ImapClient.implicitTls(imaps.port(), context.getBean(TlsMaterial.class))) {
                    assertThat(secure.readLine()).startsWith("* OK ");
                    assertThat(nonDaemonThreadsBesides(before)).as("the listeners run threads of their own").isNotEmpty();
                    context.close();
                    // each quiet session is told why it goes (RFC 9051 §7.1.5), then closed
                    assertThat(client.readLine()).isEqualTo("* BYE [UNAVAILABLE] Server shutting down");
                    assertThat(client.closedByServer()).isTrue();
                    assertThat(secure.readLine()).isEqualTo("* BYE [UNAVAILABLE] Server shutting down");
                    assertThat(secure.closedByServer()).isTrue();
                }
            }
        } finally {
            context.close();
        }
        await().atMost(Duration.ofSeconds(20)).pollInSameThread()
                .untilAsserted(() -> assertThat(nonDaemonThreadsBesides(before)).isEmpty());
    }

    private static Set<String> nonDaemonThreadsBesides(Set<Thread> before) {
        return nonDaemonThreads().stream()
                .filter(thread -> !before.contains(thread))
                .map(Thread::getName)
                .collect(Collectors.toSet());
    }

    private static Set<Thread> nonDaemonThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(Thread::isAlive)
                .filter(thread -> !thread.isDaemon())
                .collect(Collectors.toSet());
    }
}
