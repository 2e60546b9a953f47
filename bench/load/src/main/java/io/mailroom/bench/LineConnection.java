package io.mailroom.bench;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Arrays;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * A client socket speaking a CRLF line protocol. It keeps its own buffer and scans it for line ends directly:
 * a load generator that spends its CPU in per-byte stream calls measures itself, not the server, on a machine
 * whose two cores it shares with the server.
 */
final class LineConnection implements Closeable {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] CRLF = {CR, LF};

    private final String host;
    private final int port;
    private Socket socket;
    private InputStream in;
    private OutputStream out;
    private byte[] buf = new byte[64 * 1024];
    private int pos;
    private int limit;
    private int lineStart;
    private int lineEnd;

    private LineConnection(String host, int port, Socket socket) throws IOException {
        this.host = host;
        this.port = port;
        attach(socket);
    }

    static LineConnection open(String host, int port, Duration connectTimeout, Duration readTimeout) throws IOException {
        Socket socket = new Socket();
        try {
            socket.setTcpNoDelay(true);
            socket.setSoTimeout((int) readTimeout.toMillis());
            socket.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            return new LineConnection(host, port, socket);
        } catch (IOException | RuntimeException e) {
            socket.close();
            throw e;
        }
    }

    private void attach(Socket s) throws IOException {
        this.socket = s;
        this.in = s.getInputStream();
        this.out = new java.io.BufferedOutputStream(s.getOutputStream(), 64 * 1024);
    }

    /**
     * Upgrades to TLS after STLS/STARTTLS was accepted. Trusts any certificate: the bench measures the cost of
     * encryption, not the PKI, and Mailroom's single-machine suite uses a self-signed certificate.
     */
    void startTls() throws IOException {
        if (limit > pos) {
            throw new IOException("server sent data after the STARTTLS reply (possible injection)");
        }
        SSLSocket tls = (SSLSocket) trustAll().getSocketFactory().createSocket(socket, host, port, true);
        tls.setUseClientMode(true);
        tls.startHandshake();
        attach(tls);
    }

    private static SSLContext trustAll() throws IOException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, new TrustManager[] {new X509TrustManager() {
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
            }}, new SecureRandom());
            return context;
        } catch (java.security.GeneralSecurityException e) {
            throw new IOException("no TLS context", e);
        }
    }

    /** Sends one command line (CRLF added). */
    void send(String line) throws IOException {
        byte[] bytes = line.getBytes(StandardCharsets.US_ASCII);
        byte[] all = Arrays.copyOf(bytes, bytes.length + 2);
        all[bytes.length] = CR;
        all[bytes.length + 1] = LF;
        out.write(all);
        out.flush();
    }

    void write(byte[] bytes) throws IOException {
        out.write(bytes);
    }

    void flush() throws IOException {
        out.flush();
    }

    /** The next line without its CRLF. */
    String readLine() throws IOException {
        if (!nextLine()) {
            throw new EOFException("connection closed by the server");
        }
        return new String(buf, lineStart, lineEnd - lineStart, StandardCharsets.ISO_8859_1);
    }

    /**
     * Reads a dot-terminated multi-line response body (RFC 1939 section 3) and answers its size in octets as
     * transmitted, without the terminating line.
     */
    long skipMultiline() throws IOException {
        long octets = 0;
        while (true) {
            if (!nextLine()) {
                throw new EOFException("connection closed inside a multi-line response");
            }
            if (lineEnd - lineStart == 1 && buf[lineStart] == '.') {
                return octets;
            }
            // (not pos before the call: reading may have moved the buffer's contents)
            octets += pos - lineStart;
        }
    }

    /** Finds the next LF, growing the buffer for lines longer than it; false at end of stream. */
    private boolean nextLine() throws IOException {
        int scan = pos;
        while (true) {
            byte[] b = buf;
            for (int i = scan; i < limit; i++) {
                if (b[i] == LF) {
                    lineStart = pos;
                    lineEnd = i > pos && b[i - 1] == CR ? i - 1 : i;
                    pos = i + 1;
                    return true;
                }
            }
            scan = limit;
            if (pos > 0) {
                System.arraycopy(buf, pos, buf, 0, limit - pos);
                scan -= pos;
                limit -= pos;
                pos = 0;
            }
            if (limit == buf.length) {
                buf = Arrays.copyOf(buf, buf.length * 2);
            }
            int n = in.read(buf, limit, buf.length - limit);
            if (n < 0) {
                return false;
            }
            limit += n;
        }
    }

    static byte[] crlf() {
        return CRLF.clone();
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException ignored) {
            // closing a broken connection: nothing more to learn from it
        }
    }
}
