package io.mailroom.protocol.server;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerAdapter;
import io.netty.channel.ChannelHandlerContext;

/**
 * The open connections of one listener, each until its pipeline is torn down completely.
 *
 * <p>Sits first in every pipeline, so its {@code handlerRemoved} is the last thing Netty does for a closed
 * connection. Until then, tearing the pipeline down hops between the I/O thread and the handler thread;
 * shutting either down earlier makes the other's last task fail. Stopping waits on {@link #closed()}.
 */
@ChannelHandler.Sharable
final class ConnectionTracker extends ChannelHandlerAdapter {

    static final String NAME = "connectionTracker";

    private final Map<Channel, CompletableFuture<Void>> connections = new ConcurrentHashMap<>();

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        connections.put(ctx.channel(), new CompletableFuture<>());
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        CompletableFuture<Void> torndown = connections.remove(ctx.channel());
        if (torndown != null) {
            torndown.complete(null);
        }
    }

    List<Channel> open() {
        return List.copyOf(connections.keySet());
    }

    int count() {
        return connections.size();
    }

    /** Completes once every connection open now is closed and torn down. */
    CompletableFuture<Void> closed() {
        return CompletableFuture.allOf(connections.values().toArray(CompletableFuture[]::new));
    }
}
