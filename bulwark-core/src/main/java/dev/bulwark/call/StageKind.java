package dev.bulwark.call;

/**
 * The kinds of stage, listed in the default order, outermost first:
 * <pre>
 * caller ─► TRACE ─► FALLBACK ─► STALE_CACHE ─► RETRY ─► [each attempt] RATE_LIMITER ─► BULKHEAD
 *        ─► CIRCUIT_BREAKER ─► PICK ─► [each endpoint] your stages ─► TIMEOUT ─► the call
 * </pre>
 * <ul>
 *   <li>A trace stage (a span for the call) is outermost, so it covers the fallback, every retry and
 *       every rejection.</li>
 *   <li>Fallback and stale cache are outermost so they see every failure, rejections included.</li>
 *   <li>Retry wraps each attempt, so every attempt is rate limited and seen by the breakers, and a
 *       backoff sleep holds no bulkhead permit.</li>
 *   <li>The rate limiter comes before the bulkhead so a call over the rate never takes a permit.</li>
 *   <li>A breaker before the pick guards the whole dependency; the pick's own breakers guard each
 *       endpoint. Both sit outside the timeout, so a timed-out attempt counts as a failure.</li>
 *   <li>Your stages run per attempt and know the endpoint.</li>
 * </ul>
 */
public enum StageKind {
    TRACE,
    FALLBACK,
    STALE_CACHE,
    RETRY,
    RATE_LIMITER,
    BULKHEAD,
    CIRCUIT_BREAKER,
    PICK,
    CUSTOM,
    TIMEOUT
}
