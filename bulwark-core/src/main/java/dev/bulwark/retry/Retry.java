package dev.bulwark.retry;

import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.FailureClassifier;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.Verdict;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Futures;
import dev.bulwark.internal.Listeners;
import dev.bulwark.time.Scheduler;
import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Runs a call again when it fails in a way that retrying may fix.
 *
 * <p>Attempts stop at {@code maxAttempts}, at the time budget ({@code maxDuration}, or the call
 * context's deadline if sooner: no attempt starts that could not finish its backoff before it), on a
 * {@linkplain dev.bulwark.Permanent permanent} error, on interruption or cancellation, or when a
 * shared {@link RetryBudget} is spent. The shared {@link FailureClassifier} decides what is a
 * failure; {@code retryOn} / {@code abortOn} refine which failures are retried. When every attempt
 * fails the call ends in {@link RetriesExhaustedException}, with each attempt's error attached;
 * a result judged a failure (e.g. HTTP 503) is retried too, and returned as is when retries run out.
 *
 * <pre>{@code
 * Retry retry = Retry.builder("inventory")
 *     .maxAttempts(4)
 *     .backoff(Backoff.exponential(Duration.ofMillis(50), 2, Duration.ofSeconds(2)).withJitter(Jitter.FULL))
 *     .budget(RetryBudget.builder().ratio(0.1).build())      // shared by every call of the service
 *     .build();
 * String stock = retry.call(() -> "12 in stock");
 * }</pre>
 *
 * Thread-safe; its attempts, backoff and time budget may change live ({@link #reconfigure}), the rest is
 * fixed when built. A call that succeeds at once allocates nothing.
 */
public final class Retry {
    // Stops, as negative results of nextStep: a delay is never negative.
    private static final long STOP_NOT_RETRYABLE = -1;
    private static final long STOP_MAX_ATTEMPTS = -2;
    private static final long STOP_DEADLINE = -3;
    private static final long STOP_BUDGET = -4;
    private static final long STOP_INTERRUPTED = -5;
    private static final long STOP_INTERRUPTED_BACKOFF = -6;
    /** nextStep's answer for an attempt that needs no retry: it succeeded. */
    private static final long DONE = Long.MIN_VALUE;

    private final String name;
    /** The settings that may change live, swapped whole so that one decision never mixes two. */
    private volatile Live live;
    private final FailureClassifier classifier;
    private final Predicate<Throwable> retryOn;
    private final Predicate<Throwable> abortOn;
    private final RetryCondition retryWhen;
    private final ResultRetryCondition retryOnResult;
    private final DelayHint delayHint;
    private final RetryBudget budget;
    private final Scheduler scheduler;
    private final Ticker ticker;
    private final Listeners<RetryListener> listeners = new Listeners<>(RetryListener.class);

    private Retry(Builder b) {
        this.name = b.name;
        this.live = new Live(new RetryConfig(b.maxAttempts, b.backoff, b.maxDuration));
        this.classifier = b.classifier;
        this.retryOn = b.retryOn;
        this.abortOn = b.abortOn;
        this.retryWhen = b.retryWhen;
        this.retryOnResult = b.retryOnResult;
        this.delayHint = b.delayHint;
        this.budget = b.budget;
        this.scheduler = b.scheduler;
        this.ticker = b.scheduler.ticker();
        b.listeners.forEach(listeners::add);
    }

    public static Builder builder(String name) {
        return new Builder(Check.name("name", name));
    }

    /**
     * A builder holding this retry's settings and the listeners it was built with, to build a
     * variant: a transport adds the delay hint its protocol defines, a config reload changes one
     * setting. The new retry shares this one's budget and scheduler.
     */
    public Builder toBuilder() {
        Builder b = new Builder(name);
        RetryConfig config = live.config;
        b.maxAttempts = config.maxAttempts();
        b.maxDuration = config.maxDuration();
        b.backoff = config.backoff();
        b.classifier = classifier;
        b.retryOn = retryOn;
        b.abortOn = abortOn;
        b.retryWhen = retryWhen;
        b.retryOnResult = retryOnResult;
        b.delayHint = delayHint;
        b.budget = budget;
        b.scheduler = scheduler;
        b.listeners.addAll(Arrays.asList(listeners.all()));
        return b;
    }

    /** How this retry judges outcomes. */
    public FailureClassifier classifier() {
        return classifier;
    }

    /** The delay hint this retry honours, or {@code null}. */
    public DelayHint delayHint() {
        return delayHint;
    }

    public String name() {
        return name;
    }

    public int maxAttempts() {
        return live.config.maxAttempts();
    }

    /** The settings this retry runs now. */
    public RetryConfig config() {
        return live.config;
    }

    /**
     * Changes the attempts, backoff and time budget of this live retry: calls starting from now
     * run the new settings, and calls already running take them at their next decision. Its
     * classifier, conditions, budget and listeners stay. A change this retry's budget could never
     * serve (retries with a budget that allows none) is refused.
     */
    public void reconfigure(RetryConfig config) {
        Check.notNull("config", config);
        if (budget != null && config.maxAttempts() > 1 && budget.neverAllows()) {
            throw new InvalidConfigException("budget", budget, "a budget that allows some retries"
                    + " (ratio or minRetriesPerSecond above 0), or maxAttempts = 1");
        }
        live = new Live(config);
    }

    /** A {@link RetryConfig} with its time budget in nanoseconds, read on every decision. */
    private static final class Live {
        final RetryConfig config;
        final int maxAttempts;
        final long maxDurationNanos;
        final Backoff backoff;

        Live(RetryConfig config) {
            this.config = config;
            this.maxAttempts = config.maxAttempts();
            this.maxDurationNanos = config.maxDurationNanos();
            this.backoff = config.backoff();
        }
    }

    /** The scheduler backoff waits happen on, and whose ticker the time budget is read from. */
    public Scheduler scheduler() {
        return scheduler;
    }

    /** Runs {@code task}, retrying as configured. */
    public <T> T call(Callable<T> task) {
        return call(CallContext.none(), task);
    }

    /** Runs {@code task}, retrying as configured, within {@code context}'s deadline. */
    @SuppressWarnings({"unchecked", "rawtypes"})
    public <T> T call(CallContext context, Callable<T> task) {
        return (T) call(context, task, (Attempt) CALL_TASK);
    }

    /**
     * One attempt of a composed call, for code that composes retry with other policies (a
     * pipeline, a transport) without allocating per call: the composer builds one {@code Attempt}
     * up front and passes each call's own data as {@code carrier}.
     */
    @FunctionalInterface
    public interface Attempt<C, T> {
        T run(CallContext context, C carrier) throws Exception;
    }

    private static final Attempt<Callable<Object>, Object> CALL_TASK = (context, task) -> task.call();

    /** Runs {@code attempt} with {@code carrier}, retrying as configured, within {@code context}'s deadline. */
    public <C, T> T call(CallContext context, C carrier, Attempt<C, T> step) {
        long deadline = deadline(context);
        if (budget != null) {
            budget.recordCall();
        }
        List<Throwable> earlier = null;
        long previousDelay = 0;
        for (int attempt = 1; ; attempt++) {
            T result = null;
            Throwable error = null;
            try {
                result = step.run(context, carrier);
            } catch (Throwable e) {
                error = e;
            }
            long next;
            try {
                next = nextStep(attempt, previousDelay, result, error, deadline);
            } catch (RuntimeException | Error policyError) {
                throw policyFailed(attempt, error, policyError, earlier);
            }
            if (next == DONE) {
                if (attempt > 1) {
                    notifySuccess(attempt);
                }
                return result;
            }
            if (next < 0) {
                return giveUp(attempt, next, result, error, earlier);
            }
            if (error != null) {
                earlier = append(earlier, error);
            }
            notifyRetry(attempt, error, next);
            try {
                scheduler.sleep(next);
            } catch (InterruptedException interrupted) {
                Thread.currentThread().interrupt();
                return giveUp(attempt, STOP_INTERRUPTED_BACKOFF, result, error, earlier);
            }
            previousDelay = next;
        }
    }

    /** Runs {@code task}, retrying as configured; backoff waits on the scheduler, never on a thread. */
    public <T> CompletableFuture<T> callAsync(Supplier<? extends CompletionStage<T>> task) {
        return callAsync(CallContext.none(), task);
    }

    /**
     * Runs {@code task} within {@code context}'s deadline. Backoff waits are timers on the
     * scheduler: no thread is held between attempts. Cancelling the returned future stops further
     * attempts and cancels the attempt in flight. The future completes on every path, including
     * when a condition, the classifier, the backoff or a delay hint throws (it then fails with that).
     */
    public <T> CompletableFuture<T> callAsync(CallContext context, Supplier<? extends CompletionStage<T>> task) {
        long deadline = deadline(context);
        if (budget != null) {
            budget.recordCall();
        }
        AsyncCall<T> call = new AsyncCall<>(task, deadline);
        call.attempt();
        return call;
    }

    /**
     * One asynchronous call: the caller's future itself, and the callback of each attempt's.
     * Cancelling it (an override, not a callback) stops the backoff timer and the attempt in flight.
     */
    private final class AsyncCall<T> extends CompletableFuture<T> implements java.util.function.BiConsumer<T, Throwable> {
        final Supplier<? extends CompletionStage<T>> task;
        final long deadline;
        int attempt;
        long previousDelay;
        List<Throwable> earlier;
        volatile CompletableFuture<T> inFlight;
        volatile Scheduler.Cancellable backoffTimer;

        AsyncCall(Supplier<? extends CompletionStage<T>> task, long deadline) {
            this.task = task;
            this.deadline = deadline;
        }

        @Override
        public boolean cancel(boolean mayInterruptIfRunning) {
            boolean cancelled = super.cancel(mayInterruptIfRunning);
            if (cancelled) {
                Scheduler.Cancellable timer = backoffTimer;
                if (timer != null) {
                    timer.cancel();
                }
                CompletableFuture<T> running = inFlight;
                if (running != null) {
                    running.cancel(true);
                }
            }
            return cancelled;
        }

        void attempt() {
            if (isDone()) {
                return;
            }
            attempt++;
            CompletableFuture<T> stage = Futures.start(task);
            inFlight = stage;
            stage.whenComplete(this);
        }

        @Override
        public void accept(T value, Throwable failure) {
            try {
                decide(value, Futures.unwrap(failure));
            } catch (Throwable unexpected) {
                completeExceptionally(unexpected); // never leave the caller waiting
            }
        }

        private void decide(T value, Throwable error) {
            if (isDone()) {
                return; // cancelled meanwhile
            }
            long next;
            try {
                next = nextStep(attempt, previousDelay, value, error, deadline);
            } catch (RuntimeException | Error policyError) {
                completeExceptionally(policyFailed(attempt, error, policyError, earlier));
                return;
            }
            if (next == DONE) {
                if (attempt > 1) {
                    notifySuccess(attempt);
                }
                complete(value);
                return;
            }
            if (next < 0) {
                try {
                    complete(giveUp(attempt, next, value, error, earlier));
                } catch (RuntimeException | Error given) {
                    completeExceptionally(given);
                }
                return;
            }
            if (error != null) {
                earlier = append(earlier, error);
            }
            notifyRetry(attempt, error, next);
            previousDelay = next;
            backoffTimer = scheduler.schedule(this::attempt, next);
        }
    }

    // Reads the clock only when there is a time budget: most retries have none, and a clock read
    // costs as much as the rest of a successful call.
    private long deadline(CallContext context) {
        long maxDurationNanos = live.maxDurationNanos;
        long own = maxDurationNanos == Long.MAX_VALUE ? Long.MAX_VALUE : ticker.read() + maxDurationNanos;
        return context.hasDeadline() ? Math.min(own, context.deadlineNanos(ticker)) : own;
    }

    /**
     * What follows attempt {@code attempt}: {@link #DONE} if it succeeded, a stop (negative), or
     * the delay before the next attempt. User code it consults may throw; the caller handles that.
     */
    private long nextStep(int attempt, long previousDelay, Object result, Throwable error, long deadline) {
        Verdict verdict = classifier.classify(result, error);
        if (error == null) {
            boolean retryResult = verdict == Verdict.FAILURE
                    || (retryOnResult != null && retryOnResult.shouldRetry(result, attempt));
            if (!retryResult) {
                return DONE;
            }
        } else {
            if (isInterruption(error)) {
                return STOP_INTERRUPTED;
            }
            if (!retryable(verdict, error, attempt)) {
                return STOP_NOT_RETRYABLE;
            }
        }
        Live settings = live;
        if (attempt >= settings.maxAttempts) {
            return STOP_MAX_ATTEMPTS;
        }
        long delay = nextDelay(settings.backoff, attempt, previousDelay, result, error);
        if (deadline != Long.MAX_VALUE && ticker.read() + delay - deadline >= 0) {
            return STOP_DEADLINE;
        }
        if (budget != null && !budget.tryAcquireRetry()) {
            return STOP_BUDGET;
        }
        return delay;
    }

    private boolean retryable(Verdict verdict, Throwable error, int attempt) {
        if (verdict == Verdict.PERMANENT_FAILURE) {
            return false;
        }
        if (abortOn != null && abortOn.test(error)) {
            return false;
        }
        boolean retry = retryOn != null ? retryOn.test(error) : verdict == Verdict.FAILURE;
        return retry && (retryWhen == null || retryWhen.shouldRetry(error, attempt));
    }

    /**
     * Whether the caller was interrupted or gave up: the thread's interrupt status, or an
     * interruption or cancellation carried out of the attempt as such (perhaps wrapped in
     * CallFailedException, CompletionException or ExecutionException). A timeout that interrupted
     * the attempt's own work is not one: it is a failure of that attempt, and retried.
     */
    private static boolean isInterruption(Throwable error) {
        Throwable e = dev.bulwark.internal.Errors.unwrap(error);
        return e instanceof InterruptedException || e instanceof CancellationException
                || Thread.currentThread().isInterrupted();
    }

    private long nextDelay(Backoff backoff, int attempt, long previousDelay, Object result, Throwable error) {
        long delay = Math.max(0, backoff.delayNanos(attempt, previousDelay, ThreadLocalRandom.current().nextDouble()));
        if (delayHint != null) {
            delay = Math.max(delay, delayHint.delayNanos(result, error));
        }
        return delay;
    }

    private static GiveUpReason reason(long stop) {
        if (stop == STOP_MAX_ATTEMPTS) {
            return GiveUpReason.MAX_ATTEMPTS;
        } else if (stop == STOP_DEADLINE) {
            return GiveUpReason.DEADLINE;
        } else if (stop == STOP_BUDGET) {
            return GiveUpReason.BUDGET;
        } else if (stop == STOP_INTERRUPTED || stop == STOP_INTERRUPTED_BACKOFF) {
            return GiveUpReason.INTERRUPTED;
        }
        return GiveUpReason.NOT_RETRYABLE;
    }

    /** Announces the stop, then returns the failed result or throws the failure it ended on. */
    @SuppressWarnings("unchecked")
    private <T> T giveUp(int attempts, long stop, Object result, Throwable error, List<Throwable> earlier) {
        GiveUpReason reason = reason(stop);
        notifyGiveUp(attempts, error, reason);
        if (error == null) {
            return (T) result; // a result judged a failure is the caller's to inspect once retries run out
        }
        RuntimeException given = switch (reason) {
            case BUDGET -> new RetryBudgetExhaustedException(name, String.valueOf(budget), error);
            case MAX_ATTEMPTS -> new RetriesExhaustedException(name, attempts, "max attempts " + live.maxAttempts, error);
            case DEADLINE -> new RetriesExhaustedException(name, attempts, "no time left for another attempt", error);
            case INTERRUPTED -> stop == STOP_INTERRUPTED_BACKOFF
                    ? new RetriesExhaustedException(name, attempts, "interrupted while backing off", error) : null;
            default -> null;
        };
        if (given == null) {
            throw CallFailedException.propagate(withSuppressed(error, earlier)); // the error itself, as it was
        }
        throw (RuntimeException) withSuppressed(given, earlier);
    }

    /** A condition, the classifier, the backoff or a hint threw: announce it and fail the call with it. */
    private RuntimeException policyFailed(int attempts, Throwable attemptError, Throwable policyError,
            List<Throwable> earlier) {
        notifyGiveUp(attempts, attemptError, GiveUpReason.POLICY_ERROR);
        if (attemptError != null && attemptError != policyError) {
            policyError.addSuppressed(attemptError);
        }
        withSuppressed(policyError, earlier);
        if (policyError instanceof Error fatal) {
            throw fatal;
        }
        return (RuntimeException) policyError;
    }

    private void notifyRetry(int attempt, Throwable error, long delay) {
        for (RetryListener l : listeners.all()) {
            try {
                l.onRetry(this, attempt, error, delay);
            } catch (RuntimeException e) {
                listeners.failed(l, e);
            }
        }
    }

    private void notifySuccess(int attempts) {
        for (RetryListener l : listeners.all()) {
            try {
                l.onSuccess(this, attempts);
            } catch (RuntimeException e) {
                listeners.failed(l, e);
            }
        }
    }

    private void notifyGiveUp(int attempts, Throwable error, GiveUpReason reason) {
        for (RetryListener l : listeners.all()) {
            try {
                l.onGiveUp(this, attempts, error, reason);
            } catch (RuntimeException e) {
                listeners.failed(l, e);
            }
        }
    }

    private static List<Throwable> append(List<Throwable> list, Throwable error) {
        List<Throwable> out = list == null ? new ArrayList<>(4) : list;
        out.add(error);
        return out;
    }

    private static Throwable withSuppressed(Throwable error, List<Throwable> earlier) {
        if (earlier != null) {
            for (Throwable e : earlier) {
                if (e != error) {
                    error.addSuppressed(e);
                }
            }
        }
        return error;
    }

    /** Builds a {@link Retry}. */
    public static final class Builder {
        private final String name;
        private int maxAttempts = 3;
        private Duration maxDuration;
        private Backoff backoff = Backoff.exponential(Duration.ofMillis(100), 2.0, Duration.ofSeconds(10)).withJitter(Jitter.FULL);
        private FailureClassifier classifier = FailureClassifier.defaults();
        private Predicate<Throwable> retryOn;
        private Predicate<Throwable> abortOn;
        private RetryCondition retryWhen;
        private ResultRetryCondition retryOnResult;
        private DelayHint delayHint;
        private RetryBudget budget;
        private Scheduler scheduler = Scheduler.system();
        private final List<RetryListener> listeners = new ArrayList<>();

        private Builder(String name) {
            this.name = name;
        }

        /** Attempts in all, the first included (default 3). */
        public Builder maxAttempts(int attempts) {
            maxAttempts = Check.between("maxAttempts", attempts, 1, 1000);
            return this;
        }

        /** No attempt starts once this much time has passed since the call began (default: no limit). */
        public Builder maxDuration(Duration budget) {
            maxDuration = Check.positive("maxDuration", budget);
            return this;
        }

        /** The delay before each retry (default exponential from 100 ms, ×2, at most 10 s, full jitter). */
        public Builder backoff(Backoff delays) {
            backoff = Check.notNull("backoff", delays);
            return this;
        }

        /** Decides what is a failure and what is permanent (default: every exception fails, none permanent). */
        public Builder classifier(FailureClassifier failureClassifier) {
            classifier = Check.notNull("classifier", failureClassifier);
            return this;
        }

        /** Retries only errors matching {@code predicate} (permanent errors never). */
        public Builder retryOn(Predicate<Throwable> predicate) {
            retryOn = Check.notNull("retryOn", predicate);
            return this;
        }

        /** Never retries errors matching {@code predicate}. */
        public Builder abortOn(Predicate<Throwable> predicate) {
            abortOn = Check.notNull("abortOn", predicate);
            return this;
        }

        /**
         * Retries a failure only if {@code condition} also agrees, given the error and the attempt
         * number, as the reference retry policies' {@code ShouldRetry(err, attempt)}: for example
         * {@code (error, attempt) -> !(error instanceof TimeoutException) || attempt < 2}.
         * Permanent failures and {@code abortOn} matches are never retried.
         */
        public Builder retryWhen(RetryCondition condition) {
            retryWhen = Check.notNull("retryWhen", condition);
            return this;
        }

        /**
         * Retries an attempt that returned a result {@code condition} accepts, as it retries results
         * the classifier judges failures; when retries run out the last result is returned.
         */
        public Builder retryOnResult(ResultRetryCondition condition) {
            retryOnResult = Check.notNull("retryOnResult", condition);
            return this;
        }

        /** Honours a delay the server asked for, such as Retry-After. */
        public Builder delayHint(DelayHint hint) {
            delayHint = Check.notNull("delayHint", hint);
            return this;
        }

        /** Shares a retry budget with other calls. */
        public Builder budget(RetryBudget retryBudget) {
            budget = Check.notNull("budget", retryBudget);
            return this;
        }

        /** Where backoff waits happen, and the ticker of the time budget (default the system's). */
        public Builder scheduler(Scheduler source) {
            scheduler = Check.notNull("scheduler", source);
            return this;
        }

        public Builder listener(RetryListener listener) {
            listeners.add(Check.notNull("listener", listener));
            return this;
        }

        /** Validates the combination and builds; see the class description. */
        public Retry build() {
            new RetryConfig(maxAttempts, backoff, maxDuration); // attempts, backoff and time budget together
            if (budget != null && maxAttempts > 1 && budget.neverAllows()) {
                throw new InvalidConfigException("budget", budget, "a budget that allows some retries"
                        + " (ratio or minRetriesPerSecond above 0), or none with maxAttempts = 1");
            }
            return new Retry(this);
        }
    }
}
