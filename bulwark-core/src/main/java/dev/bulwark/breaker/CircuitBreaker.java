package dev.bulwark.breaker;

import dev.bulwark.CallFailedException;
import dev.bulwark.Verdict;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import dev.bulwark.internal.Listeners;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
 * (optionally growing on repeated trips). Then it turns HALF_OPEN — announced when the time is up,
 * by a timer on its {@link Scheduler}, not only when the next call comes — and admits at most
 * {@code halfOpenProbes} probes at once: {@code halfOpenSuccesses} successes in a row close it, a
 * failure reopens it, and a probe silent for {@code probeTimeout} is released, so the breaker can
 * never stick half-open.
 *
 * <p>Operators may {@linkplain #forceOpen() force it open}, {@linkplain #disable() disable it},
 * {@linkplain #openFor(Duration) open it for a while} or {@linkplain #openUntil(Instant) until an
 * instant}, {@linkplain #halfOpen() half-open it} or {@linkplain #reset() close it}. A request for
 * the state the breaker is already in announces nothing.
 *
 * <p>Two ways to use it. The lambda API for application code:
 * <pre>{@code
 * CircuitBreaker breaker = CircuitBreaker.builder("grpc:user-service")
 *     .consecutiveFailures(5).openFor(Duration.ofSeconds(30)).build();
 * String user = breaker.call(() -> "user-" + 42);
 * }</pre>
 * and the permission API for transports and interceptors, which allocates nothing:
 * <pre>{@code
 * long permit = breaker.tryAcquirePermission();
 * if (permit == CircuitBreaker.NO_PERMIT) throw breaker.rejection();
 * long start = breaker.ticker().read();
 * try {
 *     String reply = "pong";
 *     breaker.onSuccess(permit, breaker.ticker().read() - start);
 * } catch (RuntimeException e) {
 *     breaker.onFailure(permit, breaker.ticker().read() - start, e);
 *     throw e;
 * }
 * }</pre>
 * Every permit must be answered exactly once: {@code onSuccess}, {@code onFailure},
 * {@code onResult}, {@code record} or {@link #release(long)}.
 *
 * <p>Thread-safe and lock-free: state lives in an immutable phase swapped by CAS, the rules and
 * their window in one more, counters in atomic fields; a call in the closed state takes no lock
 * and allocates nothing.
 */
public final class CircuitBreaker {
    /** Returned by {@link #tryAcquirePermission()} when the call must not run. */
    public static final long NO_PERMIT = -1;
    /** A permit for a call that runs but is not counted (metrics-only mode, where a rejection would be). */
    static final long UNCOUNTED = Long.MAX_VALUE;

    private static final int GENERATION_SHIFT = 32;
    private static final long SEQUENCE_MASK = 0xFFFF_FFFFL;

    private final String name;
    private final Ticker ticker;
    /** Announces OPEN→HALF_OPEN when the open time is up; {@code null} for a bare ticker (then on the next read). */
    private final Scheduler scheduler;
    private final Clock clock;
    private final AtomicReference<Phase> phase;
    /** The config and the window it is judged on, swapped together. */
    private final AtomicReference<Rules> rules;
    private final AtomicInteger consecutiveFailures = new AtomicInteger();
    private final AtomicInteger consecutiveSuccesses = new AtomicInteger();
    private final LongAdder rejections = new LongAdder();
    private final Listeners<CircuitBreakerListener> listeners = new Listeners<>(CircuitBreakerListener.class);
    // Listeners that override onOutcome: only they make calls need timing and outcome callbacks.
    private final AtomicInteger outcomeListeners = new AtomicInteger();
    private final BreakerCounts liveCounts = new LiveCounts();

    /** A config and the window its rate rules read; a new pair on every change of either. */
    private static final class Rules {
        final CircuitBreakerConfig config;
        final OutcomeWindow window;

        Rules(CircuitBreakerConfig config, OutcomeWindow window) {
            this.config = config;
            this.window = window;
        }
    }

    private CircuitBreaker(String name, CircuitBreakerConfig config, Ticker ticker, Scheduler scheduler, Clock clock) {
        this.name = name;
        this.ticker = ticker;
        this.scheduler = scheduler;
        this.clock = clock;
        long now = ticker.read();
        this.rules = new AtomicReference<>(new Rules(config, OutcomeWindow.of(config, now)));
        this.phase = new AtomicReference<>(new Phase(State.CLOSED, 0, now, 0, 0, "created", 0));
    }

    /** Starts a builder for a breaker named {@code name}; see {@link CircuitBreakerConfig} for the rules. */
    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    /** A breaker named {@code name} with {@code config}, on the system scheduler. */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config) {
        return of(name, config, Scheduler.system());
    }

    /**
     * A breaker named {@code name} with {@code config}, reading time from {@code scheduler}'s ticker
     * and announcing the end of each open period on it.
     */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config, Scheduler scheduler) {
        Check.notNull("scheduler", scheduler);
        return new CircuitBreaker(Check.name("name", name), Check.notNull("config", config), scheduler.ticker(),
                scheduler, Clock.systemUTC());
    }

    /**
     * A breaker named {@code name} with {@code config}, reading time from {@code ticker}. With no
     * scheduler to set a timer on, the end of an open period is noticed (and announced) by the
     * first call or state read after it.
     */
    public static CircuitBreaker of(String name, CircuitBreakerConfig config, Ticker ticker) {
        Check.notNull("ticker", ticker);
        return new CircuitBreaker(Check.name("name", name), Check.notNull("config", config), ticker,
                ticker == Ticker.system() ? Scheduler.system() : null, Clock.systemUTC());
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
     * Whether outcomes need their duration: a slow-call duration or a listener is set. When false
     * a caller of the permission API may skip reading the clock and report a duration of 0;
     * reading a clock costs about as much as the rest of a closed breaker's work.
     */
    public boolean measuresDuration() {
        return rules.get().config.slowCallNanos() != Long.MAX_VALUE || outcomeListeners.get() > 0;
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
     * A rejection fails the returned future, as does an exception thrown by {@code task} or by the
     * classifier judging the outcome. Cancelling the returned future cancels the task's and
     * releases the permit uncounted: the caller gave up, which says nothing of the dependency.
     */
    public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> task) {
        long permit = tryAcquirePermission();
        if (permit == NO_PERMIT) {
            return CompletableFuture.failedFuture(rejection());
        }
        long start = ticker.read();
        CompletableFuture<T> source = Futures.start(task);
        CompletableFuture<T> result = Futures.dependent(source);
        source.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                release(permit); // our caller gave up: no verdict on the dependency
                return;
            }
            Throwable error = Futures.unwrap(failure);
            try {
                onResult(permit, ticker.read() - start, value, error);
            } catch (Throwable judging) {
                result.completeExceptionally(judging);
                return;
            }
            Futures.complete(result, value, error);
        });
        return result;
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
                Phase halfOpen = enterHalfOpen(current, now, "open time elapsed");
                return claimProbe(halfOpen, now);
            case HALF_OPEN:
                return claimProbe(current, ticker.read());
            default:
                return rejected(current);
        }
    }

    /** Reports that the call admitted by {@code permit} succeeded after {@code durationNanos}. */
    public void onSuccess(long permit, long durationNanos) {
        record(permit, durationNanos, Verdict.SUCCESS, false);
    }

    /**
     * Reports that the call admitted by {@code permit} threw {@code error}; the classifier judges
     * it (and tells whether it was a timeout). If the classifier throws, the permit is released
     * uncounted and its exception propagates.
     */
    public void onFailure(long permit, long durationNanos, Throwable error) {
        onResult(permit, durationNanos, null, error);
    }

    /**
     * Reports a call's result or error ({@code error} non-null); the classifier judges it. If the
     * classifier throws, the permit is released uncounted and its exception propagates.
     *
     * @return the classifier's verdict, so that the caller need not judge the outcome again
     */
    public Verdict onResult(long permit, long durationNanos, Object result, Throwable error) {
        Verdict verdict;
        boolean timedOut;
        try {
            verdict = rules.get().config.classifier().classify(result, error);
            timedOut = error != null && verdict.isFailure() && rules.get().config.classifier().isTimeout(error);
        } catch (RuntimeException | Error judging) {
            release(permit);
            throw judging;
        }
        record(permit, durationNanos, verdict, timedOut);
        return verdict;
    }

    /** Hands back a permit whose call counts as neither success nor failure (e.g. it was cancelled). */
    public void release(long permit) {
        record(permit, 0, Verdict.IGNORED, false);
    }

    /** Reports an outcome already judged. */
    public void record(long permit, long durationNanos, Verdict verdict) {
        record(permit, durationNanos, verdict, false);
    }

    private void record(long permit, long durationNanos, Verdict verdict, boolean timedOut) {
        if (permit < 0 || permit == UNCOUNTED) {
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
            recordClosed(current, durationNanos, verdict, timedOut);
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

    /** Rejects every call until {@link #reset()} (even in metrics-only mode: an operator asked). */
    public void forceOpen() {
        transitionTo(State.FORCED_OPEN, "forced open by operator", 0);
    }

    /** Admits every call and counts nothing until {@link #reset()}. */
    public void disable() {
        transitionTo(State.DISABLED, "disabled by operator", 0);
    }

    /** Closes the breaker and forgets every count; announces a transition only if it was not closed. */
    public void reset() {
        transitionTo(State.CLOSED, "reset by operator", 0);
    }

    /**
     * Opens the breaker for {@code duration}, then half-opens it as after a trip. If it is open
     * already, its open time is replaced (no transition is announced).
     */
    public void openFor(Duration duration) {
        long nanos = Check.nanos(Check.positive("duration", duration));
        transitionTo(State.OPEN, "opened by operator for " + duration, nanos);
    }

    /** Opens the breaker until {@code until} on its wall clock, then half-opens it as after a trip. */
    public void openUntil(Instant until) {
        Check.notNull("until", until);
        Instant now = clock.instant();
        if (!until.isAfter(now)) {
            throw new dev.bulwark.InvalidConfigException("until", until, "an instant after now (" + now + ")");
        }
        long nanos = Check.nanos(Duration.between(now, until));
        transitionTo(State.OPEN, "opened by operator until " + until, nanos);
    }

    /** Half-opens the breaker now: the next calls are probes. */
    public void halfOpen() {
        while (true) {
            Phase current = phase.get();
            if (current.state == State.HALF_OPEN) {
                return;
            }
            Phase next = new Phase(State.HALF_OPEN, current.generation + 1, ticker.read(), 0, current.trips,
                    "half-opened by operator", rules.get().config.halfOpenProbes());
            if (swap(current, next)) {
                return;
            }
        }
    }

    /**
     * Applies {@code newConfig} to this live breaker, keeping its state: an open breaker stays open
     * until the time it was given, a closed one keeps its window if the window has the same shape.
     * The config and its window change together: no call sees one without the other.
     */
    public void reconfigure(CircuitBreakerConfig newConfig) {
        Check.notNull("config", newConfig);
        while (true) {
            Rules old = rules.get();
            OutcomeWindow window = old.window.fits(newConfig) ? old.window : OutcomeWindow.of(newConfig, ticker.read());
            if (rules.compareAndSet(old, new Rules(newConfig, window))) {
                return;
            }
        }
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
        boolean present = Arrays.asList(listeners.all()).contains(listener);
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
        return rules.get().config;
    }

    /** The time source this breaker measures with; permission-API callers time their calls with it. */
    public Ticker ticker() {
        return ticker;
    }

    /**
     * The current state. An open breaker whose time is up half-opens now, announcing the
     * transition, so that a reading never shows a state the listeners were not told of.
     */
    public State state() {
        Phase current = phase.get();
        if (current.state == State.OPEN) {
            long now = ticker.read();
            if (now - current.openUntilNanos >= 0) {
                return enterHalfOpen(current, now, "open time elapsed").state;
            }
        }
        return current.state;
    }

    /** A consistent-enough reading of the breaker's counters, for dashboards and metrics. */
    public CircuitBreakerMetrics metrics() {
        State state = state();
        long now = ticker.read();
        Phase current = phase.get();
        OutcomeWindow w = rules.get().window;
        return new CircuitBreakerMetrics(state, w.calls(now), w.failures(now), w.slowCalls(now), w.timeouts(now),
                consecutiveFailures.get(), consecutiveSuccesses.get(), current.probesInFlight(), rejections.sum(),
                current.state == State.OPEN ? Math.max(0, current.openUntilNanos - now) : 0);
    }

    @Override
    public String toString() {
        return "CircuitBreaker{" + name + ", " + state() + '}';
    }

    /** Whether the window in use has the shape the config in use asks for (a check for tests). */
    boolean windowFitsConfig() {
        Rules r = rules.get();
        return r.window.fits(r.config);
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
        // Metrics-only mode counts and announces what it would reject, then lets the call run
        // uncounted; an operator's forced open is obeyed.
        return current.state != State.FORCED_OPEN && rules.get().config.metricsOnly() ? UNCOUNTED : NO_PERMIT;
    }

    private Phase enterHalfOpen(Phase open, long now, String reason) {
        Phase halfOpen = new Phase(State.HALF_OPEN, open.generation + 1, now, 0, open.trips, reason,
                rules.get().config.halfOpenProbes());
        if (swap(open, halfOpen)) {
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
        CircuitBreakerConfig c = rules.get().config;
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

    private void recordClosed(Phase current, long durationNanos, Verdict verdict, boolean timedOut) {
        if (verdict == Verdict.IGNORED) {
            return;
        }
        Rules r = rules.get();
        CircuitBreakerConfig c = r.config;
        boolean failed = verdict.isFailure();
        boolean slow = durationNanos >= c.slowCallNanos();
        boolean runs = c.tripRule() != null;
        if (failed) {
            int inARow = consecutiveFailures.incrementAndGet();
            if (runs && consecutiveSuccesses.get() != 0) {
                consecutiveSuccesses.set(0);
            }
            if (c.consecutiveFailures() > 0 && inARow >= c.consecutiveFailures()) {
                trip(current, inARow + " consecutive failures (threshold " + c.consecutiveFailures() + ")");
                return;
            }
        } else {
            if (consecutiveFailures.get() != 0) {
                consecutiveFailures.set(0); // read first: the success path writes nothing shared when all is well
            }
            if (runs) {
                consecutiveSuccesses.incrementAndGet();
            }
        }
        if (!c.usesWindow()) {
            return;
        }
        OutcomeWindow w = r.window;
        long now = w instanceof OutcomeWindow.TimeWindow || failed || slow ? ticker.read() : 0;
        w.record((failed ? OutcomeWindow.FAILED : 0) | (slow ? OutcomeWindow.SLOW : 0)
                | (timedOut ? OutcomeWindow.TIMED_OUT : 0), now);
        // Judged after every call, successes included: a success can bring the window up to its
        // minimum number of calls, and in a time window old successes expiring raise the rate.
        // A window of nothing but successes fires nothing: stop at that one read.
        if (!failed && !slow && w.clean(now)) {
            return;
        }
        String rule = firedRule(c, w, now);
        if (rule != null) {
            trip(current, rule);
        }
    }

    private String firedRule(CircuitBreakerConfig c, OutcomeWindow w, long now) {
        long calls = w.calls(now);
        if (calls > 0 && calls >= c.minimumCalls()) {
            String fired = firedRate("failure rate", c.failureRate(), c.failureRate() > 0 ? w.failures(now) : 0, calls);
            if (fired == null) {
                fired = firedRate("slow-call rate", c.slowCallRate(), c.slowCallRate() > 0 ? w.slowCalls(now) : 0, calls);
            }
            if (fired == null) {
                fired = firedRate("timeout rate", c.timeoutRate(), c.timeoutRate() > 0 ? w.timeouts(now) : 0, calls);
            }
            if (fired != null) {
                return fired;
            }
        }
        TripRule custom = c.tripRule();
        if (custom != null && custom.shouldTrip(liveCounts)) {
            return "trip rule '" + custom + "' fired on " + describe(liveCounts);
        }
        return null;
    }

    private static String firedRate(String what, double threshold, long count, long calls) {
        if (threshold == 0 || count == 0) {
            return null;
        }
        double rate = 100.0 * count / calls;
        return rate >= threshold
                ? String.format(Locale.ROOT, "%s %.1f%% over %d calls (threshold %.1f%%)", what, rate, calls, threshold)
                : null;
    }

    private static String describe(BreakerCounts c) {
        return "calls=" + c.calls() + ", failures=" + c.failures() + ", slowCalls=" + c.slowCalls() + ", timeouts="
                + c.timeouts() + ", consecutiveFailures=" + c.consecutiveFailures() + ", consecutiveSuccesses="
                + c.consecutiveSuccesses();
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
        } else if (current.probeSuccesses.incrementAndGet() >= rules.get().config.halfOpenSuccesses()) {
            Phase closed = new Phase(State.CLOSED, current.generation + 1, ticker.read(), 0, 0,
                    current.probeSuccesses.get() + " probes succeeded", 0);
            swap(current, closed);
        }
    }

    private void trip(Phase from, String reason) {
        long now = ticker.read();
        int trips = from.trips + 1;
        long open = rules.get().config.openDurationNanos(trips, ThreadLocalRandom.current().nextDouble());
        Phase opened = new Phase(State.OPEN, from.generation + 1, now, now + open, trips, reason, 0);
        swap(from, opened);
    }

    /**
     * Moves to {@code state} on an operator's request. Asking for the state the breaker is in
     * announces nothing: a reset of a closed breaker only forgets its counts, an open breaker
     * opened again only takes the new open time.
     */
    private void transitionTo(State state, String reason, long openNanos) {
        while (true) {
            Phase current = phase.get();
            if (current.state == state && state != State.CLOSED && state != State.OPEN) {
                return;
            }
            long now = ticker.read();
            int trips = state == State.OPEN ? current.trips : 0;
            Phase next = new Phase(state, current.generation + 1, now, state == State.OPEN ? now + openNanos : 0,
                    trips, reason, rules.get().config.halfOpenProbes());
            if (current.state == state) {
                if (phase.compareAndSet(current, next)) {
                    afterSwap(next); // same state: fresh counts or a new open time, nothing to announce
                    return;
                }
            } else if (swap(current, next)) {
                return;
            }
        }
    }

    private boolean swap(Phase from, Phase to) {
        if (!phase.compareAndSet(from, to)) {
            return false;
        }
        afterSwap(to);
        notifyTransition(from.state, to.state, to.reason);
        return true;
    }

    private void afterSwap(Phase to) {
        if (to.state == State.CLOSED || to.state == State.OPEN) {
            consecutiveFailures.set(0);
            consecutiveSuccesses.set(0);
            while (true) {
                Rules old = rules.get();
                if (rules.compareAndSet(old, new Rules(old.config, OutcomeWindow.of(old.config, to.enteredAtNanos)))) {
                    break;
                }
            }
        }
        if (to.state == State.OPEN && scheduler != null) {
            scheduler.schedule(() -> halfOpenWhenDue(to), to.openUntilNanos - to.enteredAtNanos);
        }
    }

    /** The open period's timer: half-opens the breaker if it is still in that period and the time is up. */
    private void halfOpenWhenDue(Phase open) {
        if (phase.get() != open) {
            return;
        }
        long now = ticker.read();
        long left = open.openUntilNanos - now;
        if (left > 0) {
            scheduler.schedule(() -> halfOpenWhenDue(open), left); // the timer ran early by the ticker
            return;
        }
        enterHalfOpen(open, now, "open time elapsed");
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

    /** The live counts a custom trip rule reads: allocation-free, each method reads the window now. */
    private final class LiveCounts implements BreakerCounts {
        @Override
        public long calls() {
            return rules.get().window.calls(ticker.read());
        }

        @Override
        public long failures() {
            return rules.get().window.failures(ticker.read());
        }

        @Override
        public long slowCalls() {
            return rules.get().window.slowCalls(ticker.read());
        }

        @Override
        public long timeouts() {
            return rules.get().window.timeouts(ticker.read());
        }

        @Override
        public int consecutiveFailures() {
            return consecutiveFailures.get();
        }

        @Override
        public int consecutiveSuccesses() {
            return consecutiveSuccesses.get();
        }

        @Override
        public String toString() {
            return describe(this);
        }
    }

    /** Builds a {@link CircuitBreaker}: its rules, and optionally its time source and listeners. */
    public static final class Builder extends CircuitBreakerConfig.Settings<Builder> {
        private final String name;
        private Ticker ticker = Ticker.system();
        private Scheduler scheduler = Scheduler.system();
        private Clock clock = Clock.systemUTC();
        private final List<CircuitBreakerListener> listeners = new ArrayList<>();

        Builder(String name) {
            this.name = name;
        }

        /**
         * The time source alone (default the system's). Without a scheduler the end of an open
         * period is announced by the first call or state read after it; prefer {@link #scheduler}.
         */
        public Builder ticker(Ticker source) {
            this.ticker = Check.notNull("ticker", source);
            this.scheduler = source == Ticker.system() ? Scheduler.system() : null;
            return this;
        }

        /**
         * The time source and the timer that announces the end of each open period (default the
         * system's); tests pass a virtual one.
         */
        public Builder scheduler(Scheduler source) {
            this.scheduler = Check.notNull("scheduler", source);
            this.ticker = source.ticker();
            return this;
        }

        /** The wall clock that {@link CircuitBreaker#openUntil(Instant)} reads (default UTC system clock). */
        public Builder clock(Clock wallClock) {
            this.clock = Check.notNull("clock", wallClock);
            return this;
        }

        public Builder listener(CircuitBreakerListener listener) {
            listeners.add(Check.notNull("listener", listener));
            return this;
        }

        public CircuitBreaker build() {
            CircuitBreaker breaker = new CircuitBreaker(name, new CircuitBreakerConfig(this), ticker, scheduler, clock);
            listeners.forEach(breaker::addListener);
            return breaker;
        }
    }
}
