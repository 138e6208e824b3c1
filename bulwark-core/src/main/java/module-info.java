/**
 * Bulwark's core: time, the exception family, the failure classifier, every resilience policy,
 * the one call chain (pipelines and client pools) and the load balancers. Depends on Caffeine
 * alone. {@code dev.bulwark.internal} holds shared helpers for Bulwark's own modules only.
 */
@SuppressWarnings("module") // the qualified exports name modules built after this one
module dev.bulwark.core {
    requires com.github.benmanes.caffeine;

    exports dev.bulwark;
    exports dev.bulwark.balance;
    exports dev.bulwark.breaker;
    exports dev.bulwark.bulkhead;
    exports dev.bulwark.call;
    exports dev.bulwark.fallback;
    exports dev.bulwark.ratelimit;
    exports dev.bulwark.registry;
    exports dev.bulwark.retry;
    exports dev.bulwark.time;
    exports dev.bulwark.timeout;
    exports dev.bulwark.internal to
            dev.bulwark.discovery,
            dev.bulwark.discovery.etcd,
            dev.bulwark.discovery.zookeeper,
            dev.bulwark.discovery.consul,
            dev.bulwark.discovery.nacos,
            dev.bulwark.config,
            dev.bulwark.logging,
            dev.bulwark.grpc,
            dev.bulwark.http,
            dev.bulwark.micrometer,
            dev.bulwark.opentelemetry,
            dev.bulwark.testing;

    uses dev.bulwark.balance.BalancerProvider;
    uses dev.bulwark.internal.EventSink;
}
