package io.mailroom.imap.conformance;

import org.apache.james.mpt.api.ImapHostSystem;
import org.apache.james.mpt.imapmailbox.suite.QuotaTest;

class QuotaIT extends QuotaTest {

    @Override
    protected ImapHostSystem createImapHostSystem() {
        return MailroomImapHostSystem.started();
    }
}
