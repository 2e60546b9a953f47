package io.mailroom.imap;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.util.ArrayList;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.mailroom.protocol.tls.TlsMaterial;

/** IMAP from the client's side, over a real socket: tagged commands, and the lines up to the tagged answer. */
final class ImapClient implements Closeable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private int tags;

    private ImapClient(Socket socket) throws IOException {
        use(socket);
    }

    static ImapClient plain(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        return new ImapClient(socket);
    }

    /** A plain connection from a given loopback address (127.0.0.0/8), so that per-IP limits see another client. */
    static ImapClient plainFrom(String localAddress, int port) throws IOException {
        Socket socket = new Socket();
        socket.bind(new InetSocketAddress(localAddress, 0));
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        return new ImapClient(socket);
    }

    static ImapClient implicitTls(int port, TlsMaterial trusted) throws IOException {
        SSLSocket socket = (SSLSocket) trusting(trusted).getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.startHandshake();
        return new ImapClient(socket);
    }

    /** Sends STARTTLS, expects OK, and switches the connection to TLS. */
    SSLSocket startTls(TlsMaterial trusted) throws IOException {
        List<String> answer = command("STARTTLS");
        if (!answer.getLast().contains(" OK")) {
            throw new IOException("STARTTLS answered " + answer);
        }
        SSLSocket tls = (SSLSocket) trusting(trusted).getSocketFactory()
                .createSocket(socket, "127.0.0.1", socket.getPort(), true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
        return tls;
    }

    /** Sends one tagged command; returns every line up to and including the tagged one. */
    List<String> command(String command) throws IOException {
        String tag = "a" + (++tags);
        send(tag + " " + command);
        return untilTagged(tag);
    }

    /** APPEND with a synchronizing literal (RFC 9051 §4.3): waits for the continuation before the bytes. */
    List<String> append(String mailbox, String message) throws IOException {
        String tag = "a" + (++tags);
        byte[] bytes = message.getBytes(StandardCharsets.US_ASCII);
        send(tag + " APPEND " + mailbox + " {" + bytes.length + "}");
        String continuation = readLine();
        if (!continuation.startsWith("+")) {
            List<String> lines = new ArrayList<>(List.of(continuation));
            if (!continuation.startsWith(tag + " ")) {
                lines.addAll(untilTagged(tag));
            }
            return lines;
        }
        out.write(bytes);
        send("");
        return untilTagged(tag);
    }

    /** Starts IDLE (RFC 2177) and returns its tag once the server answered with a continuation. */
    String idle() throws IOException {
        String tag = "a" + (++tags);
        send(tag + " IDLE");
        String continuation = readLine();
        if (!continuation.startsWith("+")) {
            throw new IOException("IDLE answered " + continuation);
        }
        return tag;
    }

    /** Ends IDLE; returns the lines up to the tagged one. */
    List<String> done(String idleTag) throws IOException {
        send("DONE");
        return untilTagged(idleTag);
    }

    /** Reads lines until one matches; returns it (the socket's read timeout bounds the wait). */
    String readUntil(java.util.function.Predicate<String> wanted) throws IOException {
        String line;
        do {
            line = readLine();
        } while (!wanted.test(line));
        return line;
    }

    /** The tagged line alone. */
    String status(String command) throws IOException {
        return command(command).getLast();
    }

    /** Raw bytes, as they are (part of a literal, say). */
    void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("connection closed after " + line);
            }
            if (previous == '\r' && b == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.US_ASCII);
            }
            line.write(b);
            previous = b;
        }
    }

    boolean closedByServer() {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private List<String> untilTagged(String tag) throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            lines.add(line);
        } while (!line.startsWith(tag + " "));
        return lines;
    }

    private void use(Socket newSocket) throws IOException {
        newSocket.setSoTimeout(TIMEOUT_MILLIS);
        socket = newSocket;
        in = newSocket.getInputStream();
        out = newSocket.getOutputStream();
    }

    static SSLContext trusting(TlsMaterial trusted) throws IOException {
        try {
            KeyStore trustStore = KeyStore.getInstance(KeyStore.getDefaultType());
            trustStore.load(null, null);
            trustStore.setCertificateEntry("mailroom", trusted.certificate());
            TrustManagerFactory trust = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            trust.init(trustStore);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, trust.getTrustManagers(), null);
            return context;
        } catch (Exception e) {
            throw new IOException("cannot build a client TLS context", e);
        }
    }
}
