package io.mailroom.smtp.server;

import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.hook.SessionErrors;
import org.apache.james.protocols.api.ProtocolSession;
import org.apache.james.protocols.api.ProtocolTransport;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ProtocolHandlerChain;
import org.apache.james.protocols.smtp.SMTPConfiguration;
import org.apache.james.protocols.smtp.SMTPProtocol;
import org.apache.james.protocols.smtp.SMTPSessionImpl;
import org.apache.james.protocols.smtp.core.DataCmdHandler;

/** James's SMTP protocol with Mailroom's session: see {@link Session}. */
final class MailroomSmtpProtocol extends SMTPProtocol {

    MailroomSmtpProtocol(ProtocolHandlerChain chain, SMTPConfiguration config) {
        super(chain, config);
    }

    @Override
    public ProtocolSession newSession(ProtocolTransport transport) {
        return new Session(transport, (SMTPConfiguration) getConfiguration());
    }

    /**
     * An SMTP session that reads commands as UTF-8 (RFC 6531; ASCII reads the same), answers with enhanced
     * status codes where James does not, counts commands and errors for the per-connection limits, and turns a
     * too-long line in the middle of message data into a failed message rather than a stray reply.
     */
    static final class Session extends SMTPSessionImpl {

        static final ProtocolSession.AttachmentKey<Boolean> LINE_TOO_LONG_IN_DATA =
                ProtocolSession.AttachmentKey.of("mailroom.lineTooLongInData", Boolean.class);

        private int commands;
        private int errors;
        private String currentCommand = "";

        Session(ProtocolTransport transport, SMTPConfiguration config) {
            super(transport, config);
            setAttachment(SessionErrors.FORGIVE, this::forgiveErrors, State.Connection);
        }

        @Override
        public Charset getCharset() {
            return StandardCharsets.UTF_8;
        }

        @Override
        public Response newLineTooLongResponse() {
            if (getAttachment(DataCmdHandler.MAILENV, State.Transaction).isPresent()) {
                // A reply now would be read as the answer to the whole message; it comes at the end of DATA.
                setAttachment(LINE_TOO_LONG_IN_DATA, true, State.Transaction);
                return null;
            }
            return SmtpReply.LINE_TOO_LONG.response();
        }

        @Override
        public Response newFatalErrorResponse() {
            return SmtpReply.LOCAL_ERROR_PROCESSING.response();
        }

        @Override
        public Response newCommandNotFoundErrorResponse() {
            return SmtpReply.COMMAND_UNRECOGNIZED.response();
        }

        int countCommand(String command) {
            currentCommand = command;
            return ++commands;
        }

        String currentCommand() {
            return currentCommand;
        }

        int countError() {
            return ++errors;
        }

        /** A message got through: the errors before it do not count against the client any more. */
        void forgiveErrors() {
            errors = 0;
        }
    }
}
