package io.mailroom.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A client side of a line-based protocol conversation over a real socket: send a line, read
 * the server's line(s). Bytes are kept as bytes where message content is concerned.
 */
class LineConversation implements AutoCloseable {

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    LineConversation(String host, int port) throws IOException {
        socket = new Socket(host, port);
        socket.setSoTimeout(30_000);
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** Sends one command line (CRLF added). */
    void send(String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    void sendRaw(byte[] bytes) throws IOException {
        out.write(bytes);
        out.flush();
    }

    /** One line as bytes, with its CRLF. */
    byte[] readLineBytes() throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) >= 0) {
            line.write(b);
            if (b == '\n') {
                break;
            }
        }
        if (line.size() == 0) {
            throw new IOException("connection closed by the server");
        }
        return line.toByteArray();
    }

    /** One line as text, without its line ending. */
    String readLine() throws IOException {
        String line = new String(readLineBytes(), StandardCharsets.UTF_8);
        return line.endsWith("\r\n") ? line.substring(0, line.length() - 2) : line.strip();
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
