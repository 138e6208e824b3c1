package dev.bulwark.grpc.test;

import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;

/**
 * Steady unary load on a channel from a few threads, each call with its own deadline, until
 * stopped: counts successes by the server that answered, and keeps every failure's status.
 */
public final class EchoLoad implements AutoCloseable {
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final List<Thread> threads = new ArrayList<>();
    private final Map<String, LongAdder> answered = new ConcurrentHashMap<>();
    private final ConcurrentLinkedQueue<Status> failures = new ConcurrentLinkedQueue<>();
    private final LongAdder calls = new LongAdder();

    private EchoLoad(Channel channel, int concurrency, EchoRequest request, long deadlineMillis) {
        for (int i = 0; i < concurrency; i++) {
            Thread t = new Thread(() -> {
                EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel);
                while (running.get()) {
                    try {
                        EchoReply reply = stub.withDeadlineAfter(deadlineMillis, TimeUnit.MILLISECONDS).unary(request);
                        answered.computeIfAbsent(reply.getServer(), s -> new LongAdder()).increment();
                    } catch (StatusRuntimeException e) {
                        failures.add(e.getStatus());
                    }
                    calls.increment();
                }
            }, "echo-load-" + i);
            t.setDaemon(true);
            threads.add(t);
        }
    }

    /** Starts {@code concurrency} threads calling {@code request} with a deadline of {@code deadlineMillis}. */
    public static EchoLoad start(Channel channel, int concurrency, EchoRequest request, long deadlineMillis) {
        EchoLoad load = new EchoLoad(channel, concurrency, request, deadlineMillis);
        load.threads.forEach(Thread::start);
        return load;
    }

    /** Calls made so far. */
    public long calls() {
        return calls.sum();
    }

    /** Successful calls answered by {@code server}. */
    public long answeredBy(String server) {
        LongAdder n = answered.get(server);
        return n == null ? 0 : n.sum();
    }

    /** Every failed call's status. */
    public List<Status> failures() {
        return List.copyOf(failures);
    }

    /** Stops the threads and waits for their calls in flight. */
    @Override
    public void close() throws InterruptedException {
        running.set(false);
        for (Thread t : threads) {
            t.join(TimeUnit.SECONDS.toMillis(30));
        }
    }
}
