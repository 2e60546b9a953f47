package io.mailroom.imap.store;

import java.util.concurrent.Callable;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.MailboxExistsException;
import org.apache.james.mailbox.exception.MailboxNameException;
import org.apache.james.mailbox.exception.MailboxNotFoundException;
import org.apache.james.mailbox.exception.OverQuotaException;
import org.apache.james.core.quota.QuotaCountLimit;
import org.apache.james.core.quota.QuotaCountUsage;

import io.mailroom.mailbox.client.MailboxApiException;
import io.mailroom.mailbox.client.MailboxApiUnavailableException;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Turns mailbox-api's answers into the {@link MailboxException}s James's IMAP processors know how to answer: a
 * missing mailbox is {@code NO [NONEXISTENT]}-like, an existing one {@code NO [ALREADYEXISTS]}, a quota refusal
 * {@code NO [OVERQUOTA]}; an unreachable mailbox-api is a plain {@code MailboxException} (a {@code NO}), never a
 * hang: every call of the client has a bounded timeout.
 *
 * <p>The reactive helpers run the call on the subscribing thread: the IMAP processor chain already runs on the
 * gateway's bounded command pool (see {@code OffloadingImapProcessor}), never on a Netty I/O thread.
 */
final class StoreFailures {

    static final String MAILBOX_NOT_FOUND = "mailbox-not-found";
    static final String MAILBOX_EXISTS = "mailbox-exists";
    static final String INVALID_MAILBOX_NAME = "invalid-mailbox-name";
    static final String RENAME_INTO_ITSELF = "rename-into-itself";
    static final String QUOTA_EXCEEDED = "quota-exceeded";
    static final String MESSAGE_NOT_FOUND = "message-not-found";

    private StoreFailures() {
    }

    @FunctionalInterface
    interface Call<T> {
        T call() throws Exception;
    }

    static <T> T call(String what, Call<T> call) throws MailboxException {
        try {
            return call.call();
        } catch (MailboxException e) {
            throw e;
        } catch (RuntimeException e) {
            throw translate(what, e);
        } catch (Exception e) {
            throw new MailboxException(what + " failed: " + e.getMessage(), e);
        }
    }

    static void run(String what, Runnable call) throws MailboxException {
        call(what, () -> {
            call.run();
            return null;
        });
    }

    static <T> Mono<T> mono(String what, Call<T> call) {
        return Mono.fromCallable((Callable<T>) () -> call(what, call));
    }

    static <T> Flux<T> flux(String what, Call<? extends Iterable<T>> call) {
        return Mono.fromCallable(() -> call(what, call)).flatMapIterable(items -> items);
    }

    static MailboxException translate(String what, RuntimeException e) {
        if (e instanceof MailboxApiUnavailableException) {
            return new MailboxException("mailbox-api unavailable during " + what, e);
        }
        if (e instanceof MailboxApiException api) {
            String message = what + ": " + api.getMessage();
            return switch (api.code() == null ? "" : api.code()) {
                case MAILBOX_NOT_FOUND -> new MailboxNotFoundException(message);
                case MAILBOX_EXISTS -> new MailboxExistsException(message);
                case INVALID_MAILBOX_NAME, RENAME_INTO_ITSELF -> new MailboxNameException(message, api);
                case QUOTA_EXCEEDED -> new OverQuotaException(message, QuotaCountLimit.count(0), QuotaCountUsage.count(0));
                default -> new MailboxException(message, api);
            };
        }
        return new MailboxException(what + " failed: " + e.getMessage(), e);
    }

    static boolean isNotFound(RuntimeException e) {
        return e instanceof MailboxApiException api
                && (MAILBOX_NOT_FOUND.equals(api.code()) || MESSAGE_NOT_FOUND.equals(api.code()));
    }
}
