package dev.bulwark.discovery;

/**
 * Receives a watched service's changes. Callbacks come from the registry's own threads, one at a
 * time per watch, and in order for each instance (changes to different instances may interleave
 * differently than they happened). Registries that notify without data (ZooKeeper) may merge quick
 * successive changes of one instance into its latest state. Keep callbacks short.
 */
public interface WatchListener {

    /** One instance changed. */
    void onEvent(RegistryEvent event);

    /**
     * Several changes that the registry reported together (Nacos pushes a service's whole list);
     * a listener may apply them as one change. By default, each in turn.
     */
    default void onBatch(java.util.List<RegistryEvent> events) {
        events.forEach(this::onEvent);
    }

    /**
     * The connection to the registry was lost; the watch will resume by itself and replay what it
     * missed (or report a resync). {@code cause} says why.
     */
    default void onDisconnected(Throwable cause) {
    }

    /**
     * The watch resumed after a disconnect. If the registry could not replay every change missed
     * ({@code complete} false: history compacted, session lost), the listener should re-read the
     * service in full.
     */
    default void onResumed(boolean complete) {
    }
}
