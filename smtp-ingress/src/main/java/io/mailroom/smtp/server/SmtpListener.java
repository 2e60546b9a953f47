package io.mailroom.smtp.server;

import io.mailroom.protocol.server.TlsMode;

/** The three kinds of SMTP listener and how they differ. */
public enum SmtpListener {

    /** Mail from other servers for local recipients (port 25's job): STARTTLS offered, no AUTH. */
    MX("smtp-mx", TlsMode.STARTTLS, false),
    /** Message submission (RFC 6409, port 587's job): STARTTLS, then AUTH, then mail to anyone. */
    SUBMISSION("smtp-submission", TlsMode.STARTTLS, true),
    /** Message submission over implicit TLS (RFC 8314, port 465's job). */
    SUBMISSIONS("smtp-submissions", TlsMode.IMPLICIT, true);

    private final String serverName;
    private final TlsMode tlsMode;
    private final boolean submission;

    SmtpListener(String serverName, TlsMode tlsMode, boolean submission) {
        this.serverName = serverName;
        this.tlsMode = tlsMode;
        this.submission = submission;
    }

    /** Names the listener's threads and log lines. */
    public String serverName() {
        return serverName;
    }

    public TlsMode tlsMode() {
        return tlsMode;
    }

    /** Submission listeners offer AUTH (over TLS only) and take mail only from authenticated clients. */
    public boolean submission() {
        return submission;
    }
}
