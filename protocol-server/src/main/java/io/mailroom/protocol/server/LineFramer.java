package io.mailroom.protocol.server;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.AttributeKey;
import io.netty.util.ByteProcessor;
import org.apache.james.protocols.api.CommandDetectionSession;
import org.apache.james.protocols.netty.BasicChannelInboundHandler;
import org.apache.james.protocols.netty.CommandInjectionDetectedException;

/**
 * Cuts what a client sends into the frames the protocol handler reads, and keeps the number of frames waiting
 * for the handler bounded. One instance per connection; runs on the I/O thread ({@link #processed} too: the handler
 * threads queue it behind the writes of their answer).
 *
 * <p><b>Lines.</b> A frame is one line with its line ending (LF or CRLF) kept, so that the protocol can tell
 * one from the other. A line longer than the maximum is discarded up to its end, and the handler gets a
 * {@link TooLongFrameException} in its place (James answers with the protocol's "line too long").
 *
 * <p><b>Raw bytes.</b> After a line whose command is one of {@code pauseAfter} (SMTP's {@code BDAT}), framing
 * stops until the protocol handler has processed that line; while processing it, the handler may say with
 * {@link Framing#rawBytesFollow} that a number of bytes follow that are no lines (RFC 3030's chunk data).
 * Those are then passed on as they come, in frames of up to {@value #MAX_RAW_FRAME} bytes, and the sum of the
 * frames is exactly that number. Deciding on the handler's word rather than by looking at the line alone keeps
 * message text that happens to start with "BDAT" from being taken for a command.
 *
 * <p><b>STARTTLS.</b> Nothing may follow a STARTTLS line before TLS is in place: a command pipelined behind it
 * would be read as if it had come over TLS (CVE-2011-0411). Such a connection is closed, as James's framer
 * does. Message text (while the protocol has command-injection detection off) is exempt.
 *
 * <p><b>Back-pressure.</b> The protocol handler runs off the I/O thread, so while it blocks (on mailbox-api,
 * on the queue) lines would pile up without bound. Above {@value #HIGH_WATER_MARK} frames or
 * {@value #HIGH_WATER_BYTES} bytes waiting, the channel stops reading (TCP flow control pushes back on the
 * client); it reads again once the handler is down to {@value #LOW_WATER_MARK} frames and
 * {@value #LOW_WATER_BYTES} bytes. This class owns the channel's auto-read flag.
 */
final class LineFramer extends ByteToMessageDecoder {

    static final int HIGH_WATER_MARK = 64;
    static final int LOW_WATER_MARK = 16;
    static final int HIGH_WATER_BYTES = 256 * 1024;
    static final int LOW_WATER_BYTES = 64 * 1024;
    static final int MAX_RAW_FRAME = 64 * 1024;

    /** Set by {@link Framing#rawBytesFollow} on the handler thread, read when framing resumes. */
    static final AttributeKey<Long> RAW_BYTES_NEXT = AttributeKey.valueOf("mailroom.rawBytesNext");
    /** James's protocol handler keeps the session here ({@link BasicChannelInboundHandler#SESSION_ATTRIBUTE_KEY}). */
    private static final AttributeKey<CommandDetectionSession> SESSION = BasicChannelInboundHandler.SESSION_ATTRIBUTE_KEY;

    private final int maxLineLength;
    private final String startTlsCommand;
    private final Set<String> pauseAfter;

    // I/O thread only
    private long rawRemaining;
    private boolean discarding;
    private boolean startTlsInFlight;
    private ChannelHandlerContext context;

    // shared with the handler thread
    private final AtomicInteger waitingFrames = new AtomicInteger();
    private final AtomicLong waitingBytes = new AtomicLong();
    private volatile boolean pausedAfterCommand;
    private boolean reading = true;

    /**
     * @param startTlsCommand the upgrade command whose pipelined followers are refused; null where there is none
     * @param pauseAfter      upper-case command words after which framing waits for the handler
     */
    LineFramer(int maxLineLength, String startTlsCommand, Set<String> pauseAfter) {
        this.maxLineLength = maxLineLength;
        this.startTlsCommand = startTlsCommand == null ? null : startTlsCommand.toUpperCase(Locale.ROOT);
        this.pauseAfter = Set.copyOf(pauseAfter);
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.context = ctx;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        // One frame per call: ByteToMessageDecoder hands each on before calling again, which keeps an
        // exception fired here behind the frames that came before it.
        if (pausedAfterCommand || !in.isReadable()) {
            return;
        }
        if (rawRemaining > 0) {
            int length = (int) Math.min(rawRemaining, Math.min(in.readableBytes(), MAX_RAW_FRAME));
            rawRemaining -= length;
            emit(ctx.channel(), in.readRetainedSlice(length), out);
            return;
        }
        if (startTlsInFlight) {
            if (ctx.pipeline().get(SslHandler.class) == null) {
                throw new CommandInjectionDetectedException();
            }
            startTlsInFlight = false;
        }
        int end = in.forEachByte(ByteProcessor.FIND_LF);
        if (discarding) {
            if (end < 0) {
                in.skipBytes(in.readableBytes());
            } else {
                in.readerIndex(end + 1);
                discarding = false;
                ctx.fireExceptionCaught(new TooLongFrameException("line longer than " + maxLineLength + " bytes"));
            }
            return;
        }
        if (end < 0) {
            if (in.readableBytes() > maxLineLength) {
                discarding = true;
                in.skipBytes(in.readableBytes());
            }
            return;
        }
        int length = end + 1 - in.readerIndex();
        if (length > maxLineLength) {
            in.readerIndex(end + 1);
            ctx.fireExceptionCaught(new TooLongFrameException("line longer than " + maxLineLength + " bytes"));
            return;
        }
        ByteBuf line = in.readRetainedSlice(length);
        String command = startTlsCommand != null || !pauseAfter.isEmpty() ? commandOf(line) : "";
        if (startTlsCommand != null && command.equals(startTlsCommand) && isLoneCommand(line) && detectingInjection(ctx)) {
            if (in.isReadable()) {
                line.release();
                throw new CommandInjectionDetectedException();
            }
            startTlsInFlight = true;
        }
        boolean pause = pauseAfter.contains(command);
        emit(ctx.channel(), line, out);
        if (pause) {
            pausedAfterCommand = true;
            updateReading(ctx.channel());
        }
    }

    /**
     * While paused after a command, no read is asked for: ByteToMessageDecoder asks for one whenever a read
     * produced no frame with auto-read off, which would keep reading (and buffering) for as long as the pause.
     */
    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) throws Exception {
        if (pausedAfterCommand) {
            ctx.fireChannelReadComplete();
            return;
        }
        super.channelReadComplete(ctx);
    }

    /** Frames passed on and not yet {@link #processed}: 1 while a frame just framed is the only one. */
    int waitingFrames() {
        return waitingFrames.get();
    }

    /** On the I/O thread: the protocol handler is done with one frame of {@code bytes} bytes (and has written its answer). */
    void processed(Channel channel, int bytes) {
        int frames = waitingFrames.decrementAndGet();
        waitingBytes.addAndGet(-bytes);
        if (frames == 0 && pausedAfterCommand) {
            // Everything framed before the pause, the pausing line included, has been handled.
            channel.eventLoop().execute(() -> resume(channel));
        } else {
            updateReading(channel);
        }
    }

    private void resume(Channel channel) {
        Long raw = channel.attr(RAW_BYTES_NEXT).getAndSet(null);
        if (raw != null && raw > 0) {
            rawRemaining = raw;
        }
        pausedAfterCommand = false;
        updateReading(channel);
        if (context != null && !context.isRemoved() && internalBuffer().isReadable()) {
            try {
                // Frames whatever arrived while paused, as if it had arrived just now.
                channelRead(context, Unpooled.EMPTY_BUFFER);
            } catch (Exception e) {
                context.fireExceptionCaught(e);
            }
        }
    }

    private void emit(Channel channel, ByteBuf frame, List<Object> out) {
        waitingFrames.incrementAndGet();
        waitingBytes.addAndGet(frame.readableBytes());
        out.add(frame);
        updateReading(channel);
    }

    private synchronized void updateReading(Channel channel) {
        int frames = waitingFrames.get();
        long bytes = waitingBytes.get();
        if (reading && (pausedAfterCommand || frames >= HIGH_WATER_MARK || bytes >= HIGH_WATER_BYTES)) {
            reading = false;
            channel.config().setAutoRead(false);
        } else if (!reading && !pausedAfterCommand && frames <= LOW_WATER_MARK && bytes <= LOW_WATER_BYTES) {
            reading = true;
            channel.config().setAutoRead(true);
        }
    }

    private static boolean detectingInjection(ChannelHandlerContext ctx) {
        CommandDetectionSession session = ctx.channel().attr(SESSION).get();
        return session == null || session.needsCommandInjectionDetection();
    }

    /** The line's first word, upper-case ASCII; "" for an empty line. */
    private static String commandOf(ByteBuf line) {
        int start = line.readerIndex();
        int limit = Math.min(line.writerIndex(), start + 16);
        int end = start;
        while (end < limit) {
            byte b = line.getByte(end);
            if (b == ' ' || b == '\r' || b == '\n') {
                break;
            }
            end++;
        }
        return line.toString(start, end - start, StandardCharsets.US_ASCII).toUpperCase(Locale.ROOT);
    }

    /** True when the line holds the command word and nothing but its line ending. */
    private boolean isLoneCommand(ByteBuf line) {
        String text = line.toString(StandardCharsets.US_ASCII).strip();
        return text.equalsIgnoreCase(startTlsCommand);
    }
}
