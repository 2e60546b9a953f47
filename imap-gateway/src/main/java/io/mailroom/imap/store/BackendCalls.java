package io.mailroom.imap.store;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

import org.apache.james.mailbox.MailboxSession;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

import io.mailroom.mailbox.client.store.MailboxStoreClient;

/**
 * Counts the gateway's calls to mailbox-api by the IMAP command in progress: the meter {@value #METER} (Prometheus
 * {@code imap_backend_calls_total}), tagged {@code command} (SELECT, FETCH, STORE…; {@value #NO_COMMAND} for calls
 * made outside any command: change-event catch-up, polling) and {@code call} (the
 * {@link MailboxStoreClient} method). Each count is one HTTP request: a paged read ({@code fetchAll}) counts each page.
 *
 * <p><b>Why.</b> A mailbox-api call costs far more than anything the gateway does itself (HTTP, MVC, security, a few
 * queries), so the number of calls per command is what decides the gateway's throughput; the ratio of this counter to
 * James's per-command timers shows which command makes too many.
 *
 * <p>The command is known per thread: {@link #begin} is called where the gateway hands a command to its command pool,
 * which runs the whole command (store calls block) on that thread; the few store calls James makes from threads of
 * its own are counted under the command of the session they serve ({@link #inCommandOf}).
 */
public final class BackendCalls {

    /** The meter's name. */
    public static final String METER = "imap.backend.calls";
    /** The {@code command} tag of calls made outside an IMAP command. */
    public static final String NO_COMMAND = "none";

    private static final ThreadLocal<String> COMMAND = new ThreadLocal<>();
    private static final String SESSION_COMMAND = "MAILROOM_IMAP_COMMAND";

    private BackendCalls() {
    }

    /**
     * The IMAP command the current thread and the session (null before login) run from now on. The session knows it
     * for the store calls James makes on other threads (APPEND stores from a Reactor scheduler of its own).
     */
    public static void begin(String command, MailboxSession session) {
        COMMAND.set(command);
        if (session != null) {
            session.getAttributes().put(SESSION_COMMAND, command);
        }
    }

    /** The command of the current thread and of the session has ended. */
    public static void end(MailboxSession session) {
        COMMAND.remove();
        if (session != null) {
            session.getAttributes().remove(SESSION_COMMAND);
        }
    }

    /**
     * The client as a session's store uses it: a call made on a thread that runs no command is counted under the
     * session's command.
     */
    static MailboxStoreClient inCommandOf(MailboxStoreClient client, MailboxSession session) {
        return (MailboxStoreClient) Proxy.newProxyInstance(MailboxStoreClient.class.getClassLoader(),
                new Class<?>[] {MailboxStoreClient.class}, (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class) {
                        return identity(proxy, method, args, client);
                    }
                    String adopted = COMMAND.get() == null
                            && session.getAttributes().get(SESSION_COMMAND) instanceof String command ? command : null;
                    if (adopted != null) {
                        COMMAND.set(adopted);
                    }
                    try {
                        return method.invoke(client, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    } finally {
                        if (adopted != null) {
                            COMMAND.remove();
                        }
                    }
                });
    }

    private static Object identity(Object proxy, Method method, Object[] args, Object target) throws Exception {
        return switch (method.getName()) {
            case "equals" -> proxy == args[0];
            case "hashCode" -> System.identityHashCode(proxy);
            case "toString" -> "counted " + target;
            default -> method.invoke(target, args);
        };
    }

    /** The command the current thread runs, or {@value #NO_COMMAND}. */
    static String current() {
        String command = COMMAND.get();
        return command == null ? NO_COMMAND : command;
    }

    /**
     * The client, counting each call in the registry the supplier gives (looked up at the first call, so that the
     * client can be wrapped before the registry exists).
     */
    public static MailboxStoreClient counting(MailboxStoreClient client, Supplier<MeterRegistry> registry) {
        return (MailboxStoreClient) Proxy.newProxyInstance(MailboxStoreClient.class.getClassLoader(),
                new Class<?>[] {MailboxStoreClient.class}, new Counting(client, registry));
    }

    private static final class Counting implements InvocationHandler {

        private final MailboxStoreClient client;
        private final Supplier<MeterRegistry> registry;
        private final Map<String, Counter> counters = new ConcurrentHashMap<>();
        private volatile MeterRegistry meters;

        Counting(MailboxStoreClient client, Supplier<MeterRegistry> registry) {
            this.client = client;
            this.registry = registry;
        }

        @Override
        public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
            if (method.getDeclaringClass() == Object.class) {
                return identity(proxy, method, args, client);
            }
            if (method.isDefault() && !overridden(method)) {
                // a default method (fetchAll's paging) is made of other calls: count those, through the proxy
                return InvocationHandler.invokeDefault(proxy, method, args);
            }
            count(method.getName());
            try {
                return method.invoke(client, args);
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        }

        /** Whether the client has its own implementation of a default method (a proxy has none of its own). */
        private boolean overridden(Method method) {
            if (Proxy.isProxyClass(client.getClass())) {
                return false;
            }
            try {
                return !client.getClass().getMethod(method.getName(), method.getParameterTypes()).isDefault();
            } catch (NoSuchMethodException e) {
                return false;
            }
        }

        private MeterRegistry meters() {
            MeterRegistry known = meters;
            if (known == null) {
                known = registry.get();
                meters = known;
            }
            return known;
        }

        private void count(String call) {
            String command = current();
            MeterRegistry meters = meters();
            if (meters == null) {
                return;
            }
            counters.computeIfAbsent(command + ' ' + call, key -> Counter.builder(METER)
                    .description("mailbox-api calls made by imap-gateway, by IMAP command and call")
                    .tag("command", command)
                    .tag("call", call)
                    .register(meters)).increment();
        }
    }
}
