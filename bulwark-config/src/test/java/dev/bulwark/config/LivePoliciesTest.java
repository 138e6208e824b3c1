package dev.bulwark.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.breaker.State;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.bulkhead.BulkheadConfig;
import dev.bulwark.bulkhead.Bulkheads;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.ratelimit.TokenBucketConfig;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryConfig;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Breakers and bulkheads following policy files in a directory: change, bad change, delete, default, state kept. */
class LivePoliciesTest {
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path root;
    private Path breakersDir;
    private DirectoryPolicySource source;
    private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> breakers;
    private LivePolicies live;

    @BeforeEach
    void start() throws IOException {
        breakersDir = Files.createDirectories(root.resolve("config/production/orders/breakers"));
        source = DirectoryPolicySource.of(root, Duration.ofMillis(20));
        breakers = BulwarkConfig.loader().yaml("breakers:\n  default: {consecutive-failures: 3}\n", "app.yaml").load().breakers();
        live = LivePolicies.breakers(breakers, source, LivePolicies.directory("/config", "production", "orders", "breakers"));
    }

    @AfterEach
    void stop() {
        live.close();
        source.close();
    }

    private void write(String name, String json) throws IOException {
        replace(breakersDir.resolve(name + ".json"), json);
    }

    /** Writes {@code file} whole at once, as a config center's publisher would: a poll never sees it half-written. */
    private static void replace(Path file, String json) throws IOException {
        Path temp = Files.writeString(file.resolveSibling("." + file.getFileName() + ".tmp"), json, StandardCharsets.UTF_8);
        Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
    }

    private static void trip(CircuitBreaker breaker, int failures) {
        for (int i = 0; i < failures; i++) {
            breaker.onFailure(breaker.tryAcquirePermission(), 1, new IOException("down"));
        }
    }

    @Test
    void theReferenceFormatChangesALiveBreakerKeepingItsState() throws IOException {
        CircuitBreaker users = breakers.get("grpc:user-service");
        trip(users, 3);
        assertThat(users.state()).isEqualTo(State.OPEN);

        write("grpc:user-service", "{\"failureThreshold\": 5, \"successThreshold\": 2, \"openStateTimeout\": \"1m\"}");

        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == 5);
        assertThat(users.config().halfOpenSuccesses()).isEqualTo(2);
        assertThat(users.config().openNanos()).isEqualTo(Duration.ofMinutes(1).toNanos());
        assertThat(users.state()).as("an open breaker stays open").isEqualTo(State.OPEN);
        assertThat(breakers.get("grpc:user-service")).isSameAs(users);
        PolicyStatus status = live.status("grpc:user-service").orElseThrow();
        assertThat(status.revision()).isPositive();
        assertThat(status.key()).isEqualTo("/config/production/orders/breakers/grpc:user-service.json");
        assertThat(status.lastError()).isEmpty();
    }

    @Test
    void aBadDocumentKeepsTheLastGoodPolicyAndIsCountedWithItsReason() throws IOException {
        CircuitBreaker payments = breakers.get("http:payment-api");
        write("http:payment-api", "{\"failure-rate\": 40}");
        await().atMost(WAIT).until(() -> payments.config().failureRate() == 40.0);
        long good = live.status("http:payment-api").orElseThrow().revision();

        write("http:payment-api", "{\"failure-rate\": 150}");
        await().atMost(WAIT).until(() -> live.refusals() == 1);
        write("http:payment-api", "{\"failure-rate\": ");
        await().atMost(WAIT).until(() -> live.refusals() == 2);
        write("http:payment-api", "{\"failureRatio\": 0.5}");
        await().atMost(WAIT).until(() -> live.refusals() == 3);

        assertThat(payments.config().failureRate()).as("the last good policy stays").isEqualTo(40.0);
        PolicyStatus status = live.status("http:payment-api").orElseThrow();
        assertThat(status.revision()).as("still running the good revision").isEqualTo(good);
        assertThat(status.lastError()).hasValueSatisfying(e -> assertThat(e)
                .contains("breakers.http:payment-api.failureRatio: an unknown key (/config/production/orders/breakers/http:payment-api.json line 1, col 2)").contains("did you mean failure-rate?"));
        assertThat(status.lastErrorRevision()).isGreaterThan(good);
    }

    @Test
    void theDefaultDocumentReachesNamesWithoutTheirOwnAndADeleteRevertsToIt() throws IOException {
        CircuitBreaker plain = breakers.get("db:main-cluster");
        CircuitBreaker special = breakers.get("http:payment-api");
        write("http:payment-api", "{\"consecutive-failures\": 9}");
        await().atMost(WAIT).until(() -> special.config().consecutiveFailures() == 9);

        write("default", "{\"consecutive-failures\": 6}");
        await().atMost(WAIT).until(() -> plain.config().consecutiveFailures() == 6);
        assertThat(special.config().consecutiveFailures()).as("its own document wins").isEqualTo(9);

        Files.delete(breakersDir.resolve("http:payment-api.json"));
        await().atMost(WAIT).until(() -> special.config().consecutiveFailures() == 6);
        assertThat(live.status("http:payment-api")).isEmpty();

        Files.delete(breakersDir.resolve("default.json"));
        await().atMost(WAIT).until(() -> plain.config().consecutiveFailures() == 3);
        assertThat(special.config().consecutiveFailures()).as("back to the file's default, never no policy").isEqualTo(3);
    }

    @Test
    void aNameConfiguredInTheFileGetsItsConfigBackWhenItsDocumentIsDeleted() throws IOException {
        PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> configured = BulwarkConfig.loader().yaml("""
                breakers:
                  default: {consecutive-failures: 3}
                  "http:catalog": {failure-rate: 50, minimum-calls: 10}
                """, "app.yaml").load().breakers();
        try (LivePolicies followed = LivePolicies.breakers(configured, source,
                LivePolicies.directory("/config", "production", "orders", "breakers"))) {
            CircuitBreaker catalog = configured.get("http:catalog");
            CircuitBreaker other = configured.get("other");
            write("default", "{\"consecutive-failures\": 6}");
            await().atMost(WAIT).until(() -> other.config().consecutiveFailures() == 6);
            assertThat(catalog.config().failureRate()).as("its configured policy is its own: default.json passes it by")
                    .isEqualTo(50.0);

            write("http:catalog", "{\"consecutive-failures\": 9}");
            await().atMost(WAIT).until(() -> catalog.config().consecutiveFailures() == 9);
            Files.delete(breakersDir.resolve("http:catalog.json"));
            await().atMost(WAIT).until(() -> catalog.config().failureRate() == 50.0);
            assertThat(configured.ownConfig("http:catalog")).isPresent();
        }
    }

    @Test
    void anEmptyDocumentIsRefusedNotTakenForAllDefaults() throws IOException {
        CircuitBreaker users = breakers.get("users");
        write("users", "{\"consecutive-failures\": 8}");
        await().atMost(WAIT).until(() -> users.config().consecutiveFailures() == 8);
        write("users", "");
        await().atMost(WAIT).until(() -> live.refusals() == 1);
        write("users", "null");
        await().atMost(WAIT).until(() -> live.refusals() == 2);
        assertThat(users.config().consecutiveFailures()).isEqualTo(8);
        assertThat(live.status("users").orElseThrow().lastError()).hasValueSatisfying(e -> assertThat(e)
                .contains("allowed is a JSON object with at least one setting"));
    }

    @Test
    void manyNamesFollowTheirDocuments() throws IOException {
        for (int i = 0; i < 50; i++) {
            write("svc-" + i, "{\"consecutive-failures\": " + (10 + i) + "}");
        }
        await().atMost(WAIT).until(() -> live.statuses().size() == 50);
        for (int i = 0; i < 50; i++) {
            assertThat(breakers.get("svc-" + i).config().consecutiveFailures()).isEqualTo(10 + i);
        }
        assertThat(live.refusals()).isZero();
    }

    @Test
    void tokenBucketsFollowTheirDocumentsKeepingThePermitsOnHand() throws IOException {
        PolicyRegistry<TokenBucket, TokenBucketConfig> limiters = BulwarkConfig.loader()
                .yaml("limiters:\n  default: {permits-per-second: 10, burst: 5}\n", "app.yaml").load().limiters().orElseThrow();
        TokenBucket search = limiters.get("search");
        assertThat(search.tryAcquire(5)).isTrue();
        Files.createDirectories(root.resolve("config/production/orders/limiters"));
        try (LivePolicies liveLimiters = LivePolicies.limiters(limiters, source,
                LivePolicies.directory("/config", "production", "orders", "limiters"))) {
            replace(root.resolve("config/production/orders/limiters/search.json"), "{\"permits-per-second\": 1000, \"burst\": 200}");
            await().atMost(WAIT).until(() -> search.permitsPerSecond() == 1000.0);
            assertThat(search.burst()).isEqualTo(200);
            assertThat(search.availablePermits()).as("the change grants no fresh burst").isLessThan(200);
            replace(root.resolve("config/production/orders/limiters/search.json"), "{\"burst\": 5}");
            await().atMost(WAIT).until(() -> liveLimiters.refusals() == 1);
            assertThat(liveLimiters.status("search").orElseThrow().lastError()).hasValueSatisfying(e -> assertThat(e)
                    .contains("limiters.search.permits-per-second: (unset)"));
        }
    }

    @Test
    void retriesFollowTheirDocumentsInPlace() throws IOException {
        BulwarkConfig config = BulwarkConfig.loader().yaml("""
                retries:
                  default: {max-attempts: 2, backoff: none, budget-ratio: 0.5}
                """, "app.yaml").load();
        PolicyRegistry<Retry, RetryConfig> retries = config.retries();
        Retry search = retries.get("search");
        assertThat(search.maxAttempts()).isEqualTo(2);
        Files.createDirectories(root.resolve("config/production/orders/retries"));
        try (LivePolicies liveRetries = LivePolicies.retries(retries, source,
                LivePolicies.directory("/config", "production", "orders", "retries"))) {
            replace(root.resolve("config/production/orders/retries/search.json"),
                    "{\"max-attempts\": 5, \"backoff\": \"fixed\", \"initial-delay\": \"20ms\", \"jitter\": \"none\"}");
            await().atMost(WAIT).until(() -> search.maxAttempts() == 5);
            assertThat(search.config().backoff().minimumDelayNanos()).isEqualTo(Duration.ofMillis(20).toNanos());
            assertThat(search.toBuilder().build().maxAttempts()).isEqualTo(5);
            assertThat(liveRetries.status("search")).isPresent();
        }
    }

    @Test
    void bulkheadsFollowTheirDocumentsToo() throws IOException {
        PolicyRegistry<Bulkhead, BulkheadConfig> bulkheads = Bulkheads.registry(BulkheadConfig.of(10));
        Bulkhead reports = bulkheads.get("reports");
        Files.createDirectories(root.resolve("config/production/orders/bulkheads"));
        try (LivePolicies liveBulkheads = LivePolicies.bulkheads(bulkheads, source,
                LivePolicies.directory("/config", "production", "orders", "bulkheads"))) {
            replace(root.resolve("config/production/orders/bulkheads/reports.json"), "{\"max-concurrent\": 2}");
            await().atMost(WAIT).until(() -> reports.config().maxConcurrent() == 2);
            assertThat(liveBulkheads.status("reports")).isPresent();
        }
    }
}
