package io.mailroom.e2e;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/** SMTP from the client's side (RFC 5321), over a real socket. */
final class SmtpConversation extends LineConversation {

    SmtpConversation(String host, int port) throws IOException {
        super(host, port);
    }

    /** Reads one reply, multi-line replies joined with newlines. */
    String reply() throws IOException {
        List<String> lines = new ArrayList<>();
        String line;
        do {
            line = readLine();
            lines.add(line);
        } while (line.length() > 3 && line.charAt(3) == '-');
        return String.join("\n", lines);
    }

    String command(String line) throws IOException {
        send(line);
        return reply();
    }

    /**
     * Sends a whole transaction after EHLO and returns the reply to the end of DATA.
     * {@code message} must use CRLF line endings and end with CRLF; dot-stuffing is done here.
     */
    String transaction(String from, String to, byte[] message) throws IOException {
        String mail = command("MAIL FROM:<" + from + ">");
        if (!mail.startsWith("250")) {
            return mail;
        }
        String rcpt = command("RCPT TO:<" + to + ">");
        if (!rcpt.startsWith("250")) {
            return rcpt;
        }
        String data = command("DATA");
        if (!data.startsWith("354")) {
            return data;
        }
        sendRaw(dotStuff(message));
        send(".");
        return reply();
    }

    static byte[] dotStuff(byte[] message) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(message.length + 16);
        boolean lineStart = true;
        for (byte b : message) {
            if (lineStart && b == '.') {
                out.write('.');
            }
            out.write(b);
            lineStart = b == '\n';
        }
        return out.toByteArray();
    }
}
