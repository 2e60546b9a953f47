package io.mailroom.pop3.command;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.AbstractPOP3CommandHandler;

import io.mailroom.pop3.login.PlaintextAuthPolicy;

/**
 * CAPA (RFC 2449 §5): what this server offers on this connection.
 *
 * <p>RFC 2449 announces its capabilities in both states, with no difference between them, so the list does
 * not change at login: TOP and UIDL are there before it (James 3.8.1 hides them, and clients decide on
 * "leave mail on the server" from the first CAPA). It changes with the connection only: STLS until TLS is on
 * (RFC 2595 §4: a client asks again after STLS), and USER and SASL only where a password may be sent
 * ({@link PlaintextAuthPolicy}), so that a client goes for STLS first.
 */
public class CapaCommand extends AbstractPOP3CommandHandler {

    private static final Set<String> COMMANDS = Set.of("CAPA");

    private final MetricFactory metricFactory;
    private final PlaintextAuthPolicy policy;
    private final Settings settings;

    /**
     * @param expire         {@code NEVER} or days (RFC 2449 §6.7); null: not announced
     * @param loginDelay     RFC 2449 §6.5; null: not announced
     * @param implementation RFC 2449 §6.9; blank: not announced
     * @param saslMechanisms the AUTH mechanisms (RFC 5034 §3)
     */
    public record Settings(String expire, Duration loginDelay, String implementation, List<String> saslMechanisms) {
    }

    public CapaCommand(MetricFactory metricFactory, PlaintextAuthPolicy policy, Settings settings) {
        this.metricFactory = metricFactory;
        this.policy = policy;
        this.settings = settings;
    }

    @Override
    public Response onCommand(POP3Session session, Request request) {
        return metricFactory.decorateSupplierWithTimerMetric("pop3-capa", () -> {
            POP3Response response = new POP3Response(POP3Response.OK_RESPONSE, "Capability list follows");
            capabilities(session).forEach(response::appendLine);
            response.appendLine(".");
            return response;
        });
    }

    List<String> capabilities(POP3Session session) {
        List<String> capabilities = new ArrayList<>(List.of("TOP", "UIDL", "RESP-CODES", "AUTH-RESP-CODE", "PIPELINING"));
        if (settings.expire() != null) {
            capabilities.add("EXPIRE " + settings.expire());
        }
        if (settings.loginDelay() != null) {
            capabilities.add("LOGIN-DELAY " + settings.loginDelay().toSeconds());
        }
        if (session.isStartTLSSupported() && !session.isTLSStarted()) {
            capabilities.add("STLS");
        }
        if (policy.allows(session)) {
            capabilities.add("USER");
            capabilities.add("SASL " + String.join(" ", settings.saslMechanisms()));
        }
        if (settings.implementation() != null && !settings.implementation().isBlank()) {
            capabilities.add("IMPLEMENTATION " + settings.implementation().strip());
        }
        return capabilities;
    }

    @Override
    public Collection<String> getImplCommands() {
        return COMMANDS;
    }
}
