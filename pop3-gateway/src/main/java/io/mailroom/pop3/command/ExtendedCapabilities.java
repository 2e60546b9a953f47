package io.mailroom.pop3.command;

import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.CapaCapability;

/**
 * Announces in CAPA that replies may carry extended response codes (RESP-CODES, RFC 2449 §6.4) and
 * that [AUTH] / [SYS/TEMP] are among them (AUTH-RESP-CODE, RFC 3206 §6): clients only act on those
 * codes when the server says so.
 */
public class ExtendedCapabilities implements ProtocolHandler, CapaCapability {

    private static final Set<String> CAPABILITIES = Collections.unmodifiableSequencedSet(
            new LinkedHashSet<>(List.of("RESP-CODES", "AUTH-RESP-CODE")));

    @Override
    public Set<String> getImplementedCapabilities(POP3Session session) {
        return CAPABILITIES;
    }
}
