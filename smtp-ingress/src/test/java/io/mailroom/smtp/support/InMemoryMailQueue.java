package io.mailroom.smtp.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import io.mailroom.queue.MailQueue;
import io.mailroom.queue.QueueUnavailableException;
import io.mailroom.queue.QueuedMail;

/** A queue that keeps what it is given, or refuses everything while {@link #failing} is set. */
public final class InMemoryMailQueue implements MailQueue {

    private final List<QueuedMail> messages = new CopyOnWriteArrayList<>();
    private volatile boolean failing;

    @Override
    public void enqueue(QueuedMail mail) throws QueueUnavailableException {
        if (failing) {
            throw new QueueUnavailableException("broker did not confirm", null);
        }
        messages.add(mail);
    }

    public List<QueuedMail> messages() {
        return List.copyOf(messages);
    }

    public void failing(boolean failing) {
        this.failing = failing;
    }

    public void reset() {
        messages.clear();
        failing = false;
    }
}
