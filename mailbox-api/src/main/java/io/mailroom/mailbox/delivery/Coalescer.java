package io.mailroom.mailbox.delivery;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Does the work of callers that arrive together as one piece of work: a caller that finds fewer than
 * {@code concurrentGroups} groups at work does its own at once, with whatever else is waiting (so a lone caller never
 * waits for company); one that finds them all busy waits, and the next group takes it with everyone else who arrived
 * meanwhile, up to {@code maxGroup}. Under load groups grow by themselves; idle, each caller is a group of one.
 *
 * <p>A group is done on the thread of the caller that started it; a group that finds more callers waiting when it ends
 * hands them to a new virtual thread, so no caller's answer waits for work that came after it.
 *
 * @param <T> what a caller brings
 * @param <R> what it gets back
 */
final class Coalescer<T, R> {

    private record Waiting<T, R>(T item, CompletableFuture<R> result) {
    }

    private final Function<List<T>, List<R>> work;
    private final int maxGroup;
    private final int concurrentGroups;
    private final Consumer<Integer> groupSizes;
    private final ReentrantLock lock = new ReentrantLock();
    private final ArrayDeque<Waiting<T, R>> waiting = new ArrayDeque<>();
    private int running;

    /**
     * @param work             does a group: one result per item, in the items' order
     * @param maxGroup         items per group at most
     * @param concurrentGroups groups at work at once at most
     * @param groupSizes       told each group's size before it is done (a metric)
     */
    Coalescer(Function<List<T>, List<R>> work, int maxGroup, int concurrentGroups, Consumer<Integer> groupSizes) {
        if (maxGroup < 1 || concurrentGroups < 1) {
            throw new IllegalArgumentException("maxGroup and concurrentGroups must be positive");
        }
        this.work = work;
        this.maxGroup = maxGroup;
        this.concurrentGroups = concurrentGroups;
        this.groupSizes = groupSizes;
    }

    /** Does the caller's item in a group and answers its result; rethrows what the group's work threw. */
    R submit(T item) {
        Waiting<T, R> mine = new Waiting<>(item, new CompletableFuture<>());
        List<Waiting<T, R>> group = null;
        lock.lock();
        try {
            waiting.add(mine);
            if (running < concurrentGroups) {
                running++;
                group = take();
            }
        } finally {
            lock.unlock();
        }
        if (group != null) {
            run(group);
        }
        try {
            return mine.result().join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw e;
        }
    }

    /** Callers waiting for a group (not those whose group is at work). */
    int waiting() {
        lock.lock();
        try {
            return waiting.size();
        } finally {
            lock.unlock();
        }
    }

    /** The oldest waiting callers, up to a group's size; the caller holds the lock. */
    private List<Waiting<T, R>> take() {
        List<Waiting<T, R>> group = new ArrayList<>(Math.min(maxGroup, waiting.size()));
        while (group.size() < maxGroup && !waiting.isEmpty()) {
            group.add(waiting.poll());
        }
        return group;
    }

    /** Does a group, answers its callers, then passes the next waiting group to a new thread or ends a group at work. */
    private void run(List<Waiting<T, R>> group) {
        try {
            groupSizes.accept(group.size());
            List<R> results = work.apply(group.stream().map(Waiting::item).toList());
            if (results.size() != group.size()) {
                throw new IllegalStateException(results.size() + " results for a group of " + group.size());
            }
            for (int i = 0; i < group.size(); i++) {
                group.get(i).result().complete(results.get(i));
            }
        } catch (Throwable failed) {
            for (Waiting<T, R> w : group) {
                w.result().completeExceptionally(failed);
            }
        }
        List<Waiting<T, R>> next;
        lock.lock();
        try {
            next = waiting.isEmpty() ? null : take();
            if (next == null) {
                running--;
            }
        } finally {
            lock.unlock();
        }
        if (next != null) {
            Thread.ofVirtual().name("mailroom-filing-group").start(() -> run(next));
        }
    }
}
