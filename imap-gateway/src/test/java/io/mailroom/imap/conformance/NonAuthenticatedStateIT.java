package io.mailroom.imap.conformance;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.NonAuthenticatedState;

class NonAuthenticatedStateIT extends NonAuthenticatedState {

    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomImapHostSystem.started();
    }
}
