package io.mailroom.imap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

import io.mailroom.imap.server.ImapListener;
import io.mailroom.imap.support.RealMailboxApi;
import io.mailroom.mailbox.client.store.FlagUpdate;
import io.mailroom.mailbox.client.store.MailboxInfo;
import io.mailroom.mailbox.client.store.MessageMetadata;
import io.mailroom.mailbox.client.store.UidSet;
import io.mailroom.protocol.tls.TlsMaterial;

/**
 * Real IMAP clients through the running gateway over the real mailbox-api: curl, imapflow (Node) and mbsync (isync).
 * The tools are part of the build machine (.ci/run installs isync; imapflow is installed by this test with npm ci
 * from src/test/node/package-lock.json into target/).
 */
@SpringBootTest(properties = {
        "mailroom.imap.imap.host=127.0.0.1",
        "mailroom.imap.imap.port=0",
        "mailroom.imap.imaps.host=127.0.0.1",
        "mailroom.imap.imaps.port=0",
        "mailroom.imap.hello-name=localhost",
        "mailroom.imap.event-poll-interval=250ms",
        "mailroom.tls.self-signed-directory=target/test-tls"})
class RealClientsIT {

    static final RealMailboxApi MAILBOX_API = RealMailboxApi.shared();
    static final String DOMAIN = RealMailboxApi.uniqueDomain("clients");

    @DynamicPropertySource
    static void mailboxApi(DynamicPropertyRegistry registry) {
        registry.add("mailroom.mailbox-api.base-url", MAILBOX_API::baseUrl);
        registry.add("mailroom.internal.token", MAILBOX_API::internalToken);
    }

    @Autowired
    TlsMaterial tls;

    @Autowired
    @Qualifier("imapsListener")
    ImapListener imaps;

    String alice;
    String password;
    MailboxInfo inbox;

    @BeforeEach
    void aliceHasTwoMessages() {
        alice = "alice-" + System.nanoTime() + "@" + DOMAIN;
        password = RealMailboxApi.strongPassword();
        MAILBOX_API.createAccount(alice, password, false);
        inbox = MAILBOX_API.store().mailboxByName(alice, "INBOX").orElseThrow();
        file(inbox, "first");
        file(inbox, "second");
    }

    @Test
    void curlListsFetchesAndSearches() throws Exception {
        String base = "imaps://127.0.0.1:" + imaps.port() + "/";
        assertThat(run(List.of("curl", "-sS", "-k", "--max-time", "20", "-u", alice + ":" + password, base)))
                .contains("INBOX").contains("Sent").contains("Archive");
        assertThat(run(List.of("curl", "-sS", "-k", "--max-time", "20", "-u", alice + ":" + password, base + "INBOX;UID=2")))
                .contains("Subject: second").contains("Hi Alice");
        assertThat(run(List.of("curl", "-sS", "-k", "--max-time", "20", "-u", alice + ":" + password, base + "INBOX?SUBJECT%20first")))
                .contains("* SEARCH 1");
    }

    @Test
    void imapflowReadsWritesAndIdles() throws Exception {
        Path dir = Path.of("target/real-clients");
        Files.createDirectories(dir);
        for (String file : List.of("package.json", "package-lock.json", "imapflow-client.mjs")) {
            Files.copy(Path.of("src/test/node").resolve(file), dir.resolve(file), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        if (!Files.isDirectory(dir.resolve("node_modules/imapflow"))) {
            run(dir, List.of("npm", "ci", "--no-audit", "--no-fund"), Duration.ofMinutes(5));
        }
        Process node = new ProcessBuilder("node", "imapflow-client.mjs", "127.0.0.1", Integer.toString(imaps.port()), alice, password)
                .directory(dir.toFile())
                .redirectErrorStream(true)
                .start();
        List<String> lines = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                lines.add(line);
                if (line.equals("IDLING")) {
                    file(inbox, "while idling");
                }
            }
        }
        assertThat(node.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(node.exitValue()).as(String.join("\n", lines)).isZero();
        assertThat(lines).as(String.join("\n", lines))
                .anyMatch(line -> line.startsWith("LIST ") && line.contains("INBOX") && line.contains("Sent=\\Sent")
                        && line.contains("Trash=\\Trash") && line.contains("Junk=\\Junk"))
                .anyMatch(line -> line.startsWith("EXISTS 2 "))
                .contains("MESSAGE 1 first text/plain", "MESSAGE 2 second text/plain", "SOURCE true", "FLAGGED 1",
                        "APPENDUID 1", "MOVED 1", "EXISTS-EVENT 2", "DONE");
    }

    /** A full two-way sync, a second sync that changes nothing, then a flag change on each side. */
    @Test
    void mbsyncSynchronisesBothWays(@TempDir Path home) throws Exception {
        Path maildir = home.resolve("Mail");
        Path localInbox = maildir.resolve("INBOX");
        for (String sub : List.of("cur", "new", "tmp")) {
            Files.createDirectories(localInbox.resolve(sub));
        }
        Files.writeString(localInbox.resolve("new/1700000000.local.host"),
                "From: carol@example.net\r\nTo: " + alice + "\r\nSubject: local\r\nMessage-ID: <local@example.net>\r\n\r\nfrom the laptop\r\n");
        Path certificate = home.resolve("gateway.pem");
        Files.writeString(certificate, "-----BEGIN CERTIFICATE-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(tls.certificate().getEncoded())
                + "\n-----END CERTIFICATE-----\n");
        Path config = home.resolve("mbsyncrc");
        Files.writeString(config, String.join("\n",
                "IMAPAccount gateway",
                "Host localhost",
                "Port " + imaps.port(),
                "User " + alice,
                "Pass " + password,
                "SSLType IMAPS",
                "CertificateFile " + certificate,
                "SystemCertificates no",
                "",
                "IMAPStore remote",
                "Account gateway",
                "",
                "MaildirStore local",
                "Path " + maildir + "/",
                "Inbox " + localInbox,
                "SubFolders Verbatim",
                "",
                "Channel mail",
                "Far :remote:",
                "Near :local:",
                "Patterns INBOX",
                "Create Both",
                "SyncState *",
                ""));
        List<String> mbsync = List.of("mbsync", "-c", config.toString(), "-a");

        run(home, mbsync, Duration.ofMinutes(1));
        assertThat(localMessages(localInbox)).hasSize(3);
        List<MessageMetadata> remote = remoteInbox();
        assertThat(remote).hasSize(3);

        long modSeqBefore = MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow().highestModSeq();
        List<Path> filesBefore = localMessages(localInbox);
        run(home, mbsync, Duration.ofMinutes(1));
        assertThat(MAILBOX_API.store().mailbox(alice, inbox.id()).orElseThrow().highestModSeq())
                .as("the second sync changes nothing on the server").isEqualTo(modSeqBefore);
        assertThat(localMessages(localInbox)).as("nor locally").isEqualTo(filesBefore);

        // a flag on each side: \Flagged on the server's first message, \Seen (maildir "S") on the local one
        MAILBOX_API.store().updateFlags(alice, inbox.id(), UidSet.of(1), FlagUpdate.add("\\Flagged"), null);
        Path local = filesBefore.stream().filter(path -> read(path).contains("Subject: local")).findFirst().orElseThrow();
        Path seen = local.resolveSibling(local.getFileName().toString().replaceFirst(":2,.*$", "") + ":2,S");
        Files.move(local, localInbox.resolve("cur").resolve(seen.getFileName()));
        run(home, mbsync, Duration.ofMinutes(1));

        assertThat(remoteInbox()).filteredOn(message -> message.hasFlag("\\Seen")).singleElement()
                .satisfies(message -> assertThat(message.uid()).isEqualTo(3));
        assertThat(localMessages(localInbox)).filteredOn(path -> read(path).contains("Subject: first")).singleElement()
                .satisfies(path -> assertThat(path.getFileName().toString()).matches(".*:2,[A-Z]*F[A-Z]*"));
    }

    private List<MessageMetadata> remoteInbox() {
        return MAILBOX_API.store().fetchAll(alice, inbox.id(), UidSet.all(), io.mailroom.mailbox.client.store.FetchOptions.metadata());
    }

    private static List<Path> localMessages(Path maildir) throws IOException {
        List<Path> files = new ArrayList<>();
        for (String sub : List.of("cur", "new")) {
            try (Stream<Path> listed = Files.list(maildir.resolve(sub))) {
                listed.forEach(files::add);
            }
        }
        files.sort(null);
        return files;
    }

    private static String read(Path path) {
        try {
            return Files.readString(path);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private void file(MailboxInfo mailbox, String subject) {
        byte[] bytes = ("From: bob@example.net\r\nTo: " + alice + "\r\nSubject: " + subject + "\r\nMessage-ID: <"
                + subject.replace(' ', '-') + "@example.net>\r\n\r\nHi Alice\r\n").getBytes(StandardCharsets.US_ASCII);
        MAILBOX_API.store().append(alice, mailbox.id(), new ByteArrayInputStream(bytes), bytes.length, Set.of(), null);
    }

    private static String run(List<String> command) throws Exception {
        return run(Path.of("."), command, Duration.ofSeconds(30));
    }

    private static String run(Path directory, List<String> command, Duration timeout) throws Exception {
        Process process = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true).start();
        byte[] output = process.getInputStream().readAllBytes();
        assertThat(process.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)).as(command + " finished").isTrue();
        String text = new String(output, StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as(command + ":\n" + text).isZero();
        return text;
    }
}
