package io.mailroom.pop3;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

import org.eclipse.angus.mail.pop3.POP3Folder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;

/**
 * Real POP3 clients against pop3-gateway from its runnable jar over the real mailbox-api: curl, Python's poplib,
 * fetchmail, getmail and Angus (Jakarta) Mail, each as a user would set it up, over plaintext on loopback, STLS
 * and implicit TLS (trusting the gateway's self-signed certificate), leaving mail on the server and deleting it.
 *
 * <p>The clients must be installed (CI: {@code apt-get install -y curl python3 fetchmail getmail6}); a missing
 * one fails the test rather than skipping it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RealClientsIT {

    static final Duration CLIENT_TIMEOUT = Duration.ofSeconds(90);

    RealStack stack;
    RealStack.Gateway gateway;
    Path certificate;
    Path work;
    final AtomicInteger accounts = new AtomicInteger();

    @BeforeAll
    void start() throws Exception {
        stack = RealStack.start("real-clients");
        gateway = stack.startGateway(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"), Map.of());
        certificate = stack.tlsDirectory().resolve("selfsigned-certificate.pem");
        work = Files.createDirectories(stack.data().resolve("clients"));
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
    }

    @Test
    void curlListsAndRetrievesOverPlaintextStlsAndImplicitTls() throws Exception {
        String user = newAccount();
        byte[] first = Pop3OverMailboxApiIT.message("curl one", "first body\r\n.dotted line\r\n");
        byte[] second = Pop3OverMailboxApiIT.message("curl two", "second body\r\n");
        stack.deliver(user, first);
        stack.deliver(user, second);
        String credentials = user + ":" + RealStack.PASSWORD;

        Result list = run(List.of("curl", "-sS", "--max-time", "60", "pop3://127.0.0.1:" + gateway.pop3() + "/", "-u", credentials));
        assertThat(list.exit()).as(list.describe()).isZero();
        assertThat(list.text()).isEqualTo("1 " + first.length + "\r\n2 " + second.length + "\r\n");

        Result plain = run(List.of("curl", "-sS", "--max-time", "60", "pop3://127.0.0.1:" + gateway.pop3() + "/1", "-u", credentials));
        assertThat(plain.exit()).as(plain.describe()).isZero();
        assertThat(plain.stdout()).isEqualTo(first);

        Result stls = run(List.of("curl", "-sS", "--max-time", "60", "--ssl-reqd", "--cacert", certificate.toString(),
                "pop3://localhost:" + gateway.pop3() + "/2", "-u", credentials));
        assertThat(stls.exit()).as(stls.describe()).isZero();
        assertThat(stls.stdout()).isEqualTo(second);

        Result implicit = run(List.of("curl", "-sS", "--max-time", "60", "--cacert", certificate.toString(),
                "--login-options", "AUTH=LOGIN", "pop3s://localhost:" + gateway.pop3s() + "/1", "-u", credentials));
        assertThat(implicit.exit()).as(implicit.describe()).isZero();
        assertThat(implicit.stdout()).isEqualTo(first);
        assertThat(stack.inboxUids(user)).as("curl leaves mail on the server").hasSize(2);
    }

    @Test
    void pythonPoplibOverPlaintextStlsAndImplicitTlsLeavesThenDeletes() throws Exception {
        String user = newAccount();
        byte[] first = Pop3OverMailboxApiIT.message("poplib one", "one\r\n..two dots\r\n");
        stack.deliver(user, first);
        stack.deliver(user, Pop3OverMailboxApiIT.message("poplib two", "two\r\n"));
        String script = """
                import poplib, ssl, sys
                host, port, tls_port, user, password, cafile = sys.argv[1:7]
                context = ssl.create_default_context(cafile=cafile)
                p = poplib.POP3(host, int(port), timeout=30)
                caps = p.capa()
                assert 'STLS' in caps and 'UIDL' in caps and 'TOP' in caps, caps
                p.stls(context)
                assert 'STLS' not in p.capa()
                p.user(user); p.pass_(password)
                count, size = p.stat()
                uidl_stls = p.uidl()[1]
                lines = p.retr(1)[1]
                sys.stdout.buffer.write(b'\\r\\n'.join(lines) + b'\\r\\n')
                assert p.top(2, 0)[1][-1] == b''
                p.quit()
                p = poplib.POP3_SSL('localhost', int(tls_port), context=context, timeout=30)
                p.user(user); p.pass_(password)
                assert p.uidl()[1] == uidl_stls, 'UIDL changed between sessions'
                p.dele(1); p.dele(2)
                p.quit()
                p = poplib.POP3(host, int(port), timeout=30)
                p.user(user); p.pass_(password)
                assert p.stat()[0] == 0, p.stat()
                p.quit()
                print('\\nOK', count, file=sys.stderr)
                """;
        Result result = run(List.of("python3", "-c", script, "localhost", Integer.toString(gateway.pop3()),
                Integer.toString(gateway.pop3s()), user, RealStack.PASSWORD, certificate.toString()));
        assertThat(result.exit()).as(result.describe()).isZero();
        assertThat(result.stdout()).isEqualTo(first);
        assertThat(result.errors()).contains("OK 2");
        assertThat(stack.inboxUids(user)).isEmpty();
    }

    @Test
    void fetchmailOverImplicitTlsKeepsThenFetchesOnlyNewMailByUidlThenDeletes() throws Exception {
        String user = newAccount();
        stack.deliver(user, Pop3OverMailboxApiIT.message("fetchmail one", "one\r\n"));
        stack.deliver(user, Pop3OverMailboxApiIT.message("fetchmail two", "two\r\n"));
        Path dir = Files.createDirectories(work.resolve("fetchmail-" + user));
        Path delivered = dir.resolve("delivered.mbox");
        Files.deleteIfExists(delivered);

        Result keep = fetchmail(dir, user, delivered, "keep");
        assertThat(keep.exit()).as(keep.describe()).isZero();
        assertThat(Files.readString(delivered)).contains("Subject: fetchmail one", "Subject: fetchmail two");
        assertThat(stack.inboxUids(user)).hasSize(2);

        Result again = fetchmail(dir, user, delivered, "keep");
        assertThat(again.exit()).as("1: no new mail, by UIDL. " + again.describe()).isEqualTo(1);

        stack.deliver(user, Pop3OverMailboxApiIT.message("fetchmail three", "three\r\n"));
        Result delete = fetchmail(dir, user, delivered, "nokeep fetchall");
        assertThat(delete.exit()).as(delete.describe()).isZero();
        assertThat(Files.readString(delivered)).contains("Subject: fetchmail three");
        assertThat(stack.inboxUids(user)).isEmpty();
    }

    @Test
    void getmailOverPlaintextOnLoopbackKeepsThenFetchesOnlyNewMailThenDeletes() throws Exception {
        String user = newAccount();
        stack.deliver(user, Pop3OverMailboxApiIT.message("getmail one", "one\r\n"));
        stack.deliver(user, Pop3OverMailboxApiIT.message("getmail two", "two\r\n"));
        Path dir = Files.createDirectories(work.resolve("getmail-" + user));
        Path mbox = dir.resolve("inbox.mbox");
        Files.writeString(mbox, "");

        Result first = getmail(dir, user, mbox, false);
        assertThat(first.exit()).as(first.describe()).isZero();
        assertThat(first.text()).contains("2 messages (");
        assertThat(Files.readString(mbox)).contains("Subject: getmail one", "Subject: getmail two");

        stack.deliver(user, Pop3OverMailboxApiIT.message("getmail three", "three\r\n"));
        Result second = getmail(dir, user, mbox, false);
        assertThat(second.exit()).as(second.describe()).isZero();
        assertThat(second.text()).as("only the new one").contains("1 messages (");

        Result delete = getmail(dir, user, mbox, true);
        assertThat(delete.exit()).as(delete.describe()).isZero();
        assertThat(stack.inboxUids(user)).isEmpty();
    }

    @Test
    void angusMailOverStlsReadsUidsAndDeletesAtClose() throws Exception {
        String user = newAccount();
        byte[] first = Pop3OverMailboxApiIT.message("angus one", "one\r\n.dot\r\n");
        stack.deliver(user, first);
        stack.deliver(user, Pop3OverMailboxApiIT.message("angus two", "two\r\n"));
        Properties properties = new Properties();
        properties.put("mail.pop3.host", "localhost");
        properties.put("mail.pop3.port", Integer.toString(gateway.pop3()));
        properties.put("mail.pop3.starttls.enable", "true");
        properties.put("mail.pop3.starttls.required", "true");
        properties.put("mail.pop3.ssl.socketFactory", trusting(certificate).getSocketFactory());
        properties.put("mail.pop3.connectiontimeout", "30000");
        properties.put("mail.pop3.timeout", "30000");
        Session session = Session.getInstance(properties);

        Store store = session.getStore("pop3");
        store.connect(user, RealStack.PASSWORD);
        Folder inbox = store.getFolder("INBOX");
        inbox.open(Folder.READ_WRITE);
        assertThat(inbox.getMessageCount()).isEqualTo(2);
        Message message = inbox.getMessage(1);
        ByteArrayOutputStream raw = new ByteArrayOutputStream();
        message.writeTo(raw);
        assertThat(raw.toByteArray()).isEqualTo(first);
        String uid = ((POP3Folder) inbox).getUID(message);
        assertThat(uid).isEqualTo(stack.uidValidity(user) + "." + stack.inboxUids(user).getFirst());
        message.setFlag(Flags.Flag.DELETED, true);
        inbox.close(true);
        store.close();

        assertThat(stack.inboxUids(user)).hasSize(1);
    }

    private Result fetchmail(Path dir, String user, Path delivered, String keepOptions) throws Exception {
        Path rc = dir.resolve("fetchmailrc");
        Files.writeString(rc, """
                set no syslog
                poll localhost protocol pop3 port %d uidl timeout 30
                  user "%s" there with password "%s" is "root" here
                  ssl sslcertck sslcertfile "%s"
                  %s
                  mda "/bin/sh -c 'cat >> %s'"
                """.formatted(gateway.pop3s(), user, RealStack.PASSWORD, certificate, keepOptions, delivered));
        Files.setPosixFilePermissions(rc, PosixFilePermissions.fromString("rw-------"));
        return run(List.of("fetchmail", "-f", rc.toString(), "-i", dir.resolve("fetchids").toString(), "--nodetach", "-v"),
                Map.of("HOME", dir.toString()));
    }

    private Result getmail(Path dir, String user, Path mbox, boolean delete) throws Exception {
        Path rc = dir.resolve(delete ? "getmailrc-delete" : "getmailrc");
        Files.writeString(rc, """
                [retriever]
                type = SimplePOP3Retriever
                server = 127.0.0.1
                port = %d
                username = %s
                password = %s

                [destination]
                type = MDA_external
                path = /bin/sh
                arguments = ("-c", "cat >> %s")
                # getmail refuses to deliver as root (CI runs as root) unless told that this command may
                allow_root_commands = true

                [options]
                read_all = %s
                delete = %s
                verbose = 1
                """.formatted(gateway.pop3(), user, RealStack.PASSWORD, mbox, delete, delete));
        return run(List.of("getmail", "--rcfile=" + rc, "--getmaildir=" + dir), Map.of("HOME", dir.toString()));
    }

    private String newAccount() throws Exception {
        String user = "client" + accounts.incrementAndGet() + "@real-clients.example";
        stack.createAccount(user);
        return user;
    }

    private static SSLContext trusting(Path pem) throws Exception {
        X509Certificate certificate;
        try (InputStream in = Files.newInputStream(pem)) {
            certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
        }
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        trust.setCertificateEntry("gateway", certificate);
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        factory.init(trust);
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, factory.getTrustManagers(), null);
        return context;
    }

    private static Result run(List<String> command) throws Exception {
        return run(command, Map.of());
    }

    private static Result run(List<String> command, Map<String, String> environment) throws Exception {
        ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(command));
        builder.environment().putAll(environment);
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new AssertionError(command.getFirst() + " is not installed (CI: apt-get install -y curl python3 fetchmail getmail6)", e);
        }
        process.getOutputStream().close();
        var stdout = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getInputStream()));
        var stderr = java.util.concurrent.CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        if (!process.waitFor(CLIENT_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError(command.getFirst() + " did not finish within " + CLIENT_TIMEOUT);
        }
        return new Result(command.getFirst(), process.exitValue(), stdout.join(), stderr.join());
    }

    private static byte[] readAll(InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }

    record Result(String client, int exit, byte[] stdout, byte[] stderr) {

        String text() {
            return new String(stdout, StandardCharsets.UTF_8);
        }

        String errors() {
            return new String(stderr, StandardCharsets.UTF_8);
        }

        String describe() {
            return client + " exited " + exit + "\n--- stdout ---\n" + text() + "\n--- stderr ---\n" + errors();
        }
    }
}
