package dev.bulwark.config;

import static dev.bulwark.config.ValueType.bool;
import static dev.bulwark.config.ValueType.choice;
import static dev.bulwark.config.ValueType.duration;
import static dev.bulwark.config.ValueType.fraction;
import static dev.bulwark.config.ValueType.integer;
import static dev.bulwark.config.ValueType.list;
import static dev.bulwark.config.ValueType.number;
import static dev.bulwark.config.ValueType.size;
import static dev.bulwark.config.ValueType.text;

import dev.bulwark.config.Spec.Named;
import dev.bulwark.config.Spec.Section;
import java.time.Duration;

/**
 * Every key Bulwark knows. Bulwark's own sections ({@code breakers}, {@code retries},
 * {@code limiters}, {@code bulkheads}, {@code timeouts}, {@code stale-caches}, {@code pools},
 * {@code registry}, {@code http},
 * {@code trace}, {@code logging}, {@code config-center}, {@code dashboard}) sit beside the reference framework's
 * {@code server}, {@code client} and {@code nacos}, which load as that framework writes them.
 */
final class BulwarkSchema {
    static final String[] BALANCERS = {"round_robin", "random", "weighted_random", "weighted_round_robin",
        "least_requests", "peak_ewma", "consistent_hash"};
    private static final Duration MS = Duration.ofMillis(1);
    private static final Duration HOUR = Duration.ofHours(1);
    private static final Duration DAY = Duration.ofDays(1);
    private static final int MILLION = 1_000_000;
    private static final long GIB = 1L << 30;

    static final Section ROOT = new Section("the configuration")
            .add("breakers", new Named(breaker(), "circuit breakers by name (grpc:user-service, http:payment-api), and default"))
            .add("retries", new Named(retry(), "retry policies by name, and default"))
            .add("limiters", new Named(limiter(), "token-bucket rate limiters by name, and default"))
            .add("bulkheads", new Named(bulkhead(), "semaphore bulkheads by name, and default"))
            .add("timeouts", new Named(new Spec.Leaf(duration(MS, DAY), null, false, "the time limit"), "time limits by name, and default"))
            .add("stale-caches", new Named(staleCache(), "stale caches (last good answers served on failure) by name, and default"))
            .add("pools", new Named(pool(), "client pools by name: a balancer and the named policies each call runs through"))
            .add("registry", registry())
            .add("nacos", nacos())
            .add("server", server())
            .add("client", client())
            .add("http", http())
            .add("trace", trace())
            .add("logging", logging())
            .add("config-center", configCenter())
            .add("dashboard", dashboard());

    private BulwarkSchema() {
    }

    /** The spec of one entry of the named section {@code section} ({@code breakers}: a breaker). */
    static Section entry(String section) {
        return (Section) ((Named) ROOT.child(section)).element();
    }

    private static Section breaker() {
        return new Section("a circuit breaker")
                .leaf("consecutive-failures", integer(1, MILLION), null, "trip after this many failures in a row")
                .leaf("failure-rate", number(0, 100), null, "trip when this percentage of the window's calls failed")
                .leaf("slow-call-rate", number(0, 100), null, "trip when this percentage of the window's calls were slow")
                .leaf("slow-call-duration", duration(MS, HOUR), null, "a call slower than this is slow")
                .leaf("timeout-rate", number(0, 100), null, "trip when this percentage of the window's calls timed out")
                .leaf("count-window", integer(1, 100_000), null, "the window: the last N calls")
                .leaf("time-window", duration(Duration.ofSeconds(1), HOUR), null, "the window: the calls of the last period")
                .leaf("minimum-calls", integer(1, 100_000), null, "no rate rule trips before this many calls in the window")
                .leaf("open-for", duration(MS, DAY), null, "how long the breaker stays open before probing")
                .leaf("half-open-probes", integer(1, 10_000), null, "calls let through at once while half open")
                .leaf("half-open-successes", integer(1, 10_000), null, "successful probes that close the breaker")
                .leaf("probe-timeout", duration(MS, HOUR), null, "a probe silent this long is released as failed")
                // The reference breaker's policy files: {"failureThreshold": 5, "successThreshold": 2, "openStateTimeout": "1m"}
                .alias("failure-threshold", "consecutive-failures")
                .alias("success-threshold", "half-open-successes")
                .alias("open-state-timeout", "open-for");
    }

    private static Section retry() {
        return new Section("a retry policy")
                .leaf("max-attempts", integer(1, 100), null, "attempts in all, the first included")
                .leaf("backoff", choice("none", "fixed", "exponential"), "exponential", "the delay between attempts")
                .leaf("initial-delay", duration(Duration.ZERO, HOUR), Duration.ofMillis(100), "the first delay (the fixed one)")
                .leaf("max-delay", duration(MS, HOUR), Duration.ofSeconds(10), "the largest delay")
                .leaf("multiplier", number(1, 100), 2.0, "how much each delay grows")
                .leaf("jitter", choice("none", "full", "equal", "decorrelated"), "full", "randomness added to each delay")
                .leaf("max-duration", duration(MS, DAY), null, "no retry starts after this long")
                .leaf("budget-ratio", number(0, 10), null, "retries allowed per call, over a window (a retry budget)")
                .leaf("budget-min-per-second", number(0, MILLION), null, "retries allowed per second whatever the ratio");
    }

    private static Section limiter() {
        return new Section("a token-bucket rate limiter")
                .leaf("permits-per-second", number(0, 1e9), null, "the sustained rate")
                .leaf("burst", integer(1, 1_000_000_000), null, "permits that may be taken at once")
                .leaf("max-wait", duration(Duration.ZERO, HOUR), Duration.ZERO, "how long a call may wait for a permit");
    }

    private static Section bulkhead() {
        return new Section("a semaphore bulkhead")
                .leaf("max-concurrent", integer(1, MILLION), null, "calls admitted at once")
                .leaf("max-wait", duration(Duration.ZERO, HOUR), Duration.ZERO, "how long a call may wait for a permit");
    }

    private static Section staleCache() {
        return new Section("a stale cache")
                .leaf("max-staleness", duration(MS, Duration.ofDays(365)), null, "an answer older than this is never served")
                .leaf("fresh-for", duration(Duration.ZERO, Duration.ofDays(365)), Duration.ZERO,
                        "an answer younger than this is served without calling")
                .leaf("max-entries", integer(1, 100 * MILLION), 10_000, "keys remembered at most, least recently used first out");
    }

    private static Section pool() {
        return new Section("a client pool")
                .leaf("balancer", choice(BALANCERS), "round_robin", "the balancer")
                .leaf("breaker", text(), null, "the pool's own breaker: a name of the breakers section (live)")
                .leaf("endpoint-breaker", text(), null, "each endpoint's breaker takes this breaker's config (default: 5 failures, 30 s)")
                .leaf("retry", text(), null, "a name of the retries section (live)")
                .leaf("limiter", text(), null,
                        "a name of the limiters section, waiting up to its max-wait (live when limiters.default has a rate)")
                .leaf("bulkhead", text(), null, "a name of the bulkheads section (live)")
                .leaf("timeout", text(), null, "a name of the timeouts section")
                .leaf("panic-mode", bool(), false, "when every endpoint's breaker is open, try them anyway")
                .leaf("close-removed-clients", bool(), false, "close a client once its endpoint is removed and idle")
                .leaf("latency-decay", duration(MS, HOUR), Duration.ofSeconds(10), "how fast latency statistics forget");
    }

    private static Section registry() {
        return new Section("the service registry")
                .leaf("type", choice("memory", "etcd", "zookeeper", "consul", "nacos"), "memory", "the backend")
                .leaf("endpoints", list(), null, "the backend's addresses, host:port")
                .leaf("namespace", text(), null, "key prefix (etcd), root path (ZooKeeper) or namespace (Nacos)")
                .leaf("username", text(), null, "the backend user")
                .secret("password", "the backend user's password")
                .leaf("tls", bool(), false, "connect over TLS")
                .leaf("connect-timeout", duration(MS, Duration.ofMinutes(10)), null, "how long connecting may take")
                .leaf("session-timeout", duration(MS, HOUR), null, "the session or lease time to live");
    }

    private static Section nacos() {
        return new Section("Nacos, as the reference framework names it; used when registry.type is nacos or unset")
                .leaf("server-addr", list(), null, "the Nacos servers, host:port")
                .leaf("namespace", text(), null, "the Nacos namespace")
                .leaf("username", text(), null, "the Nacos user")
                .secret("password", "the Nacos user's password");
    }

    private static Section server() {
        return new Section("the gRPC server (the reference framework's keys, and Bulwark's)")
                .leaf("address", text(), ":50051", "host:port to bind (:50051 binds every interface)")
                .leaf("port", integer(0, 65535), null, "the port, overriding the address's")
                .leaf("max-concurrent-requests", integer(1, MILLION), null, "calls handled at once; more are refused")
                .leaf("request-timeout", duration(MS, DAY), null, "the longest deadline a call may have")
                .leaf("max-connections", integer(1, MILLION), null, "connections accepted at once")
                .leaf("connection-timeout", duration(MS, Duration.ofMinutes(10)), null, "how long a handshake may take")
                .leaf("keep-alive-time", duration(MS, DAY), null, "ping an idle connection this often")
                .leaf("keep-alive-timeout", duration(MS, HOUR), null, "close a connection whose ping is unanswered this long")
                .leaf("rate-limit", number(0, 1e9), null, "calls admitted per second; more are refused")
                .leaf("max-message-size", size(1, GIB), null, "the largest request message")
                .leaf("enable-metrics", bool(), true, "publish the server's meters (the application binds them)")
                .leaf("enable-memory-pool", bool(), true, "accepted for compatibility: the server always pools its buffers")
                .leaf("memory-pool-size", integer(1, Integer.MAX_VALUE), null, "accepted for compatibility: Netty sizes its pools")
                .leaf("memory-pool-max-size", integer(1, Integer.MAX_VALUE), null, "accepted for compatibility: Netty sizes its pools")
                .leaf("enable-async", bool(), false, "run background task handlers")
                .leaf("async-worker-count", integer(1, 10_000), 10, "the task handlers' workers")
                .leaf("async-queue-size", integer(1, 10_000_000), 1000, "tasks waiting for a worker")
                .leaf("enable-health-check", bool(), true, "serve gRPC health and drive it by the health probes")
                .leaf("health-check-interval", duration(MS, HOUR), null, "how often the probes run")
                .leaf("health-check-timeout", duration(MS, HOUR), null, "how long a probe may take")
                .leaf("drain-delay", duration(Duration.ZERO, HOUR), null, "after deregistering, how long to keep serving")
                .leaf("drain-grace", duration(Duration.ZERO, HOUR), null, "how long running calls may finish at shutdown");
    }

    private static Section client() {
        return new Section("the gRPC client (the reference framework's keys)")
                .leaf("timeout", duration(MS, DAY), null, "each attempt's time limit")
                .leaf("keep-alive", duration(MS, DAY), null, "ping an idle connection this often")
                .leaf("max-recv-msg-size", size(1, GIB), null, "the largest reply message")
                .leaf("max-send-msg-size", size(1, GIB), null, "the largest request buffered for a retry")
                .leaf("retry-attempts", integer(1, 100), null, "attempts in all, the first included")
                .leaf("retry-delay", duration(Duration.ZERO, HOUR), null, "the first retry's delay")
                .leaf("max-retries", integer(0, 99), null, "retries after the first attempt (retry-attempts wins if both are set)")
                .leaf("retry-backoff", duration(Duration.ZERO, HOUR), null, "the largest retry delay")
                .leaf("load-balance-type", choice(BALANCERS), "peak_ewma", "the balancer")
                .leaf("max-connections", integer(1, 10_000), null, "connections per server")
                .leaf("max-idle-conns", integer(0, 10_000), null, "accepted for compatibility: idle connections close after idle-timeout")
                .leaf("conn-timeout", duration(MS, Duration.ofMinutes(10)), null, "how long connecting may take")
                .leaf("idle-timeout", duration(MS, DAY), null, "close a connection idle this long")
                .leaf("circuit-breaker-threshold", integer(1, MILLION), null, "an endpoint's breaker trips after this many failures in a row")
                .leaf("circuit-breaker-timeout", duration(MS, DAY), null, "how long an endpoint's breaker stays open")
                .leaf("enable-cache", bool(), false, "cache replies of unary methods")
                .leaf("cache-ttl", duration(MS, DAY), Duration.ofMinutes(1), "how long a cached reply stays fresh")
                .leaf("cache-max-size", integer(1, 100_000_000), 1000, "cached replies at most")
                .leaf("enable-async", bool(), false, "accepted for compatibility: every call has an asynchronous face")
                .leaf("async-worker-count", integer(1, 10_000), null, "accepted for compatibility")
                .leaf("async-queue-size", integer(1, 10_000_000), null, "accepted for compatibility");
    }

    private static Section http() {
        return new Section("the HTTP service client")
                .leaf("timeout", duration(MS, DAY), null, "the whole exchange, retries included")
                .leaf("attempt-timeout", duration(MS, DAY), null, "each attempt, up to the headers")
                .leaf("connect-timeout", duration(MS, Duration.ofMinutes(10)), null, "how long connecting may take")
                .leaf("max-attempts", integer(1, 100), null, "attempts in all (1: no retry)")
                .leaf("balancer", choice(BALANCERS), "peak_ewma", "the balancer")
                .leaf("max-calls-per-instance", integer(1, MILLION), null, "calls in flight per instance")
                .leaf("max-response-size", size(1, 8 * GIB), null, "the largest answer read")
                .leaf("breaker", text(), null, "the breakers entry each instance's breaker follows");
    }

    private static Section trace() {
        return new Section("OpenTelemetry tracing (the reference framework's TRACE_* names)")
                .leaf("service-name", text(), null, "the name spans are reported under")
                .leaf("sample-ratio", fraction(), 1.0, "the share of new traces sampled")
                .leaf("zipkin-endpoint", text(), null, "Zipkin's v2 span API, http://host:9411/api/v2/spans")
                .leaf("otlp-endpoint", text(), null, "an OTLP/HTTP collector, http://host:4318/v1/traces")
                .leaf("jaeger-endpoint", text(), null, "refused: Jaeger takes OTLP, set otlp-endpoint to its port 4318")
                .leaf("console", bool(), false, "print spans to the console")
                .leaf("propagation", choice("w3c", "b3"), "w3c", "the header format spans cross services in");
    }

    private static Section logging() {
        return new Section("Bulwark's event log through SLF4J")
                .leaf("level", choice("trace", "debug", "info", "warn", "error"), "info", "the level of Bulwark's loggers")
                .leaf("format", choice("json", "text"), "json", "JSON lines or plain text")
                .leaf("file", text(), null, "write to this file (rotated) as well as the console")
                .leaf("max-file-size", size(1024, 100 * GIB), 100L << 20, "rotate when the file reaches this size")
                .leaf("max-history", integer(1, 10_000), 7, "days of rotated files kept")
                .leaf("total-size-cap", size(1024, 1024 * GIB), GIB, "rotated files kept in all")
                .add("levels", new Named(new Spec.Leaf(choice("trace", "debug", "info", "warn", "error", "off"), null, false,
                        "the level"), "levels by logger name", "."));
    }

    private static Section dashboard() {
        return new Section("the dashboard's status endpoint: GET {path}/status, a JSON snapshot of the live policies and discovery")
                .leaf("enabled", bool(), false, "serve it")
                .leaf("bind", text(), "127.0.0.1", "the address to listen on (loopback unless you mean otherwise)")
                .leaf("port", integer(0, 65_535), 9_464, "the port (0: a free one)")
                .leaf("path", text(), "/bulwark", "where it is served");
    }

    private static Section configCenter() {
        return new Section("where live policies come from: {root}/{env}/{service}/breakers/{name}.json")
                .leaf("type", choice("none", "directory", "etcd", "zookeeper", "consul", "nacos"), "none", "the config center")
                .leaf("endpoints", list(), null,
                        "etcd's addresses (http://host:2379), ZooKeeper's (host:2181), Consul's (http://host:8500) or Nacos's (host:8848)")
                .leaf("directory", text(), null, "the local directory standing for the root")
                .leaf("root", text(), "/config", "the key prefix")
                .leaf("env", text(), null, "the environment: dev, staging, production")
                .leaf("service", text(), null, "this application's service name")
                .leaf("username", text(), null, "the config center's user")
                .secret("password", "the config center user's password")
                .secret("token", "Consul's ACL token")
                .leaf("namespace", text(), null, "the Nacos namespace id (\"public\" when unset)")
                .leaf("group", text(), "BULWARK", "the Nacos group holding the policy documents");
    }
}
