package io.mailroom.testsupport;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

import org.junit.jupiter.api.Assumptions;

/** What the tests may assume about the machine they run on. */
final class Infrastructure {

    private Infrastructure() {
    }

    /** True on a CI machine: there a missing service is a failure, never a skip. */
    static boolean onCi() {
        String ci = System.getenv("CI");
        return ci != null && !ci.isBlank() && !ci.equalsIgnoreCase("false");
    }

    static String env(String name, String fallback) {
        String value = System.getenv(name);
        return value == null || value.isBlank() ? fallback : value;
    }

    static boolean reachable(String host, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    static boolean dockerAvailable() {
        try {
            return org.testcontainers.DockerClientFactory.instance().isDockerAvailable();
        } catch (Throwable e) {
            return false;
        }
    }

    /** Fails in CI, skips the test elsewhere, always saying why. */
    static RuntimeException missing(String what) {
        String message = what + " is not available: set its MAILROOM_TEST_* variables, start it locally, or run a Docker engine";
        if (onCi()) {
            throw new IllegalStateException(message + " (CI is set, so this is a failure, not a skip)");
        }
        Assumptions.abort(message);
        return new IllegalStateException(message); // not reached
    }

    static String uniqueName(String prefix) {
        return prefix + Long.toString(System.nanoTime(), 36) + Integer.toString((int) (Math.random() * 1_000_000), 36);
    }
}
