package dev.bulwark.benchmarks;

/**
 * One library's way of making the protected call, chosen in a benchmark's setup. The measured
 * method makes a single call through this interface; only one implementation is loaded in a fork,
 * so the call is monomorphic and inlined, and no library pays for the dispatch.
 */
@FunctionalInterface
interface Subject {
    Object call(PerThread thread) throws Exception;

    static IllegalArgumentException unknown(String library) {
        return new IllegalArgumentException("library = " + library + ": not a variant of this scenario");
    }
}
