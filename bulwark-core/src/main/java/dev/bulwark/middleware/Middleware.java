package dev.bulwark.middleware;

/**
 * Wraps every call a pool makes: one method, which receives the invocation and calls
 * {@link Invocation#proceed()} to go on. Middlewares nest in the order they are registered, the
 * first outermost; the recommended order is recover, tracing, metrics, rate limiting:
 * <pre>{@code
 * ClientPool.builder("users")
 *     .middleware(Middlewares.recover())            // outermost: sees everything, even a metrics bug
 *     .middleware(tracing)                          // e.g. from bulwark-opentelemetry
 *     .middleware(Middlewares.metrics(recorder))
 *     .middleware(Middlewares.rateLimit(limiter, Duration.ofMillis(50)))   // innermost
 * }</pre>
 * A lambda is a middleware:
 * <pre>{@code
 * Middleware logging = invocation -> {
 *     log.debug("calling {}", invocation.endpoint().name());
 *     return invocation.proceed();
 * };
 * }</pre>
 * In a pool, the chain runs inside the endpoint's circuit breaker, so what a middleware throws
 * counts as that endpoint's failure unless the classifier says otherwise.
 */
@FunctionalInterface
public interface Middleware {

    /** Handles one call; normally returns {@code invocation.proceed()}, perhaps with work around it. */
    Object handle(Invocation invocation) throws Exception;
}
