package dev.bulwark.logging;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.CircuitBreakerListener;
import dev.bulwark.breaker.State;
import dev.bulwark.internal.Check;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.Collections;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Bulwark's breaker events as structured log lines through SLF4J, each a message and key-value
 * pairs (which Logback's JSON encoder writes as fields):
 * <ul>
 *   <li>{@code circuit breaker created} with {@code name} and {@code policy};</li>
 *   <li>{@code circuit breaker state changed} with {@code name}, {@code from}, {@code to} and
 *       {@code reason}, the rule that fired (INFO, WARN when it opens);</li>
 *   <li>{@code circuit breaker policy updated} with {@code name} and {@code policy};</li>
 *   <li>{@code calls rejected} with {@code name}, {@code state} and {@code rejected}, the count
 *       since the last such line: at most one line per breaker per sampling period, so an open
 *       breaker under load does not flood the log.</li>
 * </ul>
 * Logged under {@code dev.bulwark.events.breaker}. Bulwark's other events are logged the same
 * way, with no call needed, once this module is on the class path ({@link Slf4jEventSink}):
 * {@code policy updated}, {@code policy refused}, {@code policy deleted}, {@code config center
 * unavailable} and {@code resumed} ({@code dev.bulwark.events.policy}); {@code registry
 * unavailable} and {@code resumed} ({@code dev.bulwark.events.registry}); {@code instance added},
 * {@code updated} and {@code removed} (or {@code instances changed} with counts, for more than ten at
 * once), {@code empty list refused} ({@code dev.bulwark.events.discovery});
 * {@code server draining} with its {@code step}, {@code serving} and {@code not serving}
 * ({@code dev.bulwark.events.server}). Any other Bulwark message goes through
 * {@code System.Logger}, which this module routes to SLF4J.
 *
 * <pre>{@code
 * EventLog.breakers(config.breakers());   // every breaker of the registry, present and future
 * }</pre>
 */
public final class EventLog {
    static final String BREAKER_LOGGER = "dev.bulwark.events.breaker";
    private static final Logger LOG = LoggerFactory.getLogger(BREAKER_LOGGER);
    private static final Duration SAMPLE = Duration.ofSeconds(1);
    /** Breakers already logged, held weakly: a breaker dropped by its application is not kept alive here. */
    private static final Map<CircuitBreaker, Boolean> LOGGED = Collections.synchronizedMap(new WeakHashMap<>());
    private static final Map<PolicyRegistry<?, ?>, Boolean> BOUND = Collections.synchronizedMap(new WeakHashMap<>());

    private EventLog() {
    }

    /** Logs the events of every breaker of {@code registry}: those there now and those created later. */
    public static PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers(
            PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry) {
        return breakers(registry, Ticker.system(), SAMPLE);
    }

    /** As {@link #breakers(PolicyRegistry)}, sampling rejections once per {@code samplePeriod} on {@code ticker}. */
    public static PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers(
            PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry, Ticker ticker, Duration samplePeriod) {
        Check.notNull("registry", registry);
        Check.notNull("ticker", ticker);
        Check.positive("samplePeriod", samplePeriod);
        if (BOUND.putIfAbsent(registry, Boolean.TRUE) != null) {
            return registry; // already logged
        }
        registry.addListener(new PolicyRegistry.Listener<>() {
            @Override
            public void onAdded(String name, CircuitBreaker breaker) {
                LOG.atInfo().setMessage("circuit breaker created").addKeyValue("name", name)
                        .addKeyValue("policy", breaker.config().toString()).log();
                attach(breaker, ticker, samplePeriod);
            }

            @Override
            public void onReconfigured(String name, CircuitBreaker breaker, CircuitBreakerConfig config) {
                LOG.atInfo().setMessage("circuit breaker policy updated").addKeyValue("name", name)
                        .addKeyValue("policy", config.toString()).log();
            }

            @Override
            public void onRemoved(String name, CircuitBreaker breaker) {
                LOG.atInfo().setMessage("circuit breaker removed").addKeyValue("name", name).log();
            }
        });
        for (CircuitBreaker existing : registry.instances().values()) {
            attach(existing, ticker, samplePeriod);
        }
        return registry;
    }

    /** Logs the events of one breaker. */
    public static CircuitBreaker breaker(CircuitBreaker breaker) {
        attach(Check.notNull("breaker", breaker), Ticker.system(), SAMPLE);
        return breaker;
    }

    /** Gives {@code breaker} its log once, however many registrations and races reach it. */
    private static void attach(CircuitBreaker breaker, Ticker ticker, Duration samplePeriod) {
        if (LOGGED.putIfAbsent(breaker, Boolean.TRUE) == null) {
            breaker.addListener(new BreakerLog(ticker, samplePeriod.toNanos()));
        }
    }

    /** One breaker's lines: transitions, and rejections sampled without a lock. */
    private static final class BreakerLog implements CircuitBreakerListener {
        private final Ticker ticker;
        private final long periodNanos;
        private final AtomicLong nextLine;
        private final AtomicLong rejected = new AtomicLong();

        BreakerLog(Ticker ticker, long periodNanos) {
            this.ticker = ticker;
            this.periodNanos = periodNanos;
            this.nextLine = new AtomicLong(ticker.read());
        }

        @Override
        public void onStateTransition(CircuitBreaker breaker, State from, State to, String reason) {
            long pending = rejected.getAndSet(0);
            if (pending > 0) { // the rejections of the state being left, before it is left
                LOG.atInfo().setMessage("calls rejected").addKeyValue("name", breaker.name())
                        .addKeyValue("state", from.name()).addKeyValue("rejected", pending).log();
            }
            var line = to == State.OPEN || to == State.FORCED_OPEN ? LOG.atWarn() : LOG.atInfo();
            line.setMessage("circuit breaker state changed").addKeyValue("name", breaker.name())
                    .addKeyValue("from", from.name()).addKeyValue("to", to.name()).addKeyValue("reason", reason).log();
        }

        @Override
        public void onRejected(CircuitBreaker breaker, State state) {
            rejected.incrementAndGet();
            long now = ticker.read();
            long due = nextLine.get();
            if (now - due >= 0 && nextLine.compareAndSet(due, now + periodNanos)) {
                LOG.atInfo().setMessage("calls rejected").addKeyValue("name", breaker.name())
                        .addKeyValue("state", state.name()).addKeyValue("rejected", rejected.getAndSet(0)).log();
            }
        }
    }
}
