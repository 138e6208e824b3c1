package dev.bulwark.discovery;

/**
 * What a registry backend has skipped because it held no valid service instance.
 *
 * @param badKeys distinct entries known bad now (an entry read valid again or deleted no longer counts)
 * @param skippedReads reads that met a bad entry and skipped it, since the registry was opened
 */
public record CorruptEntryCounts(long badKeys, long skippedReads) {
}
