package io.mailroom.imap.store;

import org.apache.james.mailbox.MailboxSession;
import org.apache.james.mailbox.store.MailboxSessionMapperFactory;
import org.apache.james.mailbox.store.mail.AnnotationMapper;
import org.apache.james.mailbox.store.mail.MailboxMapper;
import org.apache.james.mailbox.store.mail.MessageIdMapper;
import org.apache.james.mailbox.store.mail.MessageMapper;
import org.apache.james.mailbox.store.mail.ModSeqProvider;
import org.apache.james.mailbox.store.mail.UidProvider;
import org.apache.james.mailbox.store.user.SubscriptionMapper;

import io.mailroom.mailbox.client.MailboxApiClient;

/**
 * James's store SPI over mailbox-api: the one place where the IMAP engine's reads and writes turn
 * into calls to mailbox-api (batched, with bounded timeouts, per DESIGN.md "Threading").
 *
 * <p>UIDs and MODSEQs are assigned by mailbox-api, never here, because delivery-service writes to the
 * same mailboxes: the {@link UidProvider} and {@link ModSeqProvider} will only read what mailbox-api
 * assigned.
 *
 * <p>Threads: James calls the reactive mapper methods from the Netty I/O thread of the connection
 * (SELECT, STATUS, LIST do); the implementations must move their mailbox-api calls off it
 * ({@code subscribeOn} a bounded blocking scheduler) and never block there.
 *
 * <p>The walking skeleton serves LOGIN only (see {@link MailboxApiMailboxMapper}); the other mappers
 * are {@link NotYetServed} stand-ins that refuse cleanly.
 */
public class MailboxApiMapperFactory extends MailboxSessionMapperFactory {

    private final MailboxApiClient client;

    public MailboxApiMapperFactory(MailboxApiClient client) {
        this.client = client;
    }

    /** What the mappers will call; unused until the store issue gives them real work. */
    MailboxApiClient client() {
        return client;
    }

    @Override
    public MailboxMapper createMailboxMapper(MailboxSession session) {
        return new MailboxApiMailboxMapper(session);
    }

    @Override
    public MessageMapper createMessageMapper(MailboxSession session) {
        return NotYetServed.stub(MessageMapper.class);
    }

    @Override
    public MessageIdMapper createMessageIdMapper(MailboxSession session) {
        return NotYetServed.stub(MessageIdMapper.class);
    }

    @Override
    public SubscriptionMapper createSubscriptionMapper(MailboxSession session) {
        return NotYetServed.stub(SubscriptionMapper.class);
    }

    @Override
    public AnnotationMapper createAnnotationMapper(MailboxSession session) {
        return NotYetServed.stub(AnnotationMapper.class);
    }

    @Override
    public UidProvider getUidProvider() {
        return NotYetServed.stub(UidProvider.class);
    }

    @Override
    public ModSeqProvider getModSeqProvider() {
        return NotYetServed.stub(ModSeqProvider.class);
    }
}
