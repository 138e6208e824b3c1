package dev.bulwark.config;

/**
 * A config center's key space of policy documents, watched: a directory on disk
 * ({@link DirectoryPolicySource}), etcd ({@link EtcdPolicySource}), ZooKeeper
 * ({@link ZooKeeperPolicySource}), Consul KV ({@link ConsulPolicySource}), Nacos config
 * ({@link NacosPolicySource}), or a source of your own.
 * Keys are paths such as {@code /config/production/orders/breakers/http:payment-api.json}.
 */
public interface PolicySource extends AutoCloseable {

    /**
     * Delivers every document under {@code prefix} as a put, then every change, one callback at a
     * time and in order. After an outage the source reads the prefix again in full and delivers
     * what changed meanwhile (puts for new or changed keys, deletes for keys gone), so no change
     * is lost however many happened while it was away.
     */
    Subscription watch(String prefix, Listener listener);

    /** Stops every watch of this source and releases what it holds. */
    @Override
    void close();

    /** What a watch hears. Callbacks must not block for long; a callback that throws is logged and ignored. */
    interface Listener {
        /** {@code key} holds {@code value} (UTF-8) as of {@code revision}. */
        void onPut(String key, byte[] value, long revision);

        /** {@code key} was deleted at {@code revision}. */
        void onDelete(String key, long revision);

        /** The source cannot be read; the documents delivered so far stay in force, and it keeps trying. */
        default void onUnavailable(Throwable cause) {
        }

        /**
         * The source can be read again. Every change made meanwhile is delivered: before this
         * call for a directory, etcd and Consul, as the cache catches up after it for ZooKeeper,
         * and as nacos-client catches up, around it, for Nacos.
         */
        default void onResumed() {
        }
    }

    /** One watch; closing it stops its callbacks. */
    interface Subscription extends AutoCloseable {
        @Override
        void close();
    }
}
