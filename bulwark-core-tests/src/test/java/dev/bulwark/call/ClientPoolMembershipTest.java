package dev.bulwark.call;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.LongAdder;
import org.junit.jupiter.api.Test;

/** Endpoints added, removed and re-weighted while calls are running. */
class ClientPoolMembershipTest {

    /** A client that counts its calls and can be closed. */
    static final class CountingClient implements AutoCloseable {
        final LongAdder calls = new LongAdder();
        final AtomicBoolean closed = new AtomicBoolean();

        String call(String name) {
            if (closed.get()) {
                throw new IllegalStateException(name + " used after close");
            }
            calls.increment();
            return name;
        }

        @Override
        public void close() {
            closed.set(true);
        }
    }

    @Test
    void liveAddAndRemoveLoseNoCallAndRemovedEndpointsGetNoNewOnes() throws Exception {
        ClientPool<CountingClient> pool = ClientPool.<CountingClient>builder("live").closeRemovedClients(true).build();
        Map<String, CountingClient> clients = new ConcurrentHashMap<>();
        for (String name : List.of("e1", "e2", "e3")) {
            clients.put(name, new CountingClient());
            pool.add(name, clients.get(name));
        }
        int threads = 4;
        LongAdder issued = new LongAdder();
        LongAdder answered = new LongAdder();
        AtomicBoolean stop = new AtomicBoolean();
        CyclicBarrier start = new CyclicBarrier(threads + 1);
        ExecutorService callers = Executors.newFixedThreadPool(threads);
        List<Future<?>> futures = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            futures.add(callers.submit(() -> {
                start.await();
                while (!stop.get()) {
                    issued.increment();
                    pool.call((client, endpoint, context) -> client.call(endpoint.name()));
                    answered.increment();
                }
                return null;
            }));
        }
        start.await();
        await().atMost(Duration.ofSeconds(30)).until(() -> answered.sum() > 5_000);
        clients.put("e4", new CountingClient());
        pool.add("e4", clients.get("e4"));
        assertThat(pool.remove("e1")).isTrue();
        // Calls already running on e1 finish (its client is closed after the last); then it takes no new call.
        await().atMost(Duration.ofSeconds(30)).until(() -> clients.get("e1").closed.get());
        long e1Calls = clients.get("e1").calls.sum();
        long answeredAtDrain = answered.sum();
        await().atMost(Duration.ofSeconds(30)).until(() -> answered.sum() > answeredAtDrain + 20_000);
        stop.set(true);
        for (Future<?> f : futures) {
            f.get(60, TimeUnit.SECONDS); // a lost or failed call would surface here
        }
        callers.shutdown();

        assertThat(answered.sum()).as("every call answered").isEqualTo(issued.sum());
        assertThat(clients.get("e1").calls.sum()).as("no call reached e1 once it was drained").isEqualTo(e1Calls);
        assertThat(clients.get("e4").calls.sum()).as("the added endpoint took calls").isPositive();
        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactly("e2", "e3", "e4");
        assertThat(pool.endpoints()).allSatisfy(e -> assertThat(e.stats().inFlight()).isZero());
    }

    @Test
    void aRemovedClientIsClosedOnlyAfterItsLastCall() throws Exception {
        ClientPool<CountingClient> pool = ClientPool.<CountingClient>builder("close").closeRemovedClients(true).build();
        CountingClient client = new CountingClient();
        pool.add("only", client);
        CountDownLatch inside = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        ExecutorService caller = Executors.newSingleThreadExecutor();
        Future<String> running = caller.submit(() -> pool.call((c, endpoint, context) -> {
            inside.countDown();
            release.await();
            return c.call("only");
        }));
        assertThat(inside.await(10, TimeUnit.SECONDS)).isTrue();
        pool.remove("only");
        assertThat(client.closed).as("a call is still running on it").isFalse();
        release.countDown();
        assertThat(running.get(10, TimeUnit.SECONDS)).isEqualTo("only");
        assertThat(client.closed).as("closed after its last call").isTrue();
        caller.shutdown();
    }

    @Test
    void namesAreUniqueAndArgumentsChecked() {
        ClientPool<CountingClient> pool = ClientPool.<CountingClient>builder("p").build();
        pool.add("a", new CountingClient());
        dev.bulwark.validation.BadInput.assertRejected("endpoint name", "a", () -> pool.add("a", new CountingClient()));
        dev.bulwark.validation.BadInput.assertRejected("weight", "0", () -> pool.add("b", new CountingClient(), 0));
        dev.bulwark.validation.BadInput.assertRejected("client", "null", () -> pool.add("b", null));
        dev.bulwark.validation.BadInput.assertRejected("endpoint name", "null", () -> pool.add(null, new CountingClient()));
        dev.bulwark.validation.BadInput.assertRejected("weight", "-1", () -> pool.reweight("a", -1));
        dev.bulwark.validation.BadInput.assertRejected("name", "null", () -> ClientPool.builder(null));
        dev.bulwark.validation.BadInput.assertRejected("latencyDecay", "PT0S", () -> ClientPool.builder("p").latencyDecay(Duration.ZERO));
        dev.bulwark.validation.BadInput.assertRejected("balancer", "null", () -> ClientPool.builder("p").balancer(null));
        assertThat(pool.endpoints()).extracting(PoolEndpoint::name).containsExactly("a");
    }
}
