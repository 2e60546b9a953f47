package io.mailroom.imap.conformance;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Move;

class MoveIT extends Move {

    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomImapHostSystem.started();
    }
}
