package dev.bulwark.discovery;

/**
 * What a {@link DiscoveryCache} has been through.
 *
 * @param hits reads of the cached instances
 * @param refreshes successful full reads of the registry
 * @param errors failed reads and lost watch connections
 * @param staleServes reads answered while the cache could not reach the registry
 * @param emptyWipesRefused times an empty answer was not trusted until confirmed
 * @param dataAgeNanos while degraded, time since the data was last known current: a successful read or
 *     change, or the moment a live watch was lost (a quiet service watched live is current); 0 otherwise
 * @param degraded whether the registry is unreachable now (the data may be stale)
 * @param lastError the last failure, or null
 */
public record CacheStats(long hits, long refreshes, long errors, long staleServes, long emptyWipesRefused,
        long dataAgeNanos, boolean degraded, String lastError) {
}
