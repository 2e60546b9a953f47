package io.mailroom.e2e;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** POP3 from the client's side (RFC 1939), over a real socket. */
final class Pop3Conversation extends LineConversation {

    Pop3Conversation(String host, int port) throws IOException {
        super(host, port);
    }

    String command(String line) throws IOException {
        send(line);
        return readLine();
    }

    /** A multi-line answer's lines (status line first checked to be +OK), without the terminating ".". */
    List<String> multiLine(String line) throws IOException {
        String status = command(line);
        if (!status.startsWith("+OK")) {
            throw new IOException(line + " answered " + status);
        }
        List<String> lines = new ArrayList<>();
        for (String next = readLine(); !next.equals("."); next = readLine()) {
            lines.add(next.startsWith("..") ? next.substring(1) : next);
        }
        return lines;
    }

    /** RETR n: the message's exact bytes, dot-stuffing undone. */
    byte[] retrieve(int number) throws IOException {
        String status = command("RETR " + number);
        if (!status.startsWith("+OK")) {
            throw new IOException("RETR " + number + " answered " + status);
        }
        ByteArrayOutputStream message = new ByteArrayOutputStream();
        while (true) {
            byte[] line = readLineBytes();
            if (Arrays.equals(line, ".\r\n".getBytes())) {
                return message.toByteArray();
            }
            int skip = line.length > 1 && line[0] == '.' ? 1 : 0;
            message.write(line, skip, line.length - skip);
        }
    }
}
