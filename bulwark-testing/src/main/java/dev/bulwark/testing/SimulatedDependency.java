package dev.bulwark.testing;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.UnaryOperator;

/**
 * A stand-in for a remote service, for tests, demos and benchmarks of code that protects itself
 * from one: it takes time to answer, fails at a chosen rate, and can have scripted bad periods
 * (latency spikes, error bursts, outages) on its own timeline.
 *
 * <pre>{@code
 * VirtualScheduler scheduler = new VirtualScheduler();
 * SimulatedDependency payments = SimulatedDependency.builder("payments")
 *     .latency(LatencyDistribution.logNormal(Duration.ofMillis(20), Duration.ofMillis(200)))
 *     .errorRate(0.01)
 *     .phase(Duration.ofSeconds(10), Duration.ofSeconds(40),
 *            SimulatedDependency.Phase.outage(Duration.ofSeconds(2)))
 *     .scheduler(scheduler)
 *     .build();
 * String reply = payments.call();   // "ok", or throws SimulatedFailureException
 * long hit = payments.callsDuring(Duration.ofSeconds(10), Duration.ofSeconds(40));
 * }</pre>
 *
 * <h2>Time</h2>
 * The latency is spent with the scheduler: {@link #call()} sleeps with {@link Scheduler#sleep} and
 * {@link #callAsync()} completes from a {@link Scheduler#schedule scheduled} task. On the default
 * {@link Scheduler#system() system scheduler} that is real time; on a {@link VirtualScheduler} it
 * is instant and exact. Phases are placed on the dependency's own timeline, which begins when it is
 * built (or {@link #start() restarted}); a phase covers {@code [from, to)}, and where phases
 * overlap the one added last applies alone.
 *
 * <h2>Randomness</h2>
 * Each call takes its own generator, split in call order from one seeded {@link SplittableRandom}
 * (seed 42 unless set), so with a seed the n-th call always behaves the same, whatever other calls
 * drew; driven from one thread, a run is fully repeatable.
 *
 * <h2>Counters</h2>
 * Thread-safe, for any number of calling threads. At any moment
 * {@code calls() == successes() + failures() + abandoned() + inFlight()}, give or take calls
 * finishing at that instant.
 */
public final class SimulatedDependency {

    /** What a successful call returns. */
    public static final String OK = "ok";

    private final String name;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final CallBehaviour normal;
    private final List<TimedPhase> phases;
    /** Splits one generator per call; guarded by itself. */
    private final SplittableRandom randoms;

    private final LongAdder calls = new LongAdder();
    private final LongAdder successes = new LongAdder();
    private final LongAdder failures = new LongAdder();
    private final LongAdder abandoned = new LongAdder();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long origin;
    private volatile CallHistogram histogram;

    /** A phase placed on the timeline, in nanoseconds from the origin. */
    private record TimedPhase(long from, long to, Phase phase) {
        boolean covers(long offset) {
            return offset >= from && offset < to;
        }

        @Override
        public String toString() {
            return "[" + Durations.format(from) + ", " + Durations.format(to) + "): " + phase;
        }
    }

    /** What a call will do, decided when it starts. */
    private record Plan(long latencyNanos, String failure) {
    }

    private SimulatedDependency(Builder b) {
        this.name = b.name;
        this.scheduler = b.scheduler;
        this.ticker = b.scheduler.ticker();
        this.normal = new CallBehaviour(b.latency, b.errorRate, CallBehaviour.NO_OUTAGE);
        this.phases = List.copyOf(b.phases);
        this.randoms = new SplittableRandom(b.seed);
        start();
    }

    /** Starts a builder for a dependency named {@code name} (used in messages and failures). */
    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    /** The dependency's name. */
    public String name() {
        return name;
    }

    /**
     * Restarts the timeline: now becomes its origin, which phases and {@link #callsDuring} are
     * relative to, and the call histogram is cleared. {@link Builder#build()} already does this;
     * call it again to line phases up with a scenario that begins later, before the load starts.
     * The totals ({@link #calls()} and the rest) are kept.
     */
    public void start() {
        histogram = new CallHistogram();
        origin = ticker.read();
    }

    /** Time since the timeline's origin, by the scheduler's ticker. */
    public Duration elapsed() {
        return Duration.ofNanos(Math.max(0, ticker.read() - origin));
    }

    /**
     * Calls the dependency: spends the latency drawn for this call sleeping on the scheduler, then
     * returns {@link #OK} or throws.
     *
     * @throws SimulatedFailureException if the call fails by the error rate or in an outage
     * @throws RuntimeException wrapping an {@link InterruptedException} if the thread is interrupted
     *     while waiting (as by a timeout); the interrupt status is set again, and the call counts
     *     as {@linkplain #abandoned() abandoned}
     */
    public String call() {
        Plan plan = begin();
        try {
            scheduler.sleep(plan.latencyNanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            abandoned.increment();
            inFlight.decrementAndGet();
            throw new RuntimeException("call to '" + name + "' interrupted while waiting for its reply", e);
        } catch (RuntimeException | Error e) {
            abandoned.increment();
            inFlight.decrementAndGet();
            throw e;
        }
        settle(plan);
        if (plan.failure != null) {
            throw new SimulatedFailureException(name, plan.failure);
        }
        return OK;
    }

    /**
     * Calls the dependency without blocking: the returned future completes with {@link #OK}, or
     * exceptionally with a {@link SimulatedFailureException}, once the drawn latency has passed on
     * the scheduler (on a {@link VirtualScheduler}, only when the test advances it, even for a zero
     * latency). It completes on the scheduler's thread, so keep dependent stages short or use the
     * {@code *Async} variants.
     *
     * <p>If the caller completes the future first (cancels it, or times it out with
     * {@code orTimeout}), the simulated work is dropped and the call counts as
     * {@linkplain #abandoned() abandoned}.
     */
    public CompletableFuture<String> callAsync() {
        Plan plan = begin();
        CompletableFuture<String> reply = new CompletableFuture<>();
        AtomicBoolean settled = new AtomicBoolean();
        Scheduler.Cancellable work = scheduler.schedule(() -> {
            if (settled.compareAndSet(false, true)) {
                settle(plan);
                if (plan.failure != null) {
                    reply.completeExceptionally(new SimulatedFailureException(name, plan.failure));
                } else {
                    reply.complete(OK);
                }
            }
        }, plan.latencyNanos);
        reply.whenComplete((result, error) -> {
            if (settled.compareAndSet(false, true)) { // completed by the caller, not by us
                work.cancel();
                abandoned.increment();
                inFlight.decrementAndGet();
            }
        });
        return reply;
    }

    /** Calls started so far (including those in flight), since the dependency was built. */
    public long calls() {
        return calls.sum();
    }

    /** Calls that ended with a {@link SimulatedFailureException}. */
    public long failures() {
        return failures.sum();
    }

    /** Calls that returned {@link #OK}. */
    public long successes() {
        return successes.sum();
    }

    /**
     * Calls whose callers stopped waiting before the reply: {@link #call()} interrupted, or the
     * future of {@link #callAsync()} completed by the caller first.
     */
    public long abandoned() {
        return abandoned.sum();
    }

    /** Calls started and not yet answered or abandoned. */
    public int inFlight() {
        return inFlight.get();
    }

    /**
     * The number of calls that started in {@code [from, to)} of the dependency's timeline, for
     * example how many reached it during an outage. Windows are counted by the millisecond: exact
     * for whole milliseconds, otherwise both ends are rounded down. Calls are kept for the first
     * 10 minutes of the timeline.
     *
     * @throws InvalidConfigException if {@code from} is negative, {@code to} is before {@code from},
     *     or {@code to} is past 10 minutes
     */
    public long callsDuring(Duration from, Duration to) {
        long fromNanos = Check.nanos(Check.nonNegative("from", from));
        long toNanos = Check.nanos(Check.nonNegative("to", to));
        if (toNanos < fromNanos) {
            throw new InvalidConfigException("to", to, "a duration >= from (" + from + ")");
        }
        if (to.compareTo(CallHistogram.HORIZON) > 0) {
            throw new InvalidConfigException("to", to,
                    "a duration <= " + CallHistogram.HORIZON + " (calls are counted for the first 10 minutes of the timeline)");
        }
        return histogram.count(fromNanos, toNanos);
    }

    @Override
    public String toString() {
        return "SimulatedDependency{" + name + ", latency " + normal.latency() + ", errorRate " + normal.errorRate()
                + (phases.isEmpty() ? "" : ", phases " + phases)
                + ", calls=" + calls() + ", failures=" + failures() + ", inFlight=" + inFlight() + '}';
    }

    /** Counts a call as started and decides what it will do. */
    private Plan begin() {
        long offset = ticker.read() - origin;
        CallBehaviour behaviour = behaviourAt(offset);
        calls.increment();
        histogram.record(offset);
        inFlight.incrementAndGet();
        SplittableRandom random;
        synchronized (randoms) {
            random = randoms.split(); // split even for outages: the n-th call always gets the n-th generator
        }
        if (behaviour.outage()) {
            return new Plan(behaviour.outageFailAfterNanos(), SimulatedFailureException.OUTAGE);
        }
        long latency = behaviour.latency().sampleNanos(random);
        boolean fails = behaviour.errorRate() > 0 && random.nextDouble() < behaviour.errorRate();
        return new Plan(latency, fails ? SimulatedFailureException.ERROR_RATE : null);
    }

    /** Counts a call as answered. */
    private void settle(Plan plan) {
        (plan.failure != null ? failures : successes).increment();
        inFlight.decrementAndGet();
    }

    private CallBehaviour behaviourAt(long offset) {
        for (int i = phases.size() - 1; i >= 0; i--) {
            TimedPhase timed = phases.get(i);
            if (timed.covers(offset)) {
                return timed.phase.applyTo(normal);
            }
        }
        return normal;
    }

    /**
     * A scripted change of behaviour, placed on the timeline with {@link Builder#phase}: a latency
     * spike, a different error rate, or an outage. Immutable.
     */
    public static final class Phase {
        private final String description;
        private final UnaryOperator<CallBehaviour> effect;

        private Phase(String description, UnaryOperator<CallBehaviour> effect) {
            this.description = description;
            this.effect = effect;
        }

        /** Calls draw their latency from {@code latency} instead (a spike, or a recovery); the error rate is unchanged. */
        public static Phase latency(LatencyDistribution latency) {
            Check.notNull("latency", latency);
            return new Phase("latency " + latency, normal -> new CallBehaviour(latency, normal.errorRate(), CallBehaviour.NO_OUTAGE));
        }

        /**
         * Calls fail at {@code rate} instead (a burst of errors); the latency is unchanged.
         *
         * @throws InvalidConfigException unless {@code rate} is in [0, 1]
         */
        public static Phase errorRate(double rate) {
            Check.closed("errorRate", rate, 0, 1);
            return new Phase("errorRate " + rate, normal -> new CallBehaviour(normal.latency(), rate, CallBehaviour.NO_OUTAGE));
        }

        /**
         * Every call fails, with reason {@value SimulatedFailureException#OUTAGE}, after
         * {@code failAfter} (zero for a connection refused, long for a hung service).
         *
         * @throws InvalidConfigException if {@code failAfter} is null or negative
         */
        public static Phase outage(Duration failAfter) {
            long nanos = Check.nanos(Check.nonNegative("failAfter", failAfter));
            return new Phase("outage, failing after " + Durations.format(nanos),
                    normal -> new CallBehaviour(normal.latency(), 1.0, nanos));
        }

        CallBehaviour applyTo(CallBehaviour normal) {
            return effect.apply(normal);
        }

        /** Describes the phase, e.g. {@code outage, failing after 2s}. */
        @Override
        public String toString() {
            return description;
        }
    }

    /** Builds a {@link SimulatedDependency}; every setting is optional. */
    public static final class Builder {
        private final String name;
        private LatencyDistribution latency = LatencyDistribution.fixed(Duration.ofMillis(1));
        private double errorRate;
        private long seed = 42;
        private Scheduler scheduler = Scheduler.system();
        private final List<TimedPhase> phases = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** How long calls take outside latency phases (default fixed 1 ms). */
        public Builder latency(LatencyDistribution distribution) {
            latency = Check.notNull("latency", distribution);
            return this;
        }

        /**
         * The fraction of calls that fail outside error-rate phases and outages (default 0).
         *
         * @throws InvalidConfigException unless {@code rate} is in [0, 1]
         */
        public Builder errorRate(double rate) {
            errorRate = Check.closed("errorRate", rate, 0, 1);
            return this;
        }

        /** Seeds the random draws (default 42): the same seed gives the same calls. */
        public Builder seed(long value) {
            seed = value;
            return this;
        }

        /**
         * The scheduler that spends the latency and whose ticker is the dependency's clock (default
         * {@link Scheduler#system()}); pass a {@link VirtualScheduler} for instant, exact time.
         */
        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        /**
         * Applies {@code phase} to calls that start in {@code [from, to)} of the dependency's
         * timeline. Where phases overlap, the one added last applies alone.
         *
         * @throws InvalidConfigException if {@code from} is negative, {@code to} is not after
         *     {@code from}, or {@code phase} is null
         */
        public Builder phase(Duration from, Duration to, Phase phase) {
            long fromNanos = Check.nanos(Check.nonNegative("phase.from", from));
            long toNanos = Check.nanos(Check.notNull("phase.to", to));
            if (toNanos <= fromNanos) {
                throw new InvalidConfigException("phase.to", to, "a duration > phase.from (" + from + ")");
            }
            phases.add(new TimedPhase(fromNanos, toNanos, Check.notNull("phase", phase)));
            return this;
        }

        /** Builds the dependency and {@linkplain SimulatedDependency#start() starts} its timeline now. */
        public SimulatedDependency build() {
            return new SimulatedDependency(this);
        }
    }
}
