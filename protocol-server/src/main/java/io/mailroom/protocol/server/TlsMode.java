package io.mailroom.protocol.server;

/** How a listener offers TLS. */
public enum TlsMode {
    /** Plain text only (tests, or a listener behind a TLS-terminating proxy). */
    NONE,
    /** Plain text first; the client upgrades with the protocol's command (SMTP STARTTLS, RFC 3207; POP3 STLS, RFC 2595). */
    STARTTLS,
    /** TLS from the first byte (RFC 8314 "implicit TLS": ports 465, 993, 995). */
    IMPLICIT
}
