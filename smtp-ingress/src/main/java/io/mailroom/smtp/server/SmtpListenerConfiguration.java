package io.mailroom.smtp.server;

import java.util.Optional;

import org.apache.james.protocols.api.OidcSASLConfiguration;
import org.apache.james.protocols.api.ProtocolConfigurationImpl;
import org.apache.james.protocols.smtp.SMTPConfiguration;

/** What James's SMTP handlers ask of one listener's configuration. */
final class SmtpListenerConfiguration extends ProtocolConfigurationImpl implements SMTPConfiguration {

    private static final String SOFTWARE = "Mailroom";

    private final SmtpListener listener;
    private final String hostname;
    private final long maxMessageSize;

    SmtpListenerConfiguration(SmtpListener listener, String hostname, long maxMessageSize) {
        super(SOFTWARE);
        this.listener = listener;
        this.hostname = hostname;
        this.maxMessageSize = maxMessageSize;
    }

    /** The name in the greeting and the EHLO reply (RFC 5321 4.1.1.1, 4.2). */
    @Override
    public String getHelloName() {
        return hostname;
    }

    @Override
    public String getGreeting() {
        return hostname + " ESMTP " + SOFTWARE;
    }

    /** Announced with SIZE and enforced (RFC 1870). */
    @Override
    public long getMaxMessageSize() {
        return maxMessageSize;
    }

    /** Nobody relays by address; on submission, authenticating is what allows it. */
    @Override
    public boolean isRelayingAllowed(String remoteIP) {
        return false;
    }

    /** AUTH is offered on submission listeners, and only over TLS, so that no password travels in clear text. */
    @Override
    public boolean isAuthAnnounced(String remoteIP, boolean tlsStarted) {
        return listener.submission() && tlsStarted;
    }

    @Override
    public boolean useHeloEhloEnforcement() {
        return true;
    }

    @Override
    public boolean useAddressBracketsEnforcement() {
        return true;
    }

    /** PLAIN and LOGIN; safe because they are offered over TLS only. */
    @Override
    public boolean isPlainAuthEnabled() {
        return true;
    }

    @Override
    public Optional<OidcSASLConfiguration> saslConfiguration() {
        return Optional.empty();
    }
}
