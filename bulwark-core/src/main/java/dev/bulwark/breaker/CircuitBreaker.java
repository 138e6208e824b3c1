package dev.bulwark.breaker;

import dev.bulwark.CallFailedException;
import dev.bulwark.Verdict;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Listeners;
import dev.bulwark.time.Ticker;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Supplier;

/**
 * Stops calling a dependency that is failing, and lets it recover.
 *
 * <p>CLOSED, it counts outcomes against its {@linkplain CircuitBreakerConfig trip rules}; when one
 * fires it turns OPEN and rejects calls with {@link BreakerOpenException} for the open duration
 * (optionally growing on repeated trips). Then it turns HALF_OPEN and admits at most
 * {@code halfOpenProbes} probes at once: {@code halfOpenSuccesses} successes in a row close it, a
 * failure reopens it, and a probe silent for {@code probeTimeout} is released, so the breaker can
 * never stick half-open. Operators may {@linkplain #forceOpen() force it open} or
 * {@linkplain #disable() disable it}.
 *
 * <p>Two ways to use it. The lambda API for application code:
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.builder("grpc:user-service")
 *     .consecutiveFailures(5).openFor(Duration.ofSeconds(30)).build();
 * User user = breaker.call(() -> client.get(id));
 * }</pre>
 * and the permission API for transports and interceptors, which allocates nothing:
 * <pre>{@code
 * long permit = breaker.tryAcquirePermission();
 * if (permit == CircuitBreaker.NO_PERMIT) throw breaker.rejection();
 * long start = ticker.read();
 * try { ...; breaker.onSuccess(permit, ticker.read() - start); }
 * catch (Throwable e) { breaker.onFailure(permit, ticker.read() - start, e); throw e; }
 * }</pre>
 * Every permit must be answered exactly once: {@code onSuccess}, {@code onFailure},
 * {@code onResult} or {@link #release(long)}.
 *
 * <p>Thread-safe and lock-free: state lives in an immutable phase swapped by CAS, counters in
 * atomic fields; a call in the closed state takes no lock and allocates nothing.
 */
public final class CircuitBreaker {
    /** Returned by {@link #tryAcquirePermission()} when the call must not run. */
    public static final long NO_PERMIT = -1;

    private static final int GENERATION_SHIFT = 32;
    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;

    private final String name;
    private final Ticker ticker;
    private final AtomicReference<Phase> phase;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final LongAdder rejections = new LongAdder();
    private final Listeners<CircuitBreakerListener> listeners = new Listeners<>(CircuitBreakerListener.class);
    // Listeners that override onOutcome: only they make calls need timing and outcome callbacks.
    private final java.util.concurrent.atomic.AtomicInteger outcomeListeners = new java.util.concurrent.atomic.AtomicInteger();
    private volatile CircuitBreakerConfig config;
    private volatile OutcomeWindow window;

    private CircuitBreaker(String name, CircuitBreakerConfig config, Ticker ticker) {
        this.name = name;
        this.ticker = ticker;
        this.config = config;
        long now = ticker.read();
        this.window = OutcomeWindow.of(config, now);
        this.phase = new AtomicReference<>(new Phase(State.CLOSED, 0, now, 0, 0, "created", 0));
    }

    /** Starts a builder for a breaker named {@code name}; see {@link CircuitBreakerConfig} for the rules. */
    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    /** A breaker named {@code name} with {@code config}, on the system ticker. */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config) {
        return of(name, config, Ticker.system());
    }

    /** A breaker named {@code name} with {@code config}, reading time from {@code ticker}. */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config, Ticker ticker) {
        return new CircuitBreaker(Check.name("name", name), Check.notNull("config", config), Check.notNull("ticker", ticker));
    }

    // ---------------------------------------------------------------- lambda API

    /**
     * Runs {@code task} if the breaker admits it and records the outcome.
     *
     * @throws BreakerOpenException if the breaker rejects the call
     * @throws CallFailedException wrapping a checked exception thrown by {@code task}
     */
    public <T> T call(Callable<T> task) {
        long permit = tryAcquirePermission();
        if (permit == NO_PERMIT) {
            throw rejection();
        }
        boolean timed = measuresDuration();
        long start = timed ? ticker.read() : 0;
        T result;
        try {
            result = task.call();
        } catch (Throwable error) {
            onResult(permit, timed ? ticker.read() - start : 0, null, error);
            throw CallFailedException.propagate(error);
        }
        onResult(permit, timed ? ticker.read() - start : 0, result, null);
        return result;
    }

    /**
     * Whether outcomes need their duration: a slow-call rule or a listener is set. When false a
     * caller of the permission API may skip reading the clock and report a duration of 0; reading
     * a clock costs about as much as the rest of a closed breaker's work.
     */
    public boolean measuresDuration() {
        return config.slowCallRate() > 0 || outcomeListeners.get() > 0;
    }

    /** Runs {@code task} if the breaker admits it; see {@link #call(Callable)}. */
    public void run(Runnable task) {
        call(() -> {
            task.run();
            return null;
        });
    }

    /**
     * Starts {@code task} if the breaker admits it and records the outcome when its stage completes.
     * A rejection is returned as a failed stage, not thrown; so is an exception thrown by {@code task}.
     */
    public <T> CompletionStage<T> callAsync(Supplier<? extends CompletionStage<T>> task) {
        long permit = tryAcquirePermission();
        if (permit == NO_PERMIT) {
            return CompletableFuture.failedFuture(rejection());
        }
        long start = ticker.read();
        CompletionStage<T> stage;
        try {
            stage = task.get();
        } catch (Throwable error) {
            onResult(permit, ticker.read() - start, null, error);
            return CompletableFuture.failedFuture(error);
        }
        // Hand back the task's own future: cancelling it cancels the work, and the outcome is still recorded.
        CompletableFuture<T> source = stage.toCompletableFuture();
        source.whenComplete((result, error) -> onResult(permit, ticker.read() - start, result, error));
        return source;
    }

    // ---------------------------------------------------------------- permission API

    /**
     * Asks to run one call. Allocation-free.
     *
     * @return a permit to hand back with the outcome, or {@link #NO_PERMIT} if the call must not run
     */
    public long tryAcquirePermission() {
        Phase current = phase.get();
        switch (current.state) {
            case CLOSED:
            case DISABLED:
                return current.generation << GENERATION_SHIFT;
            case OPEN:
                long now = ticker.read();
                if (now - current.openUntilNanos < 0) {
                    return rejected(current);
                }
                Phase halfOpen = enterHalfOpen(current, now);
                return claimProbe(halfOpen, now);
            case HALF_OPEN:
                return claimProbe(current, ticker.read());
            default:
                return rejected(current);
        }
    }

    /** Reports that the call admitted by {@code permit} succeeded after {@code durationNanos}. */
    public void onSuccess(long permit, long durationNanos) {
        record(permit, durationNanos, Verdict.SUCCESS);
    }

    /** Reports that the call admitted by {@code permit} threw {@code error}; the classifier judges it. */
    public void onFailure(long permit, long durationNanos, Throwable error) {
        record(permit, durationNanos, config.classifier().classifyError(error));
    }

    /** Reports a call's result or error ({@code error} non-null); the classifier judges it. */
    public void onResult(long permit, long durationNanos, Object result, Throwable error) {
        record(permit, durationNanos, config.classifier().classify(result, error));
    }

    /** Hands back a permit whose call counts as neither success nor failure (e.g. it was cancelled). */
    public void release(long permit) {
        record(permit, 0, Verdict.IGNORED);
    }

    /** Reports an outcome already judged. */
    public void record(long permit, long durationNanos, Verdict verdict) {
        if (permit < 0) {
            return;
        }
        Phase current = phase.get();
        if (current.generation != permit >>> GENERATION_SHIFT) {
            return; // granted in an earlier phase: the breaker has moved on, this outcome is stale
        }
        if (outcomeListeners.get() > 0) {
            for (CircuitBreakerListener l : listeners.all()) {
                try {
                    l.onOutcome(this, verdict, durationNanos);
                } catch (RuntimeException e) {
                    listeners.failed(l, e);
                }
            }
        }
        if (current.state == State.CLOSED) {
            recordClosed(current, durationNanos, verdict);
        } else if (current.state == State.HALF_OPEN) {
            recordProbe(current, permit & SEQUENCE_MASK, verdict);
        }
    }

    /** A rejection describing the breaker's current state, for callers of the permission API. */
    public BreakerOpenException rejection() {
        Phase current = phase.get();
        long retryAfter = switch (current.state) {
            case OPEN -> Math.max(0, current.openUntilNanos - ticker.read());
            case HALF_OPEN -> 0;
            default -> -1;
        };
        return new BreakerOpenException(name, current.state, current.reason, retryAfter);
    }

    // ---------------------------------------------------------------- operators

    /** Rejects every call until {@link #reset()}. */
    public void forceOpen() {
        transitionTo(State.FORCED_OPEN, "forced open by operator", 0, 0);
    }

    /** Admits every call and counts nothing until {@link #reset()}. */
    public void disable() {
        transitionTo(State.DISABLED, "disabled by operator", 0, 0);
    }

    /** Closes the breaker and forgets every count. */
    public void reset() {
        transitionTo(State.CLOSED, "reset by operator", 0, 0);
    }

    /**
     * Applies {@code newConfig} to this live breaker, keeping its state: an open breaker stays open
     * until the time it was given, a closed one keeps its window if the window has the same shape.
     */
    public void reconfigure(CircuitBreakerConfig newConfig) {
        Check.notNull("config", newConfig);
        if (!window.fits(newConfig)) {
            window = OutcomeWindow.of(newConfig, ticker.read());
        }
        config = newConfig;
    }

    /**
     * Adds a listener. One that does not override {@link CircuitBreakerListener#onOutcome} costs
     * the call path nothing: calls are timed and outcomes announced only for listeners that want them.
     */
    public void addListener(CircuitBreakerListener listener) {
        listeners.add(Check.notNull("listener", listener));
        if (observesOutcomes(listener)) {
            outcomeListeners.incrementAndGet();
        }
    }

    public void removeListener(CircuitBreakerListener listener) {
        boolean present = java.util.Arrays.asList(listeners.all()).contains(listener);
        listeners.remove(listener);
        if (present && observesOutcomes(listener)) {
            outcomeListeners.decrementAndGet();
        }
    }

    private static boolean observesOutcomes(CircuitBreakerListener listener) {
        try {
            return listener.getClass().getMethod("onOutcome", CircuitBreaker.class, Verdict.class, long.class)
                    .getDeclaringClass() != CircuitBreakerListener.class;
        } catch (NoSuchMethodException impossible) {
            return true;
        }
    }

    // ---------------------------------------------------------------- views

    public String name() {
        return name;
    }

    public CircuitBreakerConfig config() {
        return config;
    }

    /** The time source this breaker measures with; permission-API callers time their calls with it. */
    public Ticker ticker() {
        return ticker;
    }

    /** The current state; an open breaker whose time is up reports HALF_OPEN. */
    public State state() {
        Phase current = phase.get();
        if (current.state == State.OPEN && ticker.read() - current.openUntilNanos >= 0) {
            return State.HALF_OPEN;
        }
        return current.state;
    }

    /** A consistent-enough reading of the breaker's counters, for dashboards and metrics. */
    public CircuitBreakerMetrics metrics() {
        long now = ticker.read();
        Phase current = phase.get();
        OutcomeWindow w = window;
        long calls = w.calls(now);
        return new CircuitBreakerMetrics(state(), calls, w.failures(now), w.slowCalls(now),
                consecutiveFailures.get(), current.probesInFlight(), rejections.sum(),
                current.state == State.OPEN ? Math.max(0, current.openUntilNanos - now) : 0);
    }

    @Override
    public String toString() {
        return "CircuitBreaker{" + name + ", " + state() + '}';
    }

    // ---------------------------------------------------------------- internals

    private long rejected(Phase current) {
        rejections.increment();
        if (listeners.any()) {
            for (CircuitBreakerListener l : listeners.all()) {
                try {
                    l.onRejected(this, current.state);
                } catch (RuntimeException e) {
                    listeners.failed(l, e);
                }
            }
        }
        return NO_PERMIT;
    }

    private Phase enterHalfOpen(Phase open, long now) {
        Phase halfOpen = new Phase(State.HALF_OPEN, open.generation + 1, now, 0, open.trips,
                "open time elapsed", config.halfOpenProbes());
        if (phase.compareAndSet(open, halfOpen)) {
            notifyTransition(open.state, State.HALF_OPEN, halfOpen.reason);
            return halfOpen;
        }
        return phase.get();
    }

    private long claimProbe(Phase current, long now) {
        if (current.state != State.HALF_OPEN) {
            // Lost a race with another transition; judge the call on the phase that won.
            return current.state == State.CLOSED || current.state == State.DISABLED
                    ? current.generation << GENERATION_SHIFT : rejected(current);
        }
        CircuitBreakerConfig c = config;
        long sequence = current.claimProbe(c.halfOpenProbes(), now, c.probeTimeoutNanos(), this);
        return sequence == 0 ? rejected(current) : (current.generation << GENERATION_SHIFT) | sequence;
    }

    void probeReleased() {
        if (listeners.any()) {
            for (CircuitBreakerListener l : listeners.all()) {
                try {
                    l.onProbeReleased(this);
                } catch (RuntimeException e) {
                    listeners.failed(l, e);
                }
            }
        }
    }

    private void recordClosed(Phase current, long durationNanos, Verdict verdict) {
        if (verdict == Verdict.IGNORED) {
            return;
        }
        CircuitBreakerConfig c = config;
        boolean failed = verdict.isFailure();
        boolean slow = durationNanos >= c.slowCallNanos();
        long now = 0;
        if (failed) {
            int inARow = consecutiveFailures.incrementAndGet();
            if (c.consecutiveFailures() > 0 && inARow >= c.consecutiveFailures()) {
                trip(current, inARow + " consecutive failures (threshold " + c.consecutiveFailures() + ")");
                return;
            }
        } else if (consecutiveFailures.get() != 0) {
            consecutiveFailures.set(0); // read first: the success path writes nothing shared when all is well
        }
        if (c.failureRate() == 0 && c.slowCallRate() == 0) {
            return;
        }
        OutcomeWindow w = window;
        if (w instanceof OutcomeWindow.TimeWindow || failed || slow) {
            now = ticker.read();
        }
        w.record((failed ? OutcomeWindow.FAILED : 0) | (slow ? OutcomeWindow.SLOW : 0), now);
        // Judged after every call, successes included: a success can bring the window up to its
        // minimum number of calls, and in a time window old successes expiring raise the rate.
        String rule = firedRateRule(c, w, now);
        if (rule != null) {
            trip(current, rule);
        }
    }

    private static String firedRateRule(CircuitBreakerConfig c, OutcomeWindow w, long now) {
        // Read the rarely non-zero counts first: a healthy window stops here at one or two reads.
        long failures = c.failureRate() > 0 ? w.failures(now) : 0;
        long slowCalls = c.slowCallRate() > 0 ? w.slowCalls(now) : 0;
        if (failures == 0 && slowCalls == 0) {
            return null;
        }
        long calls = w.calls(now);
        if (calls < c.minimumCalls() || calls == 0) {
            return null;
        }
        if (c.failureRate() > 0) {
            double rate = 100.0 * failures / calls;
            if (rate >= c.failureRate()) {
                return String.format(Locale.ROOT, "failure rate %.1f%% over %d calls (threshold %.1f%%)",
                        rate, calls, c.failureRate());
            }
        }
        if (c.slowCallRate() > 0) {
            double rate = 100.0 * slowCalls / calls;
            if (rate >= c.slowCallRate()) {
                return String.format(Locale.ROOT, "slow-call rate %.1f%% over %d calls (threshold %.1f%%)",
                        rate, calls, c.slowCallRate());
            }
        }
        return null;
    }

    private void recordProbe(Phase current, long sequence, Verdict verdict) {
        if (!current.releaseProbe(sequence)) {
            return; // this probe was declared silent and its slot given away
        }
        if (verdict == Verdict.IGNORED) {
            return;
        }
        if (verdict.isFailure()) {
            trip(current, "probe failed");
        } else if (current.probeSuccesses.incrementAndGet() >= config.halfOpenSuccesses()) {
            Phase closed = new Phase(State.CLOSED, current.generation + 1, ticker.read(), 0, 0,
                    current.probeSuccesses.get() + " probes succeeded", 0);
            swap(current, closed, true);
        }
    }

    private void trip(Phase from, String reason) {
        long now = ticker.read();
        int trips = from.trips + 1;
        long open = config.openDurationNanos(trips, ThreadLocalRandom.current().nextDouble());
        Phase opened = new Phase(State.OPEN, from.generation + 1, now, now + open, trips, reason, 0);
        swap(from, opened, false);
    }

    private void transitionTo(State state, String reason, long openUntil, int trips) {
        while (true) {
            Phase current = phase.get();
            Phase next = new Phase(state, current.generation + 1, ticker.read(), openUntil, trips, reason,
                    config.halfOpenProbes());
            if (swap(current, next, state == State.CLOSED)) {
                return;
            }
        }
    }

    private boolean swap(Phase from, Phase to, boolean freshCounts) {
        if (!phase.compareAndSet(from, to)) {
            return false;
        }
        if (freshCounts || to.state == State.OPEN) {
            consecutiveFailures.set(0);
            window = OutcomeWindow.of(config, to.enteredAtNanos);
        }
        notifyTransition(from.state, to.state, to.reason);
        return true;
    }

    private void notifyTransition(State from, State to, String reason) {
        if (listeners.any()) {
            for (CircuitBreakerListener l : listeners.all()) {
                try {
                    l.onStateTransition(this, from, to, reason);
                } catch (RuntimeException e) {
                    listeners.failed(l, e);
                }
            }
        }
    }

    /** Builds a {@link CircuitBreaker}: its rules, and optionally its ticker and listeners. */
    public static final class Builder extends CircuitBreakerConfig.Settings<Builder> {
        private final String name;
        private Ticker ticker = Ticker.system();
        private final java.util.List<CircuitBreakerListener> listeners = new java.util.ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        /** The time source (default the system's); tests pass a fake one. */
        public Builder ticker(Ticker source) {
            this.ticker = Check.notNull("ticker", source);
            return this;
        }

        public Builder listener(CircuitBreakerListener listener) {
            listeners.add(Check.notNull("listener", listener));
            return this;
        }

        public CircuitBreaker build() {
            CircuitBreaker breaker = new CircuitBreaker(name, new CircuitBreakerConfig(this), ticker);
            listeners.forEach(breaker::addListener);
            return breaker;
        }
    }
}
