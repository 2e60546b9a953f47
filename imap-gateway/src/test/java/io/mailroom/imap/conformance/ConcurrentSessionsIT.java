package io.mailroom.imap.conformance;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.ConcurrentSessions;

class ConcurrentSessionsIT extends ConcurrentSessions {

    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomImapHostSystem.started();
    }
}
