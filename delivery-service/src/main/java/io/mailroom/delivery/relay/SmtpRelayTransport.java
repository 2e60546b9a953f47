package io.mailroom.delivery.relay;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.mailroom.delivery.DeliveryProperties;
import io.mailroom.delivery.DeliveryProperties.Relay.StartTls;
import io.mailroom.delivery.relay.OutboundTransport.RelayResult.Kind;
import io.mailroom.queue.QueuedMail;

/**
 * Hands messages to one relay host (smarthost) over SMTP (RFC 5321): EHLO, STARTTLS (RFC 3207; required unless
 * configured otherwise, with the host name checked against the certificate), AUTH PLAIN (RFC 4616) when a user is
 * configured, then one transaction per message with every remote recipient. A 4xx reply (or a connection that fails)
 * is temporary, a 5xx reply permanent, per recipient where the relay answers per recipient. DSN parameters (RFC 3461)
 * are passed on when the relay offers DSN; 8BITMIME and SMTPUTF8 are asked for when the message needs them, and a
 * message that needs SMTPUTF8 is not handed to a relay without it (RFC 6531 3.4: 5.6.7).
 *
 * <p>One connection per message, opened and closed by the call: simple and robust; a pool of open sessions is the
 * obvious next step when relayed volume matters.
 */
public class SmtpRelayTransport implements OutboundTransport {

    private static final Logger LOG = LoggerFactory.getLogger(SmtpRelayTransport.class);
    private static final Pattern ENHANCED = Pattern.compile("^([245]\\.\\d{1,3}\\.\\d{1,3})\\b");
    private static final int MAX_REPLY_LINE = 4096;

    private final DeliveryProperties.Relay relay;
    private final String heloName;

    public SmtpRelayTransport(DeliveryProperties.Relay relay, String heloName) {
        this.relay = relay;
        this.heloName = heloName;
    }

    @Override
    public List<RelayResult> send(QueuedMail mail, List<RelayRecipient> recipients) {
        RelayResult[] results = new RelayResult[recipients.size()];
        String remote = relay.host();
        try (Session session = connect()) {
            Reply greeting = session.read();
            if (!greeting.positive()) {
                return all(recipients, results, greeting, "greeting");
            }
            List<String> extensions = session.ehlo(heloName);
            if (extensions == null) {
                return all(recipients, results, session.last, "EHLO");
            }
            boolean tlsOffered = extensions.stream().anyMatch(e -> e.equalsIgnoreCase("STARTTLS"));
            if (relay.starttls() != StartTls.OFF && tlsOffered) {
                Reply reply = session.command("STARTTLS");
                if (!reply.positive()) {
                    if (relay.starttls() == StartTls.REQUIRED) {
                        return all(recipients, results, temporary("4.7.0", "the relay refused STARTTLS: " + reply), "STARTTLS");
                    }
                } else {
                    session.startTls(remote, relay.trustAll());
                    extensions = session.ehlo(heloName);
                    if (extensions == null) {
                        return all(recipients, results, session.last, "EHLO");
                    }
                }
            } else if (relay.starttls() == StartTls.REQUIRED) {
                return all(recipients, results, temporary("4.7.0",
                        "the relay does not offer STARTTLS, which mailroom.delivery.relay.starttls requires"), "STARTTLS");
            }
            if (relay.username() != null && !relay.username().isBlank()) {
                String plain = Base64.getEncoder().encodeToString(("\0" + relay.username() + "\0" + relay.password())
                        .getBytes(StandardCharsets.UTF_8));
                Reply reply = session.command("AUTH PLAIN " + plain, "AUTH PLAIN ****");
                if (!reply.positive()) {
                    // our credentials, not the message: wait for an operator rather than bounce
                    return all(recipients, results, temporary("4.7.8", "the relay refused our credentials: " + reply),
                            "AUTH");
                }
            }
            boolean dsn = has(extensions, "DSN");
            boolean smtpUtf8 = has(extensions, "SMTPUTF8");
            boolean eightBit = has(extensions, "8BITMIME");
            if (mail.options().smtpUtf8() && !smtpUtf8) {
                return all(recipients, results, new Reply(554, "5.6.7",
                        "the message needs SMTPUTF8, which the relay does not offer"), "MAIL");
            }
            StringBuilder mailFrom = new StringBuilder("MAIL FROM:<").append(mail.envelopeFrom()).append('>');
            String body = mail.options().bodyType();
            if (eightBit && body != null && !body.equalsIgnoreCase("7BIT")) {
                mailFrom.append(" BODY=8BITMIME");
            }
            if (mail.options().smtpUtf8()) {
                mailFrom.append(" SMTPUTF8");
            }
            if (dsn && mail.options().dsnReturn() != null) {
                mailFrom.append(" RET=").append(mail.options().dsnReturn());
            }
            if (dsn && mail.options().dsnEnvelopeId() != null) {
                mailFrom.append(" ENVID=").append(xtext(mail.options().dsnEnvelopeId()));
            }
            Reply mailReply = session.command(mailFrom.toString());
            if (!mailReply.positive()) {
                return all(recipients, results, mailReply, "MAIL");
            }
            List<Integer> accepted = new ArrayList<>();
            for (int i = 0; i < recipients.size(); i++) {
                RelayRecipient recipient = recipients.get(i);
                StringBuilder rcpt = new StringBuilder("RCPT TO:<").append(recipient.address()).append('>');
                if (dsn && !recipient.dsnNotify().isEmpty()) {
                    rcpt.append(" NOTIFY=").append(String.join(",", recipient.dsnNotify()));
                }
                if (dsn && recipient.orcpt() != null) {
                    int semicolon = recipient.orcpt().indexOf(';');
                    rcpt.append(" ORCPT=").append(semicolon < 0 ? "rfc822" : recipient.orcpt().substring(0, semicolon))
                            .append(';').append(xtext(recipient.orcpt().substring(semicolon + 1)));
                }
                Reply reply = session.command(rcpt.toString());
                if (reply.positive()) {
                    accepted.add(i);
                } else {
                    results[i] = result(recipient.address(), reply, "RCPT");
                }
            }
            if (accepted.isEmpty()) {
                session.quit();
                return List.of(results);
            }
            Reply data = session.command("DATA");
            if (data.code() != 354) {
                accepted.forEach(i -> results[i] = result(recipients.get(i).address(), data, "DATA"));
                return List.of(results);
            }
            Reply end = session.data(mail.content());
            for (int i : accepted) {
                results[i] = end.positive()
                        ? new RelayResult(recipients.get(i).address(), Kind.SENT, end.status(), end.text(), remote)
                        : result(recipients.get(i).address(), end, "end of DATA");
            }
            session.quit();
            LOG.info("Relayed message {} to {} for {} of {} recipients: {}", mail.id(), remote, accepted.size(),
                    recipients.size(), end);
            return List.of(results);
        } catch (IOException | GeneralSecurityException | RuntimeException e) {
            LOG.warn("Relaying message {} through {}:{} failed: {}", mail.id(), remote, relay.port(), e.toString());
            for (int i = 0; i < results.length; i++) {
                if (results[i] == null) {
                    results[i] = new RelayResult(recipients.get(i).address(), Kind.TEMPORARY, "4.4.2",
                            "relay " + remote + ":" + relay.port() + " failed: " + e.getMessage(), null);
                }
            }
            return List.of(results);
        }
    }

    private List<RelayResult> all(List<RelayRecipient> recipients, RelayResult[] results, Reply reply, String stage) {
        for (int i = 0; i < results.length; i++) {
            if (results[i] == null) {
                results[i] = result(recipients.get(i).address(), reply, stage);
            }
        }
        return List.of(results);
    }

    private RelayResult result(String address, Reply reply, String stage) {
        Kind kind = reply.code() >= 500 ? Kind.PERMANENT : reply.code() >= 400 ? Kind.TEMPORARY
                : reply.code() >= 200 && reply.code() < 400 ? Kind.SENT : Kind.TEMPORARY;
        if (kind == Kind.SENT && !stage.equals("end of DATA")) {
            kind = Kind.TEMPORARY; // an unexpected positive reply where a refusal was expected: try again
        }
        String detail = reply.code() == 0 ? reply.text() : reply.code() + " " + reply.status() + " " + reply.text()
                + " (in reply to " + stage + ")";
        return new RelayResult(address, kind, reply.status(), detail, reply.code() == 0 ? null : relay.host());
    }

    private static Reply temporary(String status, String text) {
        return new Reply(0, status, text);
    }

    private static boolean has(List<String> extensions, String keyword) {
        return extensions.stream().anyMatch(e -> e.toUpperCase(Locale.ROOT).equals(keyword)
                || e.toUpperCase(Locale.ROOT).startsWith(keyword + " "));
    }

    /** RFC 3461 4: xtext. */
    static String xtext(String value) {
        StringBuilder out = new StringBuilder();
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c < 33 || c > 126 || c == '+' || c == '=') {
                out.append('+').append(String.format("%02X", c));
            } else {
                out.append((char) c);
            }
        }
        return out.toString();
    }

    private Session connect() throws IOException {
        Socket socket = new Socket();
        try {
            socket.connect(new InetSocketAddress(relay.host(), relay.port()), (int) relay.connectTimeout().toMillis());
            socket.setSoTimeout((int) relay.readTimeout().toMillis());
            return new Session(socket);
        } catch (IOException e) {
            socket.close();
            throw e;
        }
    }

    /**
     * One SMTP reply.
     *
     * @param code   the three-digit code; 0 for a failure found on this side (no reply)
     * @param status the RFC 3463 code the reply carried, or one derived from the reply code
     */
    record Reply(int code, String status, String text) {

        boolean positive() {
            return code >= 200 && code < 400;
        }

        @Override
        public String toString() {
            return code + " " + status + " " + text;
        }
    }

    /** One connection to the relay. */
    private static final class Session implements AutoCloseable {

        private Socket socket;
        private InputStream in;
        private OutputStream out;
        private Reply last;

        Session(Socket socket) throws IOException {
            use(socket);
        }

        private void use(Socket socket) throws IOException {
            this.socket = socket;
            this.in = new BufferedInputStream(socket.getInputStream());
            this.out = new BufferedOutputStream(socket.getOutputStream());
        }

        /** The extension keywords, or null (see {@link #last}) when EHLO was refused. */
        List<String> ehlo(String name) throws IOException {
            write("EHLO " + name);
            List<String> lines = new ArrayList<>();
            Reply reply = read(lines);
            last = reply;
            if (!reply.positive()) {
                return null;
            }
            return lines.size() <= 1 ? List.of() : List.copyOf(lines.subList(1, lines.size()));
        }

        void startTls(String host, boolean trustAll) throws IOException, GeneralSecurityException {
            SSLContext context;
            if (trustAll) {
                context = SSLContext.getInstance("TLS");
                context.init(null, new TrustManager[] {new TrustEverything()}, null);
            } else {
                context = SSLContext.getDefault();
            }
            SSLSocket tls = (SSLSocket) context.getSocketFactory().createSocket(socket, host, socket.getPort(), true);
            tls.setUseClientMode(true);
            if (!trustAll) {
                SSLParameters parameters = tls.getSSLParameters();
                parameters.setEndpointIdentificationAlgorithm("HTTPS");
                tls.setSSLParameters(parameters);
            }
            tls.startHandshake();
            use(tls);
        }

        Reply command(String line) throws IOException {
            return command(line, line);
        }

        Reply command(String line, String logged) throws IOException {
            write(line);
            last = read(new ArrayList<>());
            LOG.debug("relay C: {} S: {}", logged, last);
            return last;
        }

        /** Sends the message with dot-stuffing and CRLF line ends (a bare CR or LF becomes CRLF), then the final dot. */
        Reply data(byte[] content) throws IOException {
            boolean lineStart = true;
            for (int i = 0; i < content.length; i++) {
                byte b = content[i];
                if (b == '\r' || b == '\n') {
                    if (b == '\r' && i + 1 < content.length && content[i + 1] == '\n') {
                        i++;
                    }
                    out.write('\r');
                    out.write('\n');
                    lineStart = true;
                    continue;
                }
                if (lineStart && b == '.') {
                    out.write('.');
                }
                out.write(b);
                lineStart = false;
            }
            if (!lineStart) {
                out.write('\r');
                out.write('\n');
            }
            out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            last = read(new ArrayList<>());
            return last;
        }

        void quit() {
            try {
                write("QUIT");
                read(new ArrayList<>());
            } catch (IOException e) {
                // the message is handed over already; a lost QUIT changes nothing
            }
        }

        Reply read() throws IOException {
            last = read(new ArrayList<>());
            return last;
        }

        private Reply read(List<String> lines) throws IOException {
            while (true) {
                String line = readLine();
                if (line.length() < 3) {
                    throw new IOException("malformed reply from the relay: " + line);
                }
                int code;
                try {
                    code = Integer.parseInt(line.substring(0, 3));
                } catch (NumberFormatException e) {
                    throw new IOException("malformed reply from the relay: " + line);
                }
                String text = line.length() > 4 ? line.substring(4) : "";
                lines.add(text);
                if (line.length() == 3 || line.charAt(3) == ' ') {
                    Matcher matcher = ENHANCED.matcher(lines.getFirst());
                    String status;
                    String first = lines.getFirst();
                    if (matcher.find()) {
                        status = matcher.group(1);
                        first = first.substring(matcher.end()).strip();
                    } else {
                        status = (code / 100) + ".0.0";
                    }
                    return new Reply(code, status, first);
                }
            }
        }

        private String readLine() throws IOException {
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            while (true) {
                int b = in.read();
                if (b < 0) {
                    throw new IOException("the relay closed the connection");
                }
                if (b == '\n') {
                    byte[] bytes = line.toByteArray();
                    int length = bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
                    return new String(bytes, 0, length, StandardCharsets.UTF_8);
                }
                if (line.size() >= MAX_REPLY_LINE) {
                    throw new IOException("reply line from the relay too long");
                }
                line.write(b);
            }
        }

        private void write(String line) throws IOException {
            out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            socket.close();
        }
    }

    private static final class TrustEverything implements X509TrustManager {
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
    }
}
