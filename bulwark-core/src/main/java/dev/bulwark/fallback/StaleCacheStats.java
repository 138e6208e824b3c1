package dev.bulwark.fallback;

/**
 * Counters of a {@link StaleCache}.
 *
 * @param hits calls answered from cache without calling (values younger than {@code freshFor})
 * @param loads calls that went through to the loader
 * @param staleServes failed loads answered with a remembered value
 * @param misses failed loads with no usable value: the failure propagated
 */
public record StaleCacheStats(long hits, long loads, long staleServes, long misses) {
}
