package io.mailroom.pop3;

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
import java.util.Arrays;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

import io.mailroom.protocol.tls.TlsMaterial;

/** POP3 from the client's side, over a real socket: one line out, the server's line(s) back. */
final class Pop3Client implements Closeable {

    private static final int TIMEOUT_MILLIS = 10_000;

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private Pop3Client(Socket socket, String host, int port) throws IOException {
        this.host = host;
        this.port = port;
        use(socket);
    }

    static Pop3Client plain(int port) throws IOException {
        Socket socket = new Socket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        return new Pop3Client(socket, "127.0.0.1", port);
    }

    /** A connection that starts with a PROXY protocol v1 header naming {@code sourceIp} as the client. */
    static Pop3Client viaProxy(int port, String sourceIp) throws IOException {
        Pop3Client client = plain(port);
        client.out.write(("PROXY TCP4 " + sourceIp + " 127.0.0.1 40000 " + port + "\r\n").getBytes(StandardCharsets.US_ASCII));
        client.out.flush();
        return client;
    }

    static Pop3Client implicitTls(int port, TlsMaterial trusted) throws IOException {
        SSLSocket socket = (SSLSocket) trusting(trusted).getSocketFactory().createSocket();
        socket.connect(new InetSocketAddress("127.0.0.1", port), TIMEOUT_MILLIS);
        socket.startHandshake();
        return new Pop3Client(socket, "127.0.0.1", port);
    }

    /** Switches this connection to TLS (after the server's +OK to STLS), trusting only the gateway's certificate. */
    SSLSocket startTls(TlsMaterial trusted) throws IOException {
        SSLSocket tls = (SSLSocket) trusting(trusted).getSocketFactory().createSocket(socket, host, port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        use(tls);
        return tls;
    }

    String command(String line) throws IOException {
        send(line);
        return readLine();
    }

    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** Several commands in one write, as a PIPELINING client sends them (RFC 2449 §6.6). */
    void pipeline(String... lines) throws IOException {
        StringBuilder batch = new StringBuilder();
        for (String line : lines) {
            batch.append(line).append("\r\n");
        }
        out.write(batch.toString().getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    /** The lines of a multi-line answer whose status line was already read, up to the lone ".". */
    List<String> restOfMultiLine() throws IOException {
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); !line.equals("."); line = readLine()) {
            lines.add(line);
        }
        return lines;
    }

    static String base64(String text) {
        return java.util.Base64.getEncoder().encodeToString(text.getBytes(StandardCharsets.UTF_8));
    }

    String readLine() throws IOException {
        byte[] line = readLineBytes();
        return new String(line, 0, line.length - 2, StandardCharsets.US_ASCII);
    }

    /** A multi-line answer: the status line (checked to be +OK), then the lines up to the lone ".". */
    List<String> multiLine(String command) throws IOException {
        String status = command(command);
        if (!status.startsWith("+OK")) {
            throw new IOException(command + " answered " + status);
        }
        List<String> lines = new ArrayList<>();
        for (String line = readLine(); !line.equals("."); line = readLine()) {
            lines.add(line);
        }
        return lines;
    }

    /** The raw bytes of a multi-line answer's body, dot-stuffing still in place, without the final ".". */
    byte[] rawBody(String command) throws IOException {
        String status = command(command);
        if (!status.startsWith("+OK")) {
            throw new IOException(command + " answered " + status);
        }
        return restOfRawBody();
    }

    /** {@link #rawBody} after the status line was read. */
    byte[] restOfRawBody() throws IOException {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        for (byte[] line = readLineBytes(); !Arrays.equals(line, ".\r\n".getBytes(StandardCharsets.US_ASCII)); line = readLineBytes()) {
            body.writeBytes(line);
        }
        return body.toByteArray();
    }

    /** True when the server has closed the connection (end of stream). */
    boolean closedByServer() throws IOException {
        try {
            return in.read() == -1;
        } catch (IOException e) {
            return true;
        }
    }

    byte[] readLineBytes() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        while (true) {
            int b = in.read();
            if (b == -1) {
                throw new EOFException("connection closed after " + line.size() + " bytes: " + line);
            }
            line.write(b);
            if (previous == '\r' && b == '\n') {
                return line.toByteArray();
            }
            previous = b;
        }
    }

    /** Drops the connection without QUIT, as a client that crashes or loses its network would. */
    void drop() throws IOException {
        socket.setSoLinger(true, 0);
        socket.close();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    private void use(Socket newSocket) throws IOException {
        newSocket.setSoTimeout(TIMEOUT_MILLIS);
        this.socket = newSocket;
        this.in = new java.io.BufferedInputStream(newSocket.getInputStream());
        this.out = newSocket.getOutputStream();
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
