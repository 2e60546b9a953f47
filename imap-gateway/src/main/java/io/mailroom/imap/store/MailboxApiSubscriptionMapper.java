package io.mailroom.imap.store;

import java.util.List;

import org.apache.james.core.Username;
import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.SubscriptionException;
import org.apache.james.mailbox.model.MailboxPath;
import org.apache.james.mailbox.store.user.SubscriptionMapper;
import org.apache.james.mailbox.store.user.model.Subscription;

/**
 * Subscriptions (RFC 9051 §6.3.7, LSUB, LIST (SUBSCRIBED)), kept by name in mailbox-api. James hands over escaped
 * paths ({@code #private:user:INBOX.Work}); mailbox-api keeps the account's own names ({@code INBOX/Work}).
 */
class MailboxApiSubscriptionMapper implements SubscriptionMapper {

    private final SessionStore store;

    MailboxApiSubscriptionMapper(SessionStore store) {
        this.store = store;
    }

    @Override
    public void save(Subscription subscription) throws SubscriptionException {
        String name = apiName(subscription);
        wrap(() -> StoreFailures.run("subscribe", () -> store.client().subscribe(store.account(), name)));
    }

    @Override
    public List<Subscription> findSubscriptionsForUser(Username user) throws SubscriptionException {
        List<String> names = wrap(() -> StoreFailures.call("list subscriptions", () -> store.client().subscriptions(store.account())));
        return names.stream()
                .map(name -> new Subscription(user, MailboxPath.forUser(user, MailboxNames.toJames(name)).asEscapedString()))
                .toList();
    }

    @Override
    public void delete(Subscription subscription) throws SubscriptionException {
        String name = apiName(subscription);
        wrap(() -> StoreFailures.run("unsubscribe", () -> store.client().unsubscribe(store.account(), name)));
    }

    private String apiName(Subscription subscription) throws SubscriptionException {
        MailboxPath path = MailboxPath.parseEscaped(subscription.getMailbox())
                .orElseGet(() -> MailboxPath.forUser(subscription.getUser(), subscription.getMailbox()));
        return wrap(() -> MailboxNames.toApi(path));
    }

    @FunctionalInterface
    private interface Call<T> {
        T call() throws MailboxException;
    }

    @FunctionalInterface
    private interface Action {
        void run() throws MailboxException;
    }

    private static <T> T wrap(Call<T> call) throws SubscriptionException {
        try {
            return call.call();
        } catch (SubscriptionException e) {
            throw e;
        } catch (MailboxException e) {
            throw new SubscriptionException(e);
        }
    }

    private static void wrap(Action action) throws SubscriptionException {
        wrap(() -> {
            action.run();
            return null;
        });
    }
}
