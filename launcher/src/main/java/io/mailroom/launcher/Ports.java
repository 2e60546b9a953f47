package io.mailroom.launcher;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;

/** Every port the suite listens on. The defaults are those of the design notes. */
public record Ports(int mailboxApiHttp,
                    int smtpHttp, int smtpMx, int smtpSubmission, int smtpSubmissions,
                    int deliveryHttp,
                    int imapHttp, int imap, int imaps,
                    int pop3Http, int pop3, int pop3s) {

    public static Ports defaults() {
        return new Ports(8080, 8081, 2525, 2587, 2465, 8082, 8083, 1143, 1993, 8084, 1110, 1995);
    }

    /** Free ports chosen by the kernel, for tests that must not collide with a running suite. */
    public static Ports free() {
        return new Ports(freePort(), freePort(), freePort(), freePort(), freePort(), freePort(),
                freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
