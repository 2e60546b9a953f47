package io.mailroom.imap.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Arrays;

import org.apache.james.mailbox.exception.MailboxException;
import org.apache.james.mailbox.exception.UnsupportedOperationException;
import org.apache.james.mailbox.store.transaction.Mapper;
import org.reactivestreams.Publisher;

import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Stand-ins for the parts of James's store SPI that mailbox-api does not serve to the IMAP gateway
 * yet. Every call fails with James's own {@link UnsupportedOperationException} (a
 * {@link MailboxException}), which the IMAP processors answer with a tagged {@code NO}: a client
 * sees a clean refusal, never a stack trace or a hang.
 *
 * <p>Each interface handed out here is one that the store issue replaces with a class calling
 * mailbox-api; grep for {@code NotYetServed.stub} to see what is left.
 */
final class NotYetServed {

    private NotYetServed() {
    }

    static <T> T stub(Class<T> type) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, new Refusal(type)));
    }

    static UnsupportedOperationException failure(Class<?> type, String operation) {
        return new UnsupportedOperationException(
                "imap-gateway does not serve " + type.getSimpleName() + "." + operation + " yet");
    }

    private record Refusal(Class<?> type) implements InvocationHandler {

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                    case "equals" -> proxy == args[0];
                    case "hashCode" -> System.identityHashCode(proxy);
                    default -> "NotYetServed[" + type.getSimpleName() + "]";
                };
            }
            if (method.getDeclaringClass() == Mapper.class) {
                // endRequest() after every command, and the transaction wrappers around real calls
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            UnsupportedOperationException failure = failure(type, method.getName());
            Class<?> returned = method.getReturnType();
            if (Flux.class.isAssignableFrom(returned)) {
                return Flux.error(failure);
            }
            if (Mono.class.isAssignableFrom(returned) || Publisher.class.isAssignableFrom(returned)) {
                return Mono.error(failure);
            }
            boolean declared = Arrays.stream(method.getExceptionTypes())
                    .anyMatch(declaredType -> declaredType.isAssignableFrom(MailboxException.class));
            if (declared) {
                throw failure;
            }
            // Not allowed to throw a checked exception here: an unchecked one still ends in a NO,
            // through the processors' catch-all.
            throw new java.lang.UnsupportedOperationException(failure.getMessage(), failure);
        }
    }
}
