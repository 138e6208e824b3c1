package dev.bulwark.grpc.internal;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A server-wide cap on connections, enforced where they are accepted: a connection over the cap is
 * closed at once, before any HTTP/2 work is done for it (grpc-java has no such limit; its issue
 * #1886). It takes the server's socket and event loops (Netty's NIO transport), which it shuts down
 * when the server is done.
 */
public final class ConnectionLimit {
    private final int max;
    private final ServerMetrics metrics;
    private final AtomicInteger open = new AtomicInteger();
    private final EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    private final EventLoopGroup workers = new MultiThreadIoEventLoopGroup(NioIoHandler.newFactory());

    public ConnectionLimit(int max, ServerMetrics metrics) {
        this.max = max;
        this.metrics = metrics;
    }

    /** Puts the cap into {@code builder}. */
    public void applyTo(NettyServerBuilder builder) {
        builder.channelFactory(LimitedServerChannel::new)
                .bossEventLoopGroup(boss)
                .workerEventLoopGroup(workers);
    }

    /** Connections open now. */
    public int open() {
        return open.get();
    }

    /** Shuts the event loops down, once the server has terminated. */
    public void shutdown() {
        boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
        workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }

    /** A server socket channel that closes what it accepts over the cap. */
    private final class LimitedServerChannel extends NioServerSocketChannel {
        @Override
        protected int doReadMessages(List<Object> accepted) throws Exception {
            int before = accepted.size(); // the list gathers a whole read loop's channels: judge only this call's
            int read = super.doReadMessages(accepted);
            for (int i = accepted.size() - 1; i >= before; i--) {
                if (accepted.get(i) instanceof Channel child) {
                    if (open.incrementAndGet() > max) {
                        open.decrementAndGet();
                        accepted.remove(i);
                        read--;
                        metrics.rejected("connections");
                        child.unsafe().closeForcibly();
                    } else {
                        child.closeFuture().addListener(f -> open.decrementAndGet());
                    }
                }
            }
            return read;
        }
    }
}
