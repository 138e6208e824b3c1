package dev.bulwark.benchmarks;

import dev.failsafe.function.CheckedSupplier;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.State;

/**
 * Per-thread state: this thread's failure pattern, and the work as each library's functional type,
 * built once so that no benchmark allocates a lambda per call.
 */
@State(Scope.Thread)
public class PerThread {
    final Work.TenPercentFailures failures;
    final Callable<Object> failingCallable;
    final Supplier<Object> failingSupplier;
    final CheckedSupplier<Object> failingChecked;

    public PerThread() {
        this(new Work.TenPercentFailures());
    }

    /** A thread whose failing work follows {@code pattern} instead (a setup that trips a breaker). */
    PerThread(Work.TenPercentFailures pattern) {
        this.failures = pattern;
        this.failingCallable = pattern::run;
        this.failingSupplier = pattern::run;
        this.failingChecked = pattern::run;
    }

    Callable<Object> callable(boolean failing) {
        return failing ? failingCallable : Work.CALLABLE;
    }

    Supplier<Object> supplier(boolean failing) {
        return failing ? failingSupplier : Work.SUPPLIER;
    }

    CheckedSupplier<Object> checked(boolean failing) {
        return failing ? failingChecked : Work.CHECKED;
    }

    Object run(boolean failing) {
        return failing ? failures.run() : Work.RESULT;
    }
}
