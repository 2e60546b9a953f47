package io.mailroom.imap.conformance;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Copy;

class CopyIT extends Copy {

    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomImapHostSystem.started();
    }
}
