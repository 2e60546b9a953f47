package io.mailroom.smtp.server;

import java.util.List;
import java.util.regex.Pattern;

import io.mailroom.smtp.SmtpReply;
import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.LineHandler;
import org.apache.james.protocols.api.handler.ProtocolHandler;
import org.apache.james.protocols.api.handler.ProtocolHandlerResultHandler;
import org.apache.james.protocols.smtp.SMTPResponse;
import org.apache.james.protocols.api.ProtocolSession;

/**
 * Looks at every reply to a command before it goes out: adds an enhanced status code where James left it out
 * (RFC 2034 3: every reply but the greeting and the answers to EHLO/HELO), and counts 4xx/5xx replies against
 * the connection's error limit; the reply that exceeds it becomes {@code 421 4.7.0} and the connection closes.
 * James's 504 for an unknown MAIL/RCPT parameter becomes RFC 5321's 555.
 */
final class SmtpReplyPolicy implements ProtocolHandlerResultHandler<Response, ProtocolSession> {

    private static final Pattern ENHANCED = Pattern.compile("^[245]\\.\\d{1,3}\\.\\d{1,3}( |$).*", Pattern.DOTALL);

    private final int maxErrors;

    SmtpReplyPolicy(int maxErrors) {
        this.maxErrors = maxErrors;
    }

    @Override
    public Response onResponse(ProtocolSession session, Response response, long executionTime, ProtocolHandler handler) {
        // James calls result handlers twice per command: in the dispatcher (handler: the command handler) and
        // around the line handler. Only the second sees the reply that is actually written.
        if (response == null || !(handler instanceof LineHandler) || !(session instanceof MailroomSmtpProtocol.Session counted)) {
            return response;
        }
        String code = response.getRetCode();
        if ((code.startsWith("4") || code.startsWith("5")) && counted.countError() > maxErrors) {
            return SmtpReply.TOO_MANY_ERRORS.responseThenDisconnect();
        }
        String command = counted.currentCommand();
        if (code.equals("504") && (command.equals("MAIL") || command.equals("RCPT"))) {
            // RFC 5321 4.1.1.11: an unknown MAIL or RCPT parameter is 555 (James answers 504).
            response = rewritten("555", response);
            code = "555";
        }
        if (command.equals("EHLO") || command.equals("HELO") || !(code.startsWith("2") || code.startsWith("4") || code.startsWith("5"))) {
            return response;
        }
        return withEnhancedCode(response);
    }

    private static Response rewritten(String code, Response response) {
        SMTPResponse rewritten = null;
        for (CharSequence line : response.getLines()) {
            if (rewritten == null) {
                rewritten = new SMTPResponse(code, text(line));
            } else {
                rewritten.appendLine(text(line));
            }
        }
        rewritten.setEndSession(response.isEndSession());
        return rewritten;
    }

    static Response withEnhancedCode(Response response) {
        List<CharSequence> lines = response.getLines();
        String code = response.getRetCode();
        boolean missing = lines.stream().anyMatch(line -> !ENHANCED.matcher(text(line)).matches());
        if (!missing) {
            return response;
        }
        String enhanced = defaultEnhancedCode(code);
        SMTPResponse rewritten = null;
        for (CharSequence line : lines) {
            String text = text(line);
            String withCode = ENHANCED.matcher(text).matches() ? text : enhanced + " " + text;
            if (rewritten == null) {
                rewritten = new SMTPResponse(code, withCode);
            } else {
                rewritten.appendLine(withCode);
            }
        }
        rewritten.setEndSession(response.isEndSession());
        return rewritten;
    }

    private static String text(CharSequence line) {
        String string = line.toString();
        return string.length() > 4 ? string.substring(4) : "";
    }

    /** RFC 3463 codes for the replies RFC 5321 4.2.2 lists, where James gave none. */
    static String defaultEnhancedCode(String code) {
        return switch (code) {
            case "500" -> "5.5.2";
            case "501", "504", "555" -> "5.5.4";
            case "502", "503" -> "5.5.1";
            case "552" -> "5.3.4";
            case "553" -> "5.1.3";
            case "421", "451" -> "4.3.0";
            case "452" -> "4.3.1";
            case "454" -> "4.7.0";
            default -> code.charAt(0) + ".0.0";
        };
    }
}
