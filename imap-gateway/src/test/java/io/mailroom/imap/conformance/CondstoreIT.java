package io.mailroom.imap.conformance;

import org.apache.james.mpt.host.JamesImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.Condstore;

class CondstoreIT extends Condstore {

    @Override
    protected JamesImapHostSystem createJamesImapHostSystem() {
        return MailroomImapHostSystem.started();
    }
}
