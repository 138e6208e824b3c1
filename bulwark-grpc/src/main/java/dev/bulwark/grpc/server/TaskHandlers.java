package dev.bulwark.grpc.server;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.RejectedException;
import dev.bulwark.bulkhead.BulkheadFullException;
import dev.bulwark.bulkhead.WorkerPool;
import dev.bulwark.discovery.Names;
import dev.bulwark.internal.Check;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Background work by type: a handler registered per task type ({@code email} → a handler), tasks
 * submitted from any code (a gRPC handler that answers at once and sends the email later), run by a
 * bounded pool of workers. A full queue, an unknown type or a pool that is draining refuses the
 * task at once with {@link TaskRejectedException}. Given to a {@link BulwarkServer}, it drains with
 * it: after the last call ends, the accepted tasks finish (within the grace period) before the
 * server closes.
 *
 * <pre>{@code
 * TaskHandlers tasks = TaskHandlers.builder("background").workers(4).queueSize(1_000)
 *     .handler("email", (String address) -> System.out.println("mail to " + address))
 *     .build();
 * tasks.submit("email", "ada@example.com");
 * }</pre>
 */
public final class TaskHandlers implements AutoCloseable {
    /** Handles one task's payload; throwing marks the task failed. */
    @FunctionalInterface
    public interface Handler<T> {
        void handle(T payload) throws Exception;
    }

    /**
     * What happened to one type's tasks.
     *
     * @param submitted tasks accepted
     * @param done tasks handled without an exception
     * @param failed tasks whose handler threw
     * @param rejected tasks refused (queue full, draining)
     * @param queued tasks accepted and not started yet
     */
    public record Counts(long submitted, long done, long failed, long rejected, int queued) {
    }

    private final String name;
    private final WorkerPool pool;
    private final Map<String, Type> types;
    private volatile boolean draining;

    /** One type's handler and counters. */
    private static final class Type {
        final Handler<Object> handler;
        final LongAdder submitted = new LongAdder();
        final LongAdder done = new LongAdder();
        final LongAdder failed = new LongAdder();
        final LongAdder rejected = new LongAdder();
        final AtomicInteger queued = new AtomicInteger();

        Type(Handler<Object> handler) {
            this.handler = handler;
        }
    }

    private TaskHandlers(Builder b) {
        this.name = b.name;
        this.pool = WorkerPool.builder(b.name).workers(b.workers).queueCapacity(b.queueSize).daemon(true).build();
        Map<String, Type> all = new LinkedHashMap<>();
        b.handlers.forEach((type, handler) -> all.put(type, new Type(handler)));
        this.types = java.util.Collections.unmodifiableMap(all); // in the order registered, for messages
    }

    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    /**
     * Queues a task of {@code type}; the returned future completes when its handler has run (and
     * fails as the handler failed).
     *
     * @throws TaskRejectedException if the type has no handler, the queue is full or the pool is draining
     */
    public CompletableFuture<Void> submit(String type, Object payload) {
        Type t = types.get(type);
        if (t == null) {
            throw new TaskRejectedException(name, type, "no handler for this type (known: " + types.keySet() + ")");
        }
        if (draining) {
            t.rejected.increment();
            throw new TaskRejectedException(name, type, "draining: no new tasks");
        }
        t.queued.incrementAndGet();
        t.submitted.increment();
        try {
            CompletableFuture<Void> run = pool.submit(() -> {
                t.queued.decrementAndGet();
                try {
                    t.handler.handle(payload);
                    t.done.increment();
                    return null;
                } catch (Exception | Error e) {
                    t.failed.increment();
                    throw e;
                }
            });
            return run;
        } catch (BulkheadFullException full) {
            t.queued.decrementAndGet();
            t.submitted.decrement();
            t.rejected.increment();
            throw new TaskRejectedException(name, type, draining ? "draining: no new tasks" : "queue full (" + full.getMessage() + ")");
        }
    }

    /** Counts by type. */
    public Map<String, Counts> counts() {
        Map<String, Counts> all = new TreeMap<>();
        types.forEach((type, t) -> all.put(type, new Counts(t.submitted.sum(), t.done.sum(), t.failed.sum(), t.rejected.sum(),
                t.queued.get())));
        return all;
    }

    /** Tasks accepted and not finished yet, of every type. */
    public int pending() {
        return pool.queued() + pool.active();
    }

    /**
     * Stops taking tasks and waits up to {@code timeout} for the accepted ones to finish; returns
     * whether they all did.
     */
    public boolean drain(Duration timeout) {
        draining = true;
        return pool.close(timeout);
    }

    /** Drains without a time limit. */
    @Override
    public void close() {
        drain(Duration.ofNanos(Long.MAX_VALUE));
    }

    @Override
    public String toString() {
        return "TaskHandlers{" + name + ", " + types.keySet() + '}';
    }

    /** A task was refused, and why. */
    public static final class TaskRejectedException extends RejectedException {
        private static final long serialVersionUID = 1L;
        private final String type;

        TaskRejectedException(String pool, String type, String why) {
            super(pool, "task '" + type + "' refused by '" + pool + "': " + why);
            this.type = type;
        }

        /** The task's type. */
        public String type() {
            return type;
        }
    }

    /** Builds {@link TaskHandlers}. */
    public static final class Builder {
        private final String name;
        private int workers = 4;
        private int queueSize = 1000;
        private final Map<String, Handler<Object>> handlers = new LinkedHashMap<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Worker threads (default 4). */
        public Builder workers(int threads) {
            workers = (int) dev.bulwark.grpc.internal.Limits.within("workers", threads, 1, 1024);
            return this;
        }

        /** Tasks that may wait for a worker (default 1000). */
        public Builder queueSize(int tasks) {
            queueSize = (int) dev.bulwark.grpc.internal.Limits.within("queueSize", tasks, 0, 10_000_000);
            return this;
        }

        /** Handles tasks of {@code type} with {@code handler}. */
        @SuppressWarnings("unchecked")
        public <T> Builder handler(String type, Handler<T> handler) {
            Names.check("handler.type", type);
            if (handlers.containsKey(type)) {
                throw new InvalidConfigException("handler.type", type, "a type without a handler yet");
            }
            handlers.put(type, (Handler<Object>) Check.notNull("handler", handler));
            return this;
        }

        public TaskHandlers build() {
            if (handlers.isEmpty()) {
                throw new InvalidConfigException("handlers", "none", "at least one handler");
            }
            return new TaskHandlers(this);
        }
    }
}
