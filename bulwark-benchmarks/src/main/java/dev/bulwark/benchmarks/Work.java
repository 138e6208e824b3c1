package dev.bulwark.benchmarks;

import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The protected "call" of every benchmark: it does nothing but return a constant (or throw a
 * preallocated exception), so a benchmark measures the library's own overhead.
 */
final class Work {
    static final Object RESULT = "ok";
    static final RuntimeException FAILURE = new IllegalStateException("simulated failure") {
        private static final long serialVersionUID = 1L;

        @Override
        public synchronized Throwable fillInStackTrace() {
            return this; // preallocated and traceless: the benchmark measures the library, not the exception
        }
    };
    static final Callable<Object> CALLABLE = () -> RESULT;
    static final Supplier<Object> SUPPLIER = () -> RESULT;
    static final dev.failsafe.function.CheckedSupplier<Object> CHECKED = () -> RESULT;

    private Work() {
    }

    /** Every tenth call of a thread fails. */
    static class TenPercentFailures {
        int calls;

        boolean nextFails() {
            return ++calls % 10 == 0;
        }

        Object run() {
            if (nextFails()) {
                throw FAILURE;
            }
            return RESULT;
        }
    }

    /** Every call fails: used by setups to trip a breaker. */
    static final class AlwaysFails extends TenPercentFailures {
        @Override
        boolean nextFails() {
            calls++;
            return true;
        }
    }
}
