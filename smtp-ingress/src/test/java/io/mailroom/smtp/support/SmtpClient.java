package io.mailroom.smtp.support;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A plain-socket SMTP client for conversations in tests: the test writes the client's lines and checks the
 * server's replies, with nothing in between that could hide what goes over the wire.
 */
public final class SmtpClient implements AutoCloseable {

    private Socket socket;
    private InputStream in;
    private OutputStream out;

    private SmtpClient(Socket socket) throws IOException {
        use(socket);
    }

    public static SmtpClient connect(int port) throws IOException {
        Socket socket = new Socket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        return new SmtpClient(socket);
    }

    /** Connects with TLS from the first byte (implicit TLS), trusting any certificate. */
    public static SmtpClient connectTls(int port) throws Exception {
        SSLSocket socket = (SSLSocket) trustingContext().getSocketFactory().createSocket("127.0.0.1", port);
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        return new SmtpClient(socket);
    }

    /**
     * Connects to a listener that expects a PROXY protocol header, claims to be {@code sourceIp}, then speaks
     * TLS from the first byte after the header (implicit TLS behind a load balancer).
     */
    public static SmtpClient connectTlsBehindProxy(int port, String sourceIp) throws Exception {
        Socket plain = new Socket("127.0.0.1", port);
        plain.setSoTimeout(15_000);
        plain.getOutputStream().write(("PROXY TCP4 " + sourceIp + " 127.0.0.1 40000 " + port + "\r\n").getBytes(StandardCharsets.US_ASCII));
        plain.getOutputStream().flush();
        SSLSocket socket = (SSLSocket) trustingContext().getSocketFactory().createSocket(plain, "localhost", port, true);
        socket.setSoTimeout(15_000);
        socket.startHandshake();
        return new SmtpClient(socket);
    }

    /** Connects to a listener that expects a PROXY protocol header, and sends {@code header} first. */
    public static SmtpClient connectWithHeader(int port, byte[] header) throws IOException {
        SmtpClient client = connect(port);
        client.write(header);
        return client;
    }

    /** Sends one command line in UTF-8 (SMTPUTF8, RFC 6531) and reads the reply. */
    public Reply commandUtf8(String line) throws IOException {
        write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        return reply();
    }

    public void setTimeout(int millis) throws IOException {
        socket.setSoTimeout(millis);
    }

    private void use(Socket socket) throws IOException {
        this.socket = socket;
        this.in = new BufferedInputStream(socket.getInputStream());
        this.out = socket.getOutputStream();
    }

    /** Sends one command line and reads the reply. */
    public Reply command(String line) throws IOException {
        send(line);
        return reply();
    }

    public void send(String line) throws IOException {
        write((line + "\r\n").getBytes(StandardCharsets.US_ASCII));
    }

    /** Writes without flushing (through a buffer), for streaming large messages. */
    public void writeUnflushed(byte[] bytes) throws IOException {
        if (!(out instanceof java.io.BufferedOutputStream)) {
            out = new java.io.BufferedOutputStream(out, 64 * 1024);
        }
        out.write(bytes);
    }

    public void write(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** Reads one reply, all its lines (RFC 5321 4.2.1: "250-" continues, "250 " ends). */
    public Reply reply() throws IOException {
        List<String> lines = new ArrayList<>();
        while (true) {
            String line = readLine();
            if (line == null) {
                return lines.isEmpty() ? null : new Reply(lines);
            }
            lines.add(line);
            if (line.length() < 4 || line.charAt(3) != '-') {
                return new Reply(lines);
            }
        }
    }

    /** True when the server has closed the connection. */
    public boolean closedByServer() throws IOException {
        return readLine() == null;
    }

    public Reply ehlo(String name) throws IOException {
        return command("EHLO " + name);
    }

    /** STARTTLS (RFC 3207), then the TLS handshake on the same connection, trusting any certificate. */
    public void startTls() throws Exception {
        command("STARTTLS").expect("220");
        SSLSocket secured = (SSLSocket) trustingContext().getSocketFactory()
                .createSocket(socket, "localhost", socket.getPort(), true);
        secured.setSoTimeout(15_000);
        secured.startHandshake();
        use(secured);
    }

    public Reply authPlain(String user, String password) throws IOException {
        String token = Base64.getEncoder().encodeToString(("\0" + user + "\0" + password).getBytes(StandardCharsets.UTF_8));
        return command("AUTH PLAIN " + token);
    }

    /** Sends DATA, then the message with dot-stuffing and the end marker, and returns the final reply. */
    public Reply data(byte[] message) throws IOException {
        command("DATA").expect("354");
        write(dotStuff(message));
        write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        return reply();
    }

    /** RFC 5321 4.5.2: a line that starts with a dot gets one more. */
    static byte[] dotStuff(byte[] message) {
        ByteArrayOutputStream stuffed = new ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                stuffed.write('.');
            }
            stuffed.write(b);
            lineStart = b == '\n';
        }
        return stuffed.toByteArray();
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        try {
            int b;
            while ((b = in.read()) != -1) {
                if (b == '\n') {
                    String text = line.toString(StandardCharsets.US_ASCII);
                    return text.endsWith("\r") ? text.substring(0, text.length() - 1) : text;
                }
                line.write(b);
            }
        } catch (SocketException e) {
            return null;
        }
        return null;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }

    public static SSLContext trustingContext() throws Exception {
        TrustManager trustAll = new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] {trustAll}, new SecureRandom());
        return context;
    }

    /** One SMTP reply: its lines as sent, without CRLF. */
    public record Reply(List<String> lines) {

        public String code() {
            return lines.getFirst().substring(0, 3);
        }

        /** The text of the last line after the code, e.g. "2.0.0 Ok: queued as …". */
        public String text() {
            String last = lines.getLast();
            return last.length() > 4 ? last.substring(4) : "";
        }

        /** The EHLO keywords (every line but the first), e.g. "STARTTLS", "SIZE 65536", "AUTH LOGIN PLAIN". */
        public List<String> extensions() {
            return lines.stream().skip(1).map(line -> line.substring(4)).toList();
        }

        /** True when every line carries an enhanced status code after the reply code (RFC 2034). */
        public boolean hasEnhancedCode() {
            return lines.stream().allMatch(line -> line.matches("\\d{3}[ -][245]\\.\\d{1,3}\\.\\d{1,3}( .*)?"));
        }

        public Reply expect(String code) {
            assertThat(code()).as("reply %s", lines).isEqualTo(code);
            return this;
        }

        public Reply expect(String code, String enhancedCode) {
            expect(code);
            assertThat(text()).as("reply %s", lines).startsWith(enhancedCode + " ");
            return this;
        }
    }
}
