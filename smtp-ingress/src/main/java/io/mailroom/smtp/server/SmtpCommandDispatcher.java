package io.mailroom.smtp.server;

import io.mailroom.smtp.SmtpReply;
import io.mailroom.smtp.session.TransactionOptions;
import io.mailroom.smtp.session.Utf8Addresses;
import org.apache.james.protocols.api.BaseRequest;
import org.apache.james.protocols.api.Request;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.CommandDispatcher;
import org.apache.james.protocols.smtp.SMTPSession;

/**
 * James's command dispatcher with two things in front: the limit on commands per connection, and
 * internationalised addresses (RFC 6531) in MAIL and RCPT, which are refused with 553 5.6.7 unless the
 * transaction asked for SMTPUTF8, and otherwise replaced by stand-ins James can parse ({@link Utf8Addresses}).
 */
final class SmtpCommandDispatcher extends CommandDispatcher<SMTPSession> {

    private final int maxCommands;

    SmtpCommandDispatcher(int maxCommands) {
        this.maxCommands = maxCommands;
    }

    @Override
    protected Response dispatchCommandHandlers(SMTPSession session, Request request) {
        if (session instanceof MailroomSmtpProtocol.Session counted && counted.countCommand(request.getCommand()) > maxCommands) {
            return SmtpReply.TOO_MANY_COMMANDS.responseThenDisconnect();
        }
        String argument = request.getArgument();
        boolean mail = "MAIL".equals(request.getCommand());
        if ((mail || "RCPT".equals(request.getCommand())) && argument != null && !Utf8Addresses.isAscii(argument)) {
            boolean smtpUtf8 = mail ? asksForSmtpUtf8(argument) : TransactionOptions.of(session).smtpUtf8();
            if (!smtpUtf8) {
                return SmtpReply.UTF8_REQUIRED.response();
            }
            try {
                request = new BaseRequest(request.getCommand(), withStandIn(session, argument));
            } catch (IllegalArgumentException e) {
                return SmtpReply.INVALID_PARAMETER.response();
            }
        }
        return super.dispatchCommandHandlers(session, request);
    }

    private static boolean asksForSmtpUtf8(String argument) {
        int close = argument.indexOf('>');
        String parameters = close < 0 ? "" : argument.substring(close + 1);
        for (String parameter : parameters.trim().split("\\s+")) {
            if (parameter.equalsIgnoreCase("SMTPUTF8")) {
                return true;
            }
        }
        return false;
    }

    /** {@code FROM:<jösé@exämple.org> SMTPUTF8} → {@code FROM:<u8-6a…@xn--exmple-cua.org> SMTPUTF8}. */
    private static String withStandIn(SMTPSession session, String argument) {
        int open = argument.indexOf('<');
        int close = argument.indexOf('>', open + 1);
        if (open < 0 || close < 0) {
            throw new IllegalArgumentException("no address in angle brackets");
        }
        String address = argument.substring(open + 1, close);
        if (Utf8Addresses.isAscii(address)) {
            return argument;
        }
        return argument.substring(0, open + 1) + Utf8Addresses.standIn(session, address) + argument.substring(close);
    }
}
