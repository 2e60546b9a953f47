package io.mailroom.launcher;

import java.io.IOException;
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

    /**
     * Free ports for tests that must not collide with a running suite. They are drawn below the
     * kernel's ephemeral range: a port the kernel handed out once (new ServerSocket(0)) is one it
     * may hand out again as the local port of an outgoing connection before the service binds it,
     * and then the service fails with "Address already in use".
     */
    public static Ports free() {
        return new Ports(freePort(), freePort(), freePort(), freePort(), freePort(), freePort(),
                freePort(), freePort(), freePort(), freePort(), freePort(), freePort());
    }

    private static final java.util.Set<Integer> HANDED_OUT = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** One free port outside the ephemeral range, never the same twice in this JVM. */
    public static int freePort() {
        int[] range = ephemeralRange();
        int low = 10_000;
        int high = Math.min(range[0], 65_536);
        if (high - low < 1_000) {
            low = Math.max(range[1] + 1, 1_024);
            high = 65_536;
        }
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int attempt = 0; attempt < 500; attempt++) {
            int port = random.nextInt(low, high);
            if (defaults().byUse().containsValue(port) || !HANDED_OUT.add(port)) {
                continue;
            }
            if (bindable(port)) {
                return port;
            }
        }
        throw new IllegalStateException("no free port found between " + low + " and " + high);
    }

    private static boolean bindable(int port) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new java.net.InetSocketAddress(port));
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /** The kernel's range for outgoing connections' local ports, Linux's default if unknown. */
    static int[] ephemeralRange() {
        try {
            String[] parts = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/net/ipv4/ip_local_port_range"))
                    .trim().split("\\s+");
            return new int[] {Integer.parseInt(parts[0]), Integer.parseInt(parts[1])};
        } catch (IOException | RuntimeException e) {
            return new int[] {32_768, 60_999};
        }
    }
}
