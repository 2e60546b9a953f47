package io.mailroom.pop3.command;

import org.apache.james.protocols.api.Response;
import org.apache.james.protocols.api.handler.ConnectHandler;
import org.apache.james.protocols.pop3.POP3Response;
import org.apache.james.protocols.pop3.POP3Session;

/**
 * The greeting (RFC 1939 §4). Unlike James's {@code WelcomeMessageHandler} it carries no APOP
 * timestamp, because Mailroom does not offer APOP (it needs the clear-text password on the server).
 */
public class Greeting implements ConnectHandler<POP3Session> {

    @Override
    public Response onConnect(POP3Session session) {
        return new POP3Response(POP3Response.OK_RESPONSE,
                session.getConfiguration().getHelloName() + " " + session.getConfiguration().getSoftwareName() + " ready");
    }
}
