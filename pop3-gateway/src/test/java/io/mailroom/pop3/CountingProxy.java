package io.mailroom.pop3;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder that counts what the server sends back, and how many connections are open: enough to
 * see whether a client stopped a transfer early.
 */
final class CountingProxy implements AutoCloseable {

    private final String targetHost;
    private final int targetPort;
    private final ServerSocket server;
    private final AtomicLong fromServer = new AtomicLong();
    private final AtomicInteger open = new AtomicInteger();
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();

    CountingProxy(String targetHost, int targetPort) throws IOException {
        this.targetHost = targetHost;
        this.targetPort = targetPort;
        this.server = new ServerSocket();
        server.bind(new InetSocketAddress("127.0.0.1", 0));
        Thread acceptor = new Thread(this::accept, "counting-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Bytes the server has sent to clients so far. */
    long bytesFromServer() {
        return fromServer.get();
    }

    /** Client connections open now. */
    int openConnections() {
        return open.get();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(targetHost, targetPort);
                sockets.add(client);
                sockets.add(upstream);
                open.incrementAndGet();
                AtomicInteger halves = new AtomicInteger(2);
                Runnable closed = () -> {
                    if (halves.decrementAndGet() == 0) {
                        open.decrementAndGet();
                    }
                };
                pump(client, upstream, null, closed);
                pump(upstream, client, fromServer, closed);
            } catch (IOException e) {
                // closed
            }
        }
    }

    private void pump(Socket from, Socket to, AtomicLong counter, Runnable closed) {
        Thread thread = new Thread(() -> {
            byte[] buffer = new byte[16 * 1024];
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                int read;
                while ((read = in.read(buffer)) >= 0) {
                    out.write(buffer, 0, read);
                    if (counter != null) {
                        counter.addAndGet(read);
                    }
                }
            } catch (IOException e) {
                // one side went away
            } finally {
                close(from);
                close(to);
                closed.run();
            }
        }, "counting-proxy-pump");
        thread.setDaemon(true);
        thread.start();
    }

    private void close(Socket socket) {
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
        sockets.remove(socket);
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(this::close);
    }
}
