package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/**
 * Membership changing under load: a pool never fails a call while it has live endpoints, and
 * what it promises on removal holds — no admission once {@code remove} has returned, and no use
 * of the client once {@link PoolEndpoint#drained()} has completed.
 */
class ClientPoolChurnTest {
    private static final int CALLERS = 4;
    private static final int REPLACEMENTS = 3_000;

    /** A client that counts the calls made on it after it was closed. */
    static final class Client implements AutoCloseable {
        final int generation;
        final AtomicBoolean closed = new AtomicBoolean();

        Client(int generation) {
            this.generation = generation;
        }

        int call(LongAdder onClosed) {
            if (closed.get()) {
                onClosed.increment();
            }
            return generation;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void replacingTheOnlyEndpointUnderLoadFailsNoCallAndNeverUsesAClosedClient() throws Exception {
        ClientPool<Client> pool = ClientPool.<Client>builder("churn").closeRemovedClients(true).build();
        pool.add("e0", new Client(0));
        AtomicBoolean replacing = new AtomicBoolean(true);
        LongAdder calls = new LongAdder();
        LongAdder failed = new LongAdder();
        LongAdder onClosed = new LongAdder();
        List<Throwable> failures = new CopyOnWriteArrayList<>();
        CyclicBarrier start = new CyclicBarrier(CALLERS + 1);
        ExecutorService threads = Executors.newFixedThreadPool(CALLERS + 1);
        try {
            List<Future<?>> work = new ArrayList<>();
            for (int t = 0; t < CALLERS; t++) {
                work.add(threads.submit(() -> {
                    start.await();
                    while (replacing.get()) {
                        try {
                            pool.call((client, endpoint, context) -> client.call(onClosed));
                            calls.increment();
                        } catch (RuntimeException e) {
                            failed.increment();
                            if (failures.size() < 5) {
                                failures.add(e);
                            }
                        }
                    }
                    return null;
                }));
            }
            work.add(threads.submit(() -> {
                start.await();
                try {
                    for (int i = 1; i <= REPLACEMENTS; i++) {
                        pool.add("e" + i, new Client(i));
                        PoolEndpoint<Client> old = pool.endpoint("e" + (i - 1)).orElseThrow();
                        pool.remove(old.name());
                        old.drained().get(10, TimeUnit.SECONDS);
                        assertThat(old.client().closed).as("closed once drained").isTrue();
                    }
                } finally {
                    replacing.set(false);
                }
                return null;
            }));
            for (Future<?> f : work) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
            assertThat(threads.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(failures).as("failed calls").isEmpty();
        assertThat(failed.sum()).isZero();
        assertThat(onClosed.sum()).as("calls on a client after it drained and closed").isZero();
        assertThat(calls.sum()).as("calls made while replacing").isPositive();
        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactly("e" + REPLACEMENTS);
    }

    @Test
    void noCallIsAdmittedOnceRemoveHasReturned() {
        ClientPool<String> pool = ClientPool.<String>builder("p").build();
        pool.add("a", "a");
        pool.add("b", "b");
        List<String> seen = new ArrayList<>();
        pool.call((client, endpoint, context) -> {
            pool.remove("b"); // removed while a call runs elsewhere
            return client;
        });
        for (int i = 0; i < 20; i++) {
            seen.add(pool.call((client, endpoint, context) -> client));
        }
        assertThat(seen).containsOnly("a");
    }

    @Test
    void drainedWaitsForTheCallsStillRunning() {
        ClientPool<String> pool = ClientPool.<String>builder("p").build();
        PoolEndpoint<String> a = pool.add("a", "a");
        CompletableFuture<String> running = new CompletableFuture<>();
        CompletableFuture<String> call = pool.callAsync((client, endpoint, context) -> running);

        pool.remove("a");
        CompletableFuture<Void> drained = a.drained();
        assertThat(drained).as("a call is still running on it").isNotDone();
        running.complete("done");

        assertThat(call).isCompletedWithValue("done");
        assertThat(drained).isDone();
        assertThat(pool.add("b", "b").drained()).as("an endpoint in the pool never drains").isNotDone();
    }

    @Test
    void listenersHearOfEveryChange() {
        List<String> heard = new ArrayList<>();
        ClientPool<String> pool = ClientPool.<String>builder("p").listener(new PoolListener<>() {
            @Override
            public void onAdded(ClientPool<String> p, PoolEndpoint<String> endpoint) {
                heard.add("added " + endpoint.name() + " w" + endpoint.weight());
            }

            @Override
            public void onRemoved(ClientPool<String> p, PoolEndpoint<String> endpoint) {
                heard.add("removed " + endpoint.name() + (endpoint.isRemoved() ? "" : " (still in?)"));
            }

            @Override
            public void onReweighted(ClientPool<String> p, PoolEndpoint<String> endpoint, int oldWeight) {
                heard.add("reweighted " + endpoint.name() + " w" + oldWeight + "->w" + endpoint.weight());
            }
        }).build();

        pool.add("a", "a", 2);
        pool.reweight("a", 5);
        pool.reweight("a", 5); // no change, nothing to hear
        pool.remove("a");
        pool.remove("a"); // gone already

        assertThat(heard).containsExactly("added a w2", "reweighted a w2->w5", "removed a");
    }

    @Test
    void asynchronousCallsFailOverAcrossEndpointsRemovedMidCall() {
        dev.bulwark.testing.VirtualScheduler scheduler = new dev.bulwark.testing.VirtualScheduler();
        ClientPool<String> pool = ClientPool.<String>builder("p").scheduler(scheduler)
                .retry(Retry.builder("p").maxAttempts(3).backoff(Backoff.none()).scheduler(scheduler).build()).build();
        pool.add("a", "a");
        pool.add("b", "b");
        AtomicInteger attempts = new AtomicInteger();
        CompletableFuture<String> call = pool.callAsync((client, endpoint, context) -> {
            if (attempts.incrementAndGet() == 1) {
                pool.remove(endpoint.name());
                return CompletableFuture.failedFuture(new IllegalStateException(client + " went away"));
            }
            return CompletableFuture.completedFuture(client);
        });
        scheduler.runDue(); // the retry, at once on the scheduler
        assertThat(call).isDone();
        assertThat(call.join()).isIn("a", "b");
        assertThat(pool.endpoints()).hasSize(1).allMatch(e -> e.client().equals(call.join()));
    }
}
