package dev.bulwark.pipeline;

/**
 * The policies a {@link Pipeline} composes, listed in the default order, outermost first:
 * <pre>
 * caller ─► FALLBACK ─► STALE_CACHE ─► RETRY ─► [each attempt] RATE_LIMITER ─► BULKHEAD
 *        ─► CIRCUIT_BREAKER ─► TIMEOUT ─► the call
 * </pre>
 * <ul>
 *   <li>Fallback and stale cache are outermost so they see every failure, rejections included.</li>
 *   <li>Retry wraps each attempt, so every attempt is rate limited and seen by the breaker, and a
 *       backoff sleep holds no bulkhead permit.</li>
 *   <li>The rate limiter comes before the bulkhead so a call over the rate never takes a permit.</li>
 *   <li>The breaker sits inside the bulkhead so it judges only calls that actually ran, and
 *       outside the timeout so a timed-out call counts as a failure (or a slow call).</li>
 * </ul>
 */
public enum Stage {
    FALLBACK,
    STALE_CACHE,
    RETRY,
    RATE_LIMITER,
    BULKHEAD,
    CIRCUIT_BREAKER,
    TIMEOUT
}
