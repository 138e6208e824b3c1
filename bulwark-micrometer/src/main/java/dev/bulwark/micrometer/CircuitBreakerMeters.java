package dev.bulwark.micrometer;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerListener;
import dev.bulwark.breaker.State;
import dev.bulwark.internal.Check;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Meters of one {@link CircuitBreaker}, tagged {@code name} (the breaker's):
 * <ul>
 * <li>{@code bulwark.breaker.state}: one gauge per state, tagged {@code state} ({@code closed},
 *     {@code half_open}, {@code open}, {@code forced_open}, {@code disabled}), 1 for the current
 *     state and 0 for the others, so an alert reads {@code bulwark_breaker_state{state="open"} == 1};</li>
 * <li>{@code bulwark.breaker.transitions}: a counter of state changes tagged {@code from} and
 *     {@code to}, fed by a {@link CircuitBreakerListener};</li>
 * <li>{@code bulwark.breaker.rejected.calls}: calls rejected since the breaker was created;</li>
 * <li>{@code bulwark.breaker.failure.rate} and {@code bulwark.breaker.slow.call.rate}: the
 *     current window's rates as fractions from 0 to 1 (0 for an empty window).</li>
 * </ul>
 *
 * <p>An open breaker whose open time is up reads {@code half_open} at once, while the
 * {@code OPEN → HALF_OPEN} transition is counted when the next call arrives and makes it.
 *
 * <p>Binding adds a transitions-only listener to the breaker, which costs its call path nothing
 * (calls are not timed for it); {@link #close()} removes the listener and the meters. The meters
 * hold the breaker strongly until then. Thread-safe.
 */
public final class CircuitBreakerMeters implements MeterBinder, AutoCloseable {
    static final String NAME_TAG = "name";
    private static final State[] STATES = State.values();

    private final CircuitBreaker breaker;
    private final Tags tags;
    private final BoundMeters meters = new BoundMeters();
    private final List<TransitionCounter> listeners = new ArrayList<>();

    private CircuitBreakerMeters(CircuitBreaker breaker) {
        this.breaker = breaker;
        this.tags = Tags.of(NAME_TAG, breaker.name());
    }

    /** Meters for {@code breaker}; bind them with {@link #bindTo(MeterRegistry)}. */
    public static CircuitBreakerMeters of(CircuitBreaker breaker) {
        return new CircuitBreakerMeters(Check.notNull("breaker", breaker));
    }

    @Override
    public synchronized void bindTo(MeterRegistry registry) {
        Check.notNull("registry", registry);
        for (State state : STATES) {
            meters.gauge(registry, "bulwark.breaker.state", breaker, b -> b.state() == state ? 1 : 0,
                    "1 for the breaker's current state, 0 for the others", tags.and("state", StateCodes.tag(state)));
        }
        meters.add(registry, FunctionCounter.builder("bulwark.breaker.rejected.calls", breaker,
                        b -> b.metrics().rejectedCalls())
                .description("Calls the breaker rejected since it was created")
                .tags(tags)
                .register(registry));
        meters.gauge(registry, "bulwark.breaker.failure.rate", breaker, b -> b.metrics().failureRate() / 100,
                "Failures among the calls of the breaker's current window, from 0 to 1", tags);
        meters.gauge(registry, "bulwark.breaker.slow.call.rate", breaker, b -> b.metrics().slowCallRate() / 100,
                "Slow calls among the calls of the breaker's current window, from 0 to 1", tags);
        meters.gauge(registry, "bulwark.breaker.timeout.rate", breaker, b -> b.metrics().timeoutRate() / 100,
                "Timeouts among the calls of the breaker's current window, from 0 to 1", tags);
        TransitionCounter listener = new TransitionCounter(registry);
        listeners.add(listener);
        breaker.addListener(listener);
    }

    /** Removes the listener and every meter this binder registered, from every registry. */
    @Override
    public synchronized void close() {
        for (TransitionCounter listener : listeners) {
            breaker.removeListener(listener);
        }
        listeners.clear();
        meters.removeAll();
    }

    /** Counts transitions on one registry; a counter per (from, to), made at its first transition. */
    private final class TransitionCounter implements CircuitBreakerListener {
        private final MeterRegistry registry;
        private final AtomicReferenceArray<Counter> counters = new AtomicReferenceArray<>(STATES.length * STATES.length);

        TransitionCounter(MeterRegistry registry) {
            this.registry = registry;
        }

        @Override
        public void onStateTransition(CircuitBreaker source, State from, State to, String reason) {
            int slot = from.ordinal() * STATES.length + to.ordinal();
            Counter counter = counters.get(slot);
            if (counter == null) {
                counter = meters.add(registry, Counter.builder("bulwark.breaker.transitions")
                        .description("State changes of the breaker, by the state left and the state entered")
                        .tags(tags)
                        .tag("from", StateCodes.tag(from))
                        .tag("to", StateCodes.tag(to))
                        .register(registry));
                counters.set(slot, counter);
            }
            counter.increment();
        }

        @Override
        public String toString() {
            return "bulwark-micrometer transitions of " + breaker.name();
        }
    }
}
