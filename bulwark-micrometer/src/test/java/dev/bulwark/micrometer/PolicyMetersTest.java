package dev.bulwark.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.BulkheadFullException;
import dev.bulwark.bulkhead.WorkerPool;
import dev.bulwark.ratelimit.SlidingWindowLimiter;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.testing.VirtualScheduler;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Gauges and counters of bulkheads, worker pools and rate limiters follow them live. */
class PolicyMetersTest {
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private double gauge(String name, String policy) {
        return registry.get(name).tag("name", policy).gauge().value();
    }

    @Test
    void bulkheadGaugesFollowPermitsTakenAndReturnedAndALiveResize() {
        Bulkhead bulkhead = Bulkhead.of("reports", BulkheadConfig.of(3));
        BulkheadMeters meters = BulkheadMeters.of(bulkhead);
        meters.bindTo(registry);
        assertThat(gauge("bulwark.bulkhead.in.flight", "reports")).isZero();
        assertThat(gauge("bulwark.bulkhead.available", "reports")).isEqualTo(3);

        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(bulkhead.tryAcquirePermission()).isTrue();
        assertThat(gauge("bulwark.bulkhead.in.flight", "reports")).isEqualTo(2);
        assertThat(gauge("bulwark.bulkhead.available", "reports")).isEqualTo(1);

        double[] inFlightInsideCall = new double[1];
        bulkhead.call(() -> inFlightInsideCall[0] = gauge("bulwark.bulkhead.in.flight", "reports"));
        assertThat(inFlightInsideCall[0]).isEqualTo(3);

        bulkhead.release();
        assertThat(gauge("bulwark.bulkhead.in.flight", "reports")).isEqualTo(1);
        bulkhead.reconfigure(BulkheadConfig.of(5));
        assertThat(gauge("bulwark.bulkhead.max.concurrent", "reports")).isEqualTo(5);
        assertThat(gauge("bulwark.bulkhead.available", "reports")).isEqualTo(4);

        meters.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void tokenBucketGaugesFollowPermitsInVirtualTime() {
        VirtualScheduler scheduler = new VirtualScheduler();
        TokenBucket bucket = TokenBucket.builder("search").permitsPerSecond(10).burst(5).scheduler(scheduler).build();
        RateLimiterMeters.of(bucket).bindTo(registry);
        assertThat(gauge("bulwark.ratelimiter.available.permits", "search")).isEqualTo(5);
        assertThat(gauge("bulwark.ratelimiter.rate", "search")).isEqualTo(10);
        assertThat(gauge("bulwark.ratelimiter.burst", "search")).isEqualTo(5);

        assertThat(bucket.tryAcquire(5)).isTrue();
        assertThat(gauge("bulwark.ratelimiter.available.permits", "search")).isZero();
        assertThat(registry.get("bulwark.ratelimiter.next.permit").tag("name", "search").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isEqualTo(100);

        scheduler.advance(Duration.ofMillis(250));
        assertThat(gauge("bulwark.ratelimiter.available.permits", "search")).isEqualTo(2);
        assertThat(registry.get("bulwark.ratelimiter.next.permit").tag("name", "search").timeGauge()
                .value(TimeUnit.MILLISECONDS)).isZero();

        bucket.setRate(20, 8);
        assertThat(gauge("bulwark.ratelimiter.rate", "search")).isEqualTo(20);
        assertThat(gauge("bulwark.ratelimiter.burst", "search")).isEqualTo(8);
    }

    @Test
    void slidingWindowLimiterExportsItsLimitAndWait() {
        VirtualScheduler scheduler = new VirtualScheduler();
        SlidingWindowLimiter limiter = SlidingWindowLimiter.builder("login").limit(2, Duration.ofSeconds(1))
                .scheduler(scheduler).build();
        RateLimiterMeters.of(limiter).bindTo(registry);
        assertThat(gauge("bulwark.ratelimiter.window.limit", "login")).isEqualTo(2);
        assertThat(registry.find("bulwark.ratelimiter.available.permits").meters()).isEmpty();

        assertThat(limiter.tryAcquire()).isTrue();
        scheduler.advance(Duration.ofMillis(400));
        assertThat(limiter.tryAcquire()).isTrue();
        assertThat(registry.get("bulwark.ratelimiter.next.permit").tag("name", "login").timeGauge()
                .value(TimeUnit.MILLISECONDS)).as("the first grant leaves the window 600 ms from now").isEqualTo(600);

        limiter.setLimit(4);
        assertThat(gauge("bulwark.ratelimiter.window.limit", "login")).isEqualTo(4);
    }

    @Test
    void workerPoolMetersCountQueuedActiveCompletedAndRejectedTasks() throws Exception {
        try (WorkerPool workers = WorkerPool.builder("thumbnails").workers(1).queueCapacity(1).build()) {
            WorkerPoolMeters.of(workers).bindTo(registry);
            CountDownLatch running = new CountDownLatch(1);
            CountDownLatch release = new CountDownLatch(1);
            CompletableFuture<String> first = workers.submit(() -> {
                running.countDown();
                release.await();
                return "first";
            });
            assertThat(running.await(10, TimeUnit.SECONDS)).isTrue();
            assertThat(gauge("bulwark.worker.pool.active", "thumbnails")).isEqualTo(1);

            CompletableFuture<String> second = workers.submit(() -> "second");
            assertThat(gauge("bulwark.worker.pool.queued", "thumbnails")).isEqualTo(1);
            assertThatThrownBy(() -> workers.submit(() -> "third")).isInstanceOf(BulkheadFullException.class);
            assertThat(registry.get("bulwark.worker.pool.rejected").tag("name", "thumbnails").functionCounter().count())
                    .isEqualTo(1);

            release.countDown();
            assertThat(first.get(10, TimeUnit.SECONDS)).isEqualTo("first");
            assertThat(second.get(10, TimeUnit.SECONDS)).isEqualTo("second");
            // The count goes up just after a task's future completes, on the worker thread.
            await().atMost(Duration.ofSeconds(10)).until(() ->
                    registry.get("bulwark.worker.pool.completed").tag("name", "thumbnails").functionCounter().count() == 2);
            assertThat(gauge("bulwark.worker.pool.queued", "thumbnails")).isZero();
        }
    }
}
