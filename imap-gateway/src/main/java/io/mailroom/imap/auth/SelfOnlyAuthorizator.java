package io.mailroom.imap.auth;

import org.apache.james.core.Username;
import org.apache.james.mailbox.Authorizator;

/**
 * No delegation: a user may act only as themself. AUTHENTICATE PLAIN with an authorization identity
 * naming someone else (RFC 4616 §2) is refused until mailbox-api models shared access.
 */
public class SelfOnlyAuthorizator implements Authorizator {

    @Override
    public AuthorizationState canLoginAsOtherUser(Username userId, Username otherUserId) {
        return userId.equals(otherUserId) ? AuthorizationState.ALLOWED : AuthorizationState.FORBIDDEN;
    }
}
