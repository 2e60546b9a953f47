package io.mailroom.pop3.login;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;

import io.mailroom.pop3.Pop3Replies;

/**
 * AUTH (RFC 5034) with PLAIN and LOGIN, an initial response included ({@code =} for an empty one). The
 * challenges go out as {@code + <base64>} lines; the client's answers come back as lines, {@code *} cancels
 * (RFC 5034 §4). The credentials then take the same way as USER/PASS ({@link Login}).
 *
 * <p>{@code AUTH} without a mechanism lists the mechanisms usable on this connection, as RFC 1734 servers
 * did and some clients still ask.
 */
public class AuthCommand extends AbstractPOP3CommandHandler {

    private static final Set<String> COMMANDS = Set.of("AUTH");
    static final Response UNSUPPORTED = Pop3Replies.err("Unsupported authentication mechanism").immutable();
    static final Response CANCELLED = Pop3Replies.err("Authentication cancelled").immutable();
    static final Response NOT_BASE64 = Pop3Replies.err("Invalid base64 data").immutable();
    static final Response SYNTAX = Pop3Replies.err("Usage: AUTH mechanism [initial-response]").immutable();

    private final MetricFactory metricFactory;
    private final Login login;

    /** The mechanism names, in the order CAPA's SASL line and AUTH list them. */
    public static List<String> mechanisms() {
        return SaslMechanism.ALL.stream().map(Enum::name).toList();
    }

    public AuthCommand(MetricFactory metricFactory, Login login) {
        this.metricFactory = metricFactory;
        this.login = login;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-auth", () -> auth(session, request));
    }

    private Response auth(POP3Session session, Request request) {
        int state = session.getHandlerState();
        if (state != POP3Session.AUTHENTICATION_READY && state != POP3Session.AUTHENTICATION_USERSET) {
            return POP3Response.ERR;
        }
        String argument = request.getArgument() == null ? "" : request.getArgument().strip();
        if (argument.isEmpty()) {
            POP3Response list = new POP3Response(POP3Response.OK_RESPONSE, "Mechanisms follow");
            if (login.policy().allows(session)) {
                SaslMechanism.ALL.forEach(mechanism -> list.appendLine(mechanism.name()));
            }
            list.appendLine(".");
            return list;
        }
        String[] words = argument.split(" +");
        if (words.length > 2) {
            return SYNTAX;
        }
        SaslMechanism mechanism = SaslMechanism.named(words[0]).orElse(null);
        if (mechanism == null) {
            return UNSUPPORTED;
        }
        // AUTH replaces a USER given before it (RFC 5034 §4: the AUTHORIZATION state starts over).
        session.setHandlerState(POP3Session.AUTHENTICATION_READY);
        if (!login.policy().allows(session)) {
            return Pop3Replies.PLAINTEXT_DISALLOWED;
        }
        Conversation conversation = new Conversation(mechanism.start());
        if (words.length == 1) {
            return conversation.next(session, conversation.exchange.begin());
        }
        byte[] initial;
        if (words[1].equals("=")) {
            initial = new byte[0];
        } else {
            initial = decode(words[1]);
            if (initial == null) {
                return NOT_BASE64;
            }
        }
        return conversation.next(session, conversation.exchange.respond(initial));
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }

    private static byte[] decode(String base64) {
        try {
            return Base64.getDecoder().decode(base64);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /** The lines of one AUTH exchange after the command line: they are responses, not commands. */
    private final class Conversation implements LineHandler<POP3Session> {

        private final SaslMechanism.Exchange exchange;
        private boolean listening;

        Conversation(SaslMechanism.Exchange exchange) {
            this.exchange = exchange;
        }

        @Override
        public Response onLine(POP3Session session, byte[] line) {
            String text = new String(line, StandardCharsets.US_ASCII).strip();
            if (text.equals("*")) {
                return end(session, CANCELLED);
            }
            byte[] response = decode(text);
            if (response == null) {
                return end(session, NOT_BASE64);
            }
            return next(session, exchange.respond(response));
        }

        Response next(POP3Session session, SaslMechanism.Step step) {
            return switch (step) {
                case SaslMechanism.Challenge challenge -> {
                    if (!listening) {
                        session.pushLineHandler(this);
                        listening = true;
                    }
                    yield new POP3Response("+", Base64.getEncoder().encodeToString(challenge.data()));
                }
                case SaslMechanism.Credentials credentials ->
                        end(session, login.login(session, credentials.username(), credentials.password()));
                case SaslMechanism.Malformed malformed -> end(session, Pop3Replies.AUTHENTICATION_FAILED);
            };
        }

        private Response end(POP3Session session, Response response) {
            if (listening) {
                session.popLineHandler();
                listening = false;
            }
            return response;
        }
    }
}
