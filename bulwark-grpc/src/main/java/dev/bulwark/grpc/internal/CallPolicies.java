package dev.bulwark.grpc.internal;

import dev.bulwark.FailureClassifier;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.call.Pipeline;
import dev.bulwark.call.Stage;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Retry;
import io.grpc.MethodDescriptor;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * A channel's per-call policies, and the chain each method's calls run through, built once per
 * method on its first call: retry (for the methods it applies to), rate limiter, bulkhead, the
 * method's breaker ({@code grpc:<service>/<method>} from the registry, so a live config change
 * reaches it) and stages of the user's own, in the one call path's order.
 *
 * @param retry the retry, with the gRPC pushback hint added, or {@code null}
 * @param retryFor the methods the retry applies to
 * @param limiter a rate limiter for every call, or {@code null}
 * @param limiterWait how long a call may wait for the limiter ({@code ZERO}: never waits)
 * @param bulkhead a bulkhead for every call, or {@code null}
 * @param methodBreakers where method breakers come from, or {@code null} for none
 * @param stages the user's own stages
 * @param classifier judges outcomes for the chain's observers
 * @param attemptTimeout each attempt's own deadline, or {@code null}
 * @param retryBufferBytes how much a call may keep of what it sent, for retries, before it commits
 * @param hashKeyHeader the request header holding a consistent-hash key, or {@code null}
 */
public record CallPolicies(Retry retry, Predicate<MethodDescriptor<?, ?>> retryFor, RateLimiter limiter,
        Duration limiterWait, Bulkhead bulkhead, PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> methodBreakers,
        List<Stage> stages, FailureClassifier classifier, Duration attemptTimeout, long retryBufferBytes,
        String hashKeyHeader) {

    /** Per-method chains, built on first use. */
    static final class Chains {
        private final CallPolicies policies;
        private final Map<String, MethodPolicy> byMethod = new ConcurrentHashMap<>();

        Chains(CallPolicies policies) {
            this.policies = policies;
        }

        MethodPolicy of(MethodDescriptor<?, ?> method) {
            MethodPolicy known = byMethod.get(method.getFullMethodName());
            return known != null ? known : byMethod.computeIfAbsent(method.getFullMethodName(), name -> policies.build(method));
        }
    }

    private MethodPolicy build(MethodDescriptor<?, ?> method) {
        String name = "grpc:" + method.getFullMethodName();
        Pipeline.Builder<Object> chain = Pipeline.<Object>builder(name).classifier(classifier);
        boolean any = false;
        boolean retries = retry != null && retryFor.test(method);
        if (retries) {
            chain.retry(retry);
            any = true;
        }
        if (limiter != null) {
            chain.rateLimiter(limiter, limiterWait);
            any = true;
        }
        if (bulkhead != null) {
            chain.bulkhead(bulkhead);
            any = true;
        }
        if (methodBreakers != null) {
            chain.circuitBreaker(methodBreakers.get(name));
            any = true;
        }
        for (Stage s : stages) {
            chain.stage(s);
            any = true;
        }
        return any ? new MethodPolicy(chain.build(), retries) : MethodPolicy.DIRECT;
    }
}
