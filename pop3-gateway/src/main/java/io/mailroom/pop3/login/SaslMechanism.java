package io.mailroom.pop3.login;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * The SASL mechanisms AUTH offers (RFC 5034): both carry a user name and a password, so both are
 * "plaintext" and allowed only where {@link PlaintextAuthPolicy} allows USER/PASS.
 */
enum SaslMechanism {

    /** RFC 4616: one response, {@code [authzid] NUL authcid NUL passwd}, UTF-8. */
    PLAIN {
        @Override
        Exchange start() {
            return new Exchange() {
                @Override
                Step begin() {
                    return new Challenge(new byte[0]);
                }

                @Override
                Step respond(byte[] response) {
                    List<byte[]> parts = split(response);
                    if (parts.size() != 3) {
                        return new Malformed();
                    }
                    String authzid = utf8(parts.get(0));
                    String authcid = utf8(parts.get(1));
                    // Acting as somebody else (a different authzid) is not something a mailbox user may do.
                    if (!authzid.isEmpty() && !authzid.equalsIgnoreCase(authcid)) {
                        return new Malformed();
                    }
                    return new Credentials(authcid, utf8(parts.get(2)));
                }
            };
        }
    },

    /**
     * The LOGIN mechanism (draft-murchison-sasl-login): "Username:", then "Password:". An initial response,
     * where a client sends one, is the user name.
     */
    LOGIN {
        @Override
        Exchange start() {
            return new Exchange() {
                private String username;

                @Override
                Step begin() {
                    return new Challenge("Username:".getBytes(StandardCharsets.US_ASCII));
                }

                @Override
                Step respond(byte[] response) {
                    if (username == null) {
                        username = utf8(response);
                        return new Challenge("Password:".getBytes(StandardCharsets.US_ASCII));
                    }
                    return new Credentials(username, utf8(response));
                }
            };
        }
    };

    /** The mechanisms in the order CAPA and AUTH list them. */
    static final List<SaslMechanism> ALL = List.of(values());

    abstract Exchange start();

    static Optional<SaslMechanism> named(String name) {
        String upper = name.toUpperCase(Locale.ROOT);
        return Arrays.stream(values()).filter(mechanism -> mechanism.name().equals(upper)).findFirst();
    }

    /** One client's way through a mechanism. */
    abstract static class Exchange {

        /** The server's first challenge, when the client sent no initial response. */
        abstract Step begin();

        /** The client's next (base64-decoded) response. */
        abstract Step respond(byte[] response);
    }

    sealed interface Step permits Challenge, Credentials, Malformed {
    }

    /** Send this to the client and wait for its response. */
    record Challenge(byte[] data) implements Step {
    }

    /** The exchange is over: check these. */
    record Credentials(String username, String password) implements Step {
    }

    /** The client's response makes no sense for this mechanism. */
    record Malformed() implements Step {
    }

    private static List<byte[]> split(byte[] response) {
        List<byte[]> parts = new java.util.ArrayList<>();
        int start = 0;
        for (int i = 0; i <= response.length; i++) {
            if (i == response.length || response[i] == 0) {
                parts.add(Arrays.copyOfRange(response, start, i));
                start = i + 1;
            }
        }
        return parts;
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}
