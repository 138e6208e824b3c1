package dev.bulwark;

/**
 * Marks an exception type as a permanent failure: retrying cannot help (bad request, not found,
 * validation), so {@link dev.bulwark.retry.Retry} never retries it. A breaker still counts it as a
 * failure unless its classifier ignores it. Implement this on your own exception types, or wrap
 * with {@link PermanentException}.
 */
public interface Permanent {
}
