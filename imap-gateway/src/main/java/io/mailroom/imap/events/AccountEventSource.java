package io.mailroom.imap.events;

import io.mailroom.mailbox.client.AuthenticatedAccount;
import io.mailroom.mailbox.client.events.EventSubscription;
import io.mailroom.mailbox.client.events.MailboxEventListener;
import io.mailroom.mailbox.client.events.MailboxEventSubscriber;

/**
 * Where the bridge gets an account's change events: mailbox-api's event stream ({@link MailboxEventSubscriber}) when
 * the deployment has one, or {@link PollingEventSource} otherwise.
 */
public interface AccountEventSource extends AutoCloseable {

    EventSubscription subscribe(long accountId, String account, MailboxEventListener listener);

    @Override
    void close();

    static AccountEventSource of(MailboxEventSubscriber subscriber) {
        return new AccountEventSource() {
            @Override
            public EventSubscription subscribe(long accountId, String account, MailboxEventListener listener) {
                return subscriber.subscribe(new AuthenticatedAccount(accountId, account), listener);
            }

            @Override
            public void close() {
                subscriber.close();
            }
        };
    }
}
