package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.discovery.RegistryConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import dev.bulwark.fallback.StaleCache;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Reading YAML and the environment: typing, precedence, names, and every kind of error. */
class ConfigLoaderTest {
    static String resource(String name) throws IOException {
        try (InputStream in = ConfigLoaderTest.class.getResourceAsStream("/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static BulwarkConfig load(String yaml, Map<String, String> env) {
        return BulwarkConfig.loader().yaml(yaml, "app.yaml").environment(env).load();
    }

    private static ConfigException failure(String yaml, Map<String, String> env) {
        try {
            load(yaml, env);
        } catch (ConfigException e) {
            return e;
        }
        throw new AssertionError("the configuration should have been refused");
    }

    @Test
    void theReferenceFrameworksYamlLoadsAsWritten() throws IOException {
        BulwarkConfig config = load(resource("seed-framework.yaml"), Map.of());

        assertThat(config.value("server.max-concurrent-requests")).contains(1000);
        assertThat(config.value("server.max_concurrent_requests")).as("either spelling").contains(1000);
        assertThat(config.value("server.keep-alive-time")).contains(Duration.ofSeconds(30));
        assertThat(config.value("client.max-recv-msg-size")).contains(4194304L);
        assertThat(config.value("client.load-balance-type")).contains("round_robin");
        assertThat(config.value("client.cache-ttl")).contains(Duration.ofMinutes(5));
        assertThat(config.origin("client.circuit-breaker-threshold")).isEqualTo(Origin.file("app.yaml", 47, 30));
    }

    @Test
    void durationsSizesAndYaml12Words() {
        BulwarkConfig config = load("""
                client:
                  timeout: 1m30s
                  max-recv-msg-size: 4MiB
                  retry-delay: 250ms
                registry:
                  namespace: no
                """, Map.of());

        assertThat(config.value("client.timeout")).contains(Duration.ofSeconds(90));
        assertThat(config.value("client.max-recv-msg-size")).contains(4L << 20);
        assertThat(config.value("client.retry-delay")).contains(Duration.ofMillis(250));
        assertThat(config.value("registry.namespace")).as("YAML 1.2: no is a word").contains("no");
        ConfigException on = failure("server:\n  enable-async: on\n", Map.of());
        assertThat(on.getMessage()).isEqualTo("server.enable-async: on (app.yaml line 2, col 17): allowed is true or false");
    }

    @Test
    void anOutOfRangeValueNamesThePathValueLineColumnAndWhatIsAllowed() {
        ConfigException e = failure("""
                breakers:
                  payment-api:
                    failure-rate: 150
                """, Map.of());

        assertThat(e.getMessage()).isEqualTo(
                "breakers.payment-api.failure-rate: 150 (app.yaml line 3, col 19): allowed is a number in (0, 100]");
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.path()).isEqualTo("breakers.payment-api.failure-rate");
            assertThat(p.origin().line()).isEqualTo(3);
        });
    }

    @Test
    void unknownKeysAreErrorsWithTheClosestKnownKey() {
        ConfigException e = failure("client:\n  timeoutt: 2s\n", Map.of());
        assertThat(e.getMessage()).startsWith("client.timeoutt: an unknown key (app.yaml line 2, col 3): allowed is a known key "
                + "(did you mean timeout?)");
        assertThat(failure("clients:\n  timeout: 2s\n", Map.of()).getMessage()).contains("did you mean client?");
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        ConfigException e = failure("""
                client:
                  timeout: soon
                  retry-attempts: 0
                server:
                  port: 70000
                """, Map.of("BULWARK_CLIENT_TIMEOUTS", "1s"));

        assertThat(e.problems()).extracting(ConfigException.Problem::path)
                .containsExactly("client.timeout", "client.retry-attempts", "server.port", "BULWARK_CLIENT_TIMEOUTS");
        assertThat(e.getMessage()).startsWith("4 configuration problems:");
    }

    @Test
    void aKeyWrittenTwiceIsAnError() {
        assertThat(failure("client:\n  timeout: 1s\n  timeout: 2s\n", Map.of()).getMessage())
                .contains("client.timeout: written twice (app.yaml line 3, col 3)").contains("first at app.yaml line 2, col 3");
        assertThat(failure("client:\n  max_retries: 1\n  max-retries: 2\n", Map.of()).getMessage())
                .contains("client.max-retries: max-retries").contains("also written max_retries");
    }

    @Test
    void anAliasInsideItselfOrAnAliasBombIsRefused() {
        assertThat(failure("breakers: &loop\n  again: *loop\n", Map.of()).getMessage()).contains("an alias that contains itself");
        StringBuilder bomb = new StringBuilder("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for (int i = 1; i <= 5; i++) { // 50 aliases, the most the reader accepts, expanding to over 10^5 nodes
            bomb.append("a").append(i).append(": &a").append(i).append(" [");
            for (int j = 0; j < 10; j++) {
                bomb.append(j == 0 ? "" : ", ").append("*a").append(i - 1);
            }
            bomb.append("]\n");
        }
        assertThat(failure(bomb.toString(), Map.of()).getMessage()).contains("more than 100000 nodes");
    }

    @Test
    void malformedYamlNamesTheLine() {
        ConfigException e = failure("client:\n  timeout: [1s\n", Map.of());
        assertThat(e.problems()).singleElement().satisfies(p -> {
            assertThat(p.origin().kind()).isEqualTo(Origin.Kind.FILE);
            assertThat(p.origin().line()).isGreaterThanOrEqualTo(2);
            assertThat(p.allowed()).isEqualTo("well-formed YAML 1.2");
        });
    }

    @Test
    void theEnvironmentOverridesTheFilePrefixedNamesWinning() {
        BulwarkConfig config = load("""
                client:
                  timeout: 5s
                  circuit_breaker_threshold: 5
                """, Map.of(
                "CLIENT_CIRCUIT_BREAKER_THRESHOLD", "10",
                "CLIENT_TIMEOUT", "7s",
                "BULWARK_CLIENT_TIMEOUT", "9s",
                "SERVER_SOMETHING_ELSE", "left alone: it may be another program's"));

        assertThat(config.value("client.circuit-breaker-threshold")).contains(10);
        assertThat(config.origin("client.circuit-breaker-threshold")).isEqualTo(Origin.environment("CLIENT_CIRCUIT_BREAKER_THRESHOLD"));
        assertThat(config.value("client.timeout")).contains(Duration.ofSeconds(9));
        assertThat(config.origin("client.timeout")).isEqualTo(Origin.environment("BULWARK_CLIENT_TIMEOUT"));
        assertThat(config.value("client.load-balance-type")).contains("peak_ewma");
        assertThat(config.origin("client.load-balance-type")).isEqualTo(Origin.DEFAULT);
    }

    @Test
    void referenceNamesCanBeTurnedOffWhereTheyAreTaken() {
        BulwarkConfig config = BulwarkConfig.loader().environment(Map.of("SERVER_PORT", "8080", "MYAPP_SERVER_PORT", "7000"))
                .envPrefix("MYAPP_").referenceNames(false).load();
        assertThat(config.value("server.port")).contains(7000);
    }

    @Test
    void anUnknownPrefixedVariableIsAnErrorWithASuggestion() {
        ConfigException e = failure("", Map.of("BULWARK_CLIENT_CIRCUIT_BREAKER_TRESHOLD", "5"));
        assertThat(e.getMessage()).isEqualTo("BULWARK_CLIENT_CIRCUIT_BREAKER_TRESHOLD: an unknown variable "
                + "(env BULWARK_CLIENT_CIRCUIT_BREAKER_TRESHOLD): allowed is a variable naming a setting "
                + "(did you mean BULWARK_CLIENT_CIRCUIT_BREAKER_THRESHOLD?)");
    }

    @Test
    void dynamicNamesResolveThroughTheSchema() {
        BulwarkConfig config = load("""
                breakers:
                  "grpc:user-service":
                    consecutive-failures: 3
                """, Map.of(
                "BULWARK_BREAKERS_GRPC_USER_SERVICE_FAILURE_RATE", "40",
                "BULWARK_BREAKERS_PAYMENT_API_CONSECUTIVE_FAILURES", "7",
                "BULWARK_BREAKERS_DEFAULT_OPEN_FOR", "1m",
                "BULWARK_TIMEOUTS_INVENTORY_READ", "300ms",
                "BULWARK_LOGGING_LEVELS_IO_GRPC_NETTY", "warn"));

        assertThat(config.value("breakers.grpc:user-service.failure-rate")).contains(40.0);
        assertThat(config.value("breakers.payment-api.consecutive-failures")).contains(7);
        assertThat(config.names("breakers")).containsExactlyInAnyOrder("grpc:user-service", "payment-api", "default");
        assertThat(config.timeout("inventory-read")).contains(Duration.ofMillis(300));
        assertThat(config.namedValues("logging.levels")).as("logger names take dots").containsEntry("io.grpc.netty", "warn");
        CircuitBreakerConfig users = config.breakerConfig("grpc:user-service");
        assertThat(users.consecutiveFailures()).isEqualTo(3);
        assertThat(users.failureRate()).isEqualTo(40.0);
        assertThat(users.openNanos()).as("from default").isEqualTo(Duration.ofMinutes(1).toNanos());
    }

    @Test
    void namedPoliciesFallBackToDefaultKeyByKey() {
        BulwarkConfig config = load("""
                breakers:
                  default: {consecutive-failures: 5, open-for: 30s}
                  payment-api: {failure-rate: 30, minimum-calls: 20, count-window: 50}
                retries:
                  default: {max-attempts: 3, initial-delay: 50ms, max-delay: 2s}
                  search: {max-attempts: 5, backoff: fixed}
                limiters:
                  default: {permits-per-second: 100, burst: 20}
                bulkheads:
                  reports: {max-concurrent: 4, max-wait: 100ms}
                timeouts:
                  default: 2s
                """, Map.of());

        CircuitBreakerConfig payments = config.breakerConfig("payment-api");
        assertThat(payments.consecutiveFailures()).isEqualTo(5);
        assertThat(payments.failureRate()).isEqualTo(30.0);
        assertThat(payments.windowSize()).isEqualTo(50);
        assertThat(config.breakers().get("anything-else").config().consecutiveFailures()).isEqualTo(5);
        assertThat(config.breakers().get("payment-api").config().failureRate()).isEqualTo(30.0);
        assertThat(config.retry("search").maxAttempts()).isEqualTo(5);
        assertThat(config.retry("other").maxAttempts()).isEqualTo(3);
        assertThat(config.limiter("inventory").permitsPerSecond()).isEqualTo(100.0);
        assertThat(config.bulkhead("reports").config().maxConcurrent()).isEqualTo(4);
        assertThat(config.timeout("anything")).contains(Duration.ofSeconds(2));
    }

    @Test
    void combinationsThatCanNeverWorkAreRefusedAtLoad() {
        ConfigException e = failure("""
                breakers:
                  both-windows: {count-window: 10, time-window: 10s}
                  too-few: {failure-rate: 50, count-window: 10, minimum-calls: 20}
                limiters:
                  no-rate: {burst: 5}
                trace:
                  jaeger-endpoint: http://jaeger:14268/api/traces
                config-center:
                  type: etcd
                """, Map.of());

        assertThat(e.problems()).extracting(ConfigException.Problem::path).contains(
                "breakers.both-windows.time-window", "breakers.too-few.minimum-calls", "limiters.no-rate.permits-per-second",
                "trace.jaeger-endpoint", "config-center.env", "config-center.service", "config-center.endpoints");
        assertThat(e.getMessage()).contains("breakers.too-few.minimum-calls: 20 (app.yaml line 3, col 64)");
    }

    @Test
    void staleCachesAndPoolsAreCheckedAtLoadAndTheirReferencesMustResolve() {
        ConfigException e = failure("""
                stale-caches:
                  prices: {fresh-for: 10m, max-staleness: 1m}
                  unset: {max-entries: 5}
                pools:
                  inventory: {limiter: nowhere, bulkhead: nowhere, timeout: nowhere}
                """, Map.of());
        assertThat(e.problems()).extracting(ConfigException.Problem::path).containsExactlyInAnyOrder(
                "stale-caches.prices.fresh-for", "stale-caches.unset.max-staleness",
                "pools.inventory.limiter", "pools.inventory.timeout"); // any bulkhead name runs the default
        assertThat(failure("pools:\n  inventory: {balancer: fastest}\n", Map.of()).getMessage())
                .contains("pools.inventory.balancer: fastest").contains("round_robin");
        assertThat(e.getMessage()).contains("pools.inventory.limiter: nowhere (app.yaml line 5, col 24)")
                .contains("stale-caches.prices.fresh-for: 10m (app.yaml line 2, col 23)")
                .contains("a limiter with a rate (limiters.nowhere.permits-per-second or limiters.default's)");

        BulwarkConfig good = load("""
                stale-caches:
                  default: {max-staleness: 10m}
                  prices: {fresh-for: 30s, max-entries: 500}
                limiters:
                  inventory: {permits-per-second: 50}
                timeouts:
                  default: 2s
                pools:
                  inventory: {limiter: inventory, timeout: anything, balancer: peak_ewma}
                """, Map.of());
        StaleCache<String, String> prices = good.<String, String>staleCache("prices").build();
        prices.remember("sku-1", "9.99");
        assertThat(prices.serveStale("sku-1", new IllegalStateException("down"))).isEqualTo("9.99");
        assertThat(good.origin("pools.inventory.balancer").toString()).contains("app.yaml");
    }

    @Test
    void aNacosConfigCenterRefusesNamesNacosCannotSpell() {
        ConfigException e = failure("""
                config-center:
                  type: nacos
                  endpoints: ["127.0.0.1:8848"]
                  env: prod uction
                  service: orders
                  group: "my group"
                  namespace: "dev/1"
                """, Map.of());
        assertThat(e.problems()).extracting(ConfigException.Problem::path)
                .containsExactlyInAnyOrder("config-center.env", "config-center.group", "config-center.namespace");
        assertThat(e.getMessage()).contains("config-center.group: my group (app.yaml line 6, col 10)")
                .contains("letters, digits, '_', '-', '.' and ':'");

        BulwarkConfig good = load("""
                config-center: {type: nacos, endpoints: ["127.0.0.1:8848"], env: production, service: orders, namespace: dev-1}
                """, Map.of());
        assertThat(PolicySources.directory(good, "breakers")).isEqualTo("/config/production/orders/breakers/");
        assertThat(good.get(List.of("config-center", "group"), String.class)).contains("BULWARK");
    }

    @Test
    void theRegistryComesFromItsSectionOrTheReferenceNacosNames() {
        RegistryConfig etcd = load("registry:\n  type: etcd\n  endpoints: [\"http://10.0.0.1:2379\", \"http://10.0.0.2:2379\"]\n",
                Map.of()).registry();
        assertThat(etcd.type()).isEqualTo("etcd");
        assertThat(etcd.endpoints()).hasSize(2);

        RegistryConfig nacos = load("", Map.of("NACOS_SERVER_ADDR", "nacos.example.com:8848", "NACOS_NAMESPACE", "production"))
                .registry();
        assertThat(nacos.type()).isEqualTo("nacos");
        assertThat(nacos.endpoints()).containsExactly("nacos.example.com:8848");
        assertThat(nacos.namespace()).isEqualTo("production");
        assertThat(BulwarkConfig.defaults().registry().type()).isEqualTo("memory");
    }

    @Test
    void tracingFollowsTheTraceSectionAndTheReferenceVariables() {
        assertThat(TracingSettings.setup(BulwarkConfig.defaults())).as("no service name: tracing off").isEmpty();
        BulwarkConfig config = load("trace:\n  sample-ratio: 0.25\n  console: true\n",
                Map.of("TRACE_SERVICE_NAME", "orders", "TRACE_ZIPKIN_ENDPOINT", "http://127.0.0.1:9411/api/v2/spans"));
        assertThat(config.value("trace.service-name")).contains("orders");
        try (var sdk = TracingSettings.setup(config).orElseThrow().build()) {
            assertThat(sdk.getSdkTracerProvider().getSampler().getDescription()).contains("0.25");
        }
        ConfigException bad = failure("trace:\n  sample-ratio: 1.5\n", Map.of());
        assertThat(bad.getMessage()).isEqualTo("trace.sample-ratio: 1.5 (app.yaml line 2, col 17): allowed is a number from 0 to 1");
    }

    @Test
    void theEffectiveConfigurationShowsOriginsAndMasksSecrets() {
        String secret = "s3cr3t-token-value";
        BulwarkConfig config = load("""
                registry:
                  type: etcd
                  endpoints: http://127.0.0.1:2379
                  username: app
                client:
                  timeout: 2s
                """, Map.of("BULWARK_REGISTRY_PASSWORD", secret, "CLIENT_RETRY_ATTEMPTS", "4"));

        String described = config.describe();
        assertThat(described).doesNotContain(secret);
        assertThat(lineOf(described, "registry.password")).contains("registry.password = ******").contains("# env BULWARK_REGISTRY_PASSWORD");
        assertThat(lineOf(described, "client.timeout")).contains("client.timeout = 2s").contains("# app.yaml line 6, col 12");
        assertThat(lineOf(described, "client.retry-attempts")).contains("# env CLIENT_RETRY_ATTEMPTS");
        assertThat(lineOf(described, "client.load-balance-type")).contains("peak_ewma").contains("# default");
        assertThat(config.registry().password()).isEqualTo(secret);
        ConfigException refused = failure("registry:\n  password: \"\"\n", Map.of());
        assertThat(refused.getMessage()).contains("registry.password: ******");
    }

    private static String lineOf(String text, String path) {
        return List.of(text.split("\n")).stream().filter(l -> l.startsWith(path + " ")).findFirst()
                .orElseThrow(() -> new AssertionError(path + " not in:\n" + text));
    }
}
