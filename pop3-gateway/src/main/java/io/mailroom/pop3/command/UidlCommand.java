package io.mailroom.pop3.command;

import java.util.Set;

import org.apache.james.metrics.api.MetricFactory;
import org.apache.james.protocols.pop3.POP3Session;
import org.apache.james.protocols.pop3.core.UidlCmdHandler;

/**
 * UIDL (RFC 1939 §7); the values are {@code <uidvalidity>.<uid>} (see
 * {@link io.mailroom.pop3.maildrop.MailboxApiMaildrop}). Announced in CAPA before login as well: RFC
 * 2449 §5 lets a server list what the session will offer, and clients decide on leave-mail-on-server
 * from the first CAPA (James only lists it after login).
 */
public class UidlCommand extends UidlCmdHandler {

    private static final Set<String> CAPABILITIES = Set.of("UIDL");

    public UidlCommand(MetricFactory metricFactory) {
        super(metricFactory);
    }

    @Override
    public Set<String> getImplementedCapabilities(POP3Session session) {
        return CAPABILITIES;
    }
}
