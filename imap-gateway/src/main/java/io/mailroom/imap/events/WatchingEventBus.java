package io.mailroom.imap.events;

import java.util.Collection;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;

import org.apache.james.events.Event;
import org.apache.james.events.EventBus;
import org.apache.james.events.EventBusName;
import org.apache.james.events.EventListener;
import org.apache.james.events.Group;
import org.apache.james.events.GroupAlreadyRegistered;
import org.apache.james.events.Registration;
import org.apache.james.events.RegistrationKey;
import org.apache.james.mailbox.events.MailboxIdRegistrationKey;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Mono;

/**
 * James's in-VM event bus, telling the {@link ChangeEventBridge} which mailboxes sessions are listening to: James's
 * selected mailboxes register for their mailbox's events ({@link MailboxIdRegistrationKey}) at SELECT and unregister
 * when they are left, which is exactly when outside changes must be brought in.
 */
public final class WatchingEventBus implements EventBus, AutoCloseable {

    private final EventBus delegate;
    private final ChangeEventBridge bridge;

    public WatchingEventBus(EventBus delegate, ChangeEventBridge bridge) {
        this.delegate = delegate;
        this.bridge = bridge;
    }

    @Override
    public Publisher<Registration> register(EventListener.ReactiveEventListener listener, RegistrationKey key) {
        if (!(key instanceof MailboxIdRegistrationKey mailboxKey)) {
            return delegate.register(listener, key);
        }
        return Mono.from(delegate.register(listener, key))
                .map(registration -> {
                    bridge.watch(mailboxKey.getMailboxId());
                    AtomicBoolean unwatched = new AtomicBoolean();
                    return (Registration) () -> Mono.from(registration.unregister())
                            .doFinally(signal -> {
                                if (unwatched.compareAndSet(false, true)) {
                                    bridge.unwatch(mailboxKey.getMailboxId());
                                }
                            });
                });
    }

    @Override
    public Publisher<Registration> register(EventListener.ReactiveEventListener listener, Collection<RegistrationKey> keys) {
        return EventBus.super.register(listener, keys);
    }

    @Override
    public Registration register(EventListener.ReactiveEventListener listener, Group group) throws GroupAlreadyRegistered {
        return delegate.register(listener, group);
    }

    @Override
    public Mono<Void> dispatch(Event event, Set<RegistrationKey> keys) {
        return delegate.dispatch(event, keys);
    }

    @Override
    public Mono<Void> reDeliver(Group group, Event event) {
        return delegate.reDeliver(group, event);
    }

    @Override
    public EventBusName eventBusName() {
        return delegate.eventBusName();
    }

    @Override
    public Collection<Group> listRegisteredGroups() {
        return delegate.listRegisteredGroups();
    }

    /** Stops the bridge: no more outside changes are brought in. */
    @Override
    public void close() {
        bridge.close();
    }
}
