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

    /** Every port with what listens on it, for messages. */
    public java.util.Map<String, Integer> byUse() {
        java.util.Map<String, Integer> ports = new java.util.LinkedHashMap<>();
        ports.put("mailbox-api HTTP", mailboxApiHttp);
        ports.put("smtp-ingress HTTP", smtpHttp);
        ports.put("SMTP MX", smtpMx);
        ports.put("SMTP submission", smtpSubmission);
        ports.put("SMTP submissions (TLS)", smtpSubmissions);
        ports.put("delivery-service HTTP", deliveryHttp);
        ports.put("imap-gateway HTTP", imapHttp);
        ports.put("IMAP", imap);
        ports.put("IMAPS", imaps);
        ports.put("pop3-gateway HTTP", pop3Http);
        ports.put("POP3", pop3);
        ports.put("POP3S", pop3s);
        return ports;
    }

    /**
     * Fails when any port is taken: a readiness probe answered by someone else's service on the
     * same port would otherwise look like success.
     */
    public void requireFree() {
        java.util.List<String> taken = new java.util.ArrayList<>();
        byUse().forEach((use, port) -> {
            try (ServerSocket socket = new ServerSocket()) {
                socket.bind(new java.net.InetSocketAddress(port));
            } catch (IOException e) {
                taken.add(port + " (" + use + ")");
            }
        });
        if (!taken.isEmpty()) {
            throw new IllegalStateException("these ports are already in use: " + String.join(", ", taken)
                    + ". Is another Mailroom (or another mail server) running on this machine?");
        }
    }

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
