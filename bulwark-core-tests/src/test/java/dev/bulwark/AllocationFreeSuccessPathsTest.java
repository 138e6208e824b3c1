package dev.bulwark;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.call.ClientCall;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.Pipeline;
import dev.bulwark.call.Stages;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Guards the 0 B/op result of the benchmarks between benchmark runs: each success path runs many
 * times on this thread, and the bytes the thread allocated meanwhile must be exactly zero.
 *
 * <p>Why this is deterministic: the JVM counts a thread's allocations exactly (bytes of every
 * object it allocated), and the paths checked allocate nothing even interpreted ({@code -Xint}
 * shows 0 B in every round after the first), so the count does not depend on escape analysis.
 * The clocks involved never cross a time-window boundary (count windows, no budget) and every
 * lambda is built before measuring. While the JIT settles, the JVM itself may allocate a few
 * hundred bytes on this thread, once; a path that allocates per call allocates in every round,
 * so the check runs rounds of {@value #CALLS} calls until one is clean (at most
 * {@value #ROUNDS}) and requires that one round to be exactly zero. A positive control proves
 * the probe sees allocation.
 */
class AllocationFreeSuccessPathsTest {
    private static final int WARM_UP = 20_000;
    private static final int CALLS = 10_000;
    private static final int ROUNDS = 20;
    private static final Callable<Object> WORK = () -> "ok";
    private static com.sun.management.ThreadMXBean threads;

    @BeforeAll
    static void probe() {
        threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertThat(threads.isThreadAllocatedMemorySupported()).isTrue();
        threads.setThreadAllocatedMemoryEnabled(true);
    }

    /** The fewest bytes one round of {@value #CALLS} calls allocated on this thread. */
    private static long allocatedBy(Runnable path) {
        for (int i = 0; i < WARM_UP; i++) {
            path.run();
        }
        long fewest = Long.MAX_VALUE;
        for (int round = 0; round < ROUNDS && fewest > 0; round++) {
            long before = threads.getCurrentThreadAllocatedBytes();
            for (int i = 0; i < CALLS; i++) {
                path.run();
            }
            fewest = Math.min(fewest, threads.getCurrentThreadAllocatedBytes() - before);
        }
        return fewest;
    }

    @Test
    void theProbeSeesAllocation() {
        Object[] sink = new Object[1];
        assertThat(allocatedBy(() -> sink[0] = new Object[4])).isGreaterThanOrEqualTo(16L * CALLS);
    }

    @Test
    void breakerSuccessPathAllocatesNothing() throws Exception {
        CircuitBreaker breaker = CircuitBreaker.builder("b").failureRate(50).countWindow(100).consecutiveFailures(5).build();
        assertThat(allocatedBy(() -> breaker.call(WORK))).isZero();
        assertThat(allocatedBy(() -> breaker.onSuccess(breaker.tryAcquirePermission(), 0))).as("permission API").isZero();
    }

    @Test
    void tokenBucketUnderItsLimitAllocatesNothing() {
        TokenBucket bucket = TokenBucket.builder("l").permitsPerSecond(1e9).burst(1_000_000).build();
        assertThat(allocatedBy(bucket::tryAcquire)).isZero();
    }

    @Test
    void semaphoreBulkheadAllocatesNothing() {
        Bulkhead bulkhead = Bulkhead.of("b", BulkheadConfig.of(10));
        assertThat(allocatedBy(() -> {
            if (bulkhead.tryAcquirePermission()) {
                bulkhead.release();
            }
        })).isZero();
        assertThat(allocatedBy(() -> bulkhead.call(WORK))).as("lambda API").isZero();
    }

    @Test
    void retrySuccessPathAllocatesNothing() {
        Retry retry = Retry.builder("r").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build();
        assertThat(allocatedBy(() -> retry.call(WORK))).isZero();
    }

    @Test
    void composedPipelineSuccessPathAllocatesNothing() {
        Pipeline<Object> pipeline = Pipeline.builder("p")
                .retry(Retry.builder("r").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build())
                .rateLimiter(TokenBucket.builder("l").permitsPerSecond(1e9).burst(1_000_000).build())
                .bulkhead(Bulkhead.of("b", BulkheadConfig.of(10)))
                .circuitBreaker(CircuitBreaker.builder("c").failureRate(50).countWindow(100).build())
                .build();
        assertThat(allocatedBy(() -> pipeline.call(WORK))).isZero();
    }

    @Test
    void poolSuccessPathAllocatesNothing() {
        for (dev.bulwark.balance.Strategy strategy : new dev.bulwark.balance.Strategy[] {
                dev.bulwark.balance.Strategy.ROUND_ROBIN, dev.bulwark.balance.Strategy.PEAK_EWMA}) {
            ClientPool<String> pool = ClientPool.<String>builder("p")
                    .balancer(strategy.create())
                    .retry(Retry.builder("r").maxAttempts(3).backoff(Backoff.fixed(Duration.ofMillis(10))).build())
                    .rateLimiter(TokenBucket.builder("l").permitsPerSecond(1e9).burst(1_000_000).build())
                    .bulkhead(Bulkhead.of("b", BulkheadConfig.of(10)))
                    .stage(invocation -> invocation.proceed())
                    .stage(Stages.metrics((chain, endpoint, verdict, error, nanos) -> { }))
                    .build();
            pool.add("a", "a");
            pool.add("b", "b");
            ClientCall<String, Object> call = (client, endpoint, context) -> client;
            assertThat(allocatedBy(() -> pool.call(call))).as(strategy.name()).isZero();
        }
    }
}
