/**
 * Micrometer metrics for Bulwark. Core knows no metrics library: it exposes a
 * {@link dev.bulwark.middleware.CallRecorder} for the pool's metrics middleware, listeners and
 * read-only views; this package attaches Micrometer to them.
 *
 * <ul>
 * <li>{@link dev.bulwark.micrometer.MicrometerCallRecorder}: every pool call's count, duration
 *     (with a histogram) and errors, tagged {@code pool}, {@code endpoint}, {@code outcome}; under
 *     Bulwark's names or those of the middleware metrics Bulwark grew from
 *     ({@link dev.bulwark.micrometer.CallMetricNames}).</li>
 * <li>{@link io.micrometer.core.instrument.binder.MeterBinder}s, which Spring Boot and other
 *     frameworks bind for you when they are beans: {@link dev.bulwark.micrometer.ClientPoolMeters},
 *     {@link dev.bulwark.micrometer.CircuitBreakerMeters}, {@link dev.bulwark.micrometer.RateLimiterMeters},
 *     {@link dev.bulwark.micrometer.BulkheadMeters}, {@link dev.bulwark.micrometer.WorkerPoolMeters}, and
 *     {@link dev.bulwark.micrometer.PolicyRegistryMeters} for every instance of a registry.</li>
 * </ul>
 *
 * Tags are few and bounded: the names of pools, endpoints and policies, the outcome, the state.
 * Every binder is {@link java.lang.AutoCloseable}: closing it removes its meters (and listeners).
 */
package dev.bulwark.micrometer;
