package dev.bulwark.internal;

import dev.bulwark.FailureClassifier;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.retry.DelayHint;
import dev.bulwark.retry.Retry;

/**
 * How a transport (gRPC, HTTP) adopts the policies a user hands it: a policy still judging with
 * the default classifier judges with the transport's instead (so a status code means what the
 * transport says), and a retry honours the delay the protocol lets a server ask for, beside any
 * hint of its own (the longer wins).
 */
public final class TransportDefaults {
    private TransportDefaults() {
    }

    /** {@code policy}, judging with {@code classifier} if it judged with the default, and honouring {@code hint}. */
    public static Retry retry(Retry policy, FailureClassifier classifier, DelayHint hint) {
        Retry.Builder b = policy.toBuilder();
        if (policy.classifier() == FailureClassifier.defaults()) {
            b.classifier(classifier);
        }
        DelayHint own = policy.delayHint();
        b.delayHint(own == null ? hint : (result, error) -> Math.max(own.delayNanos(result, error), hint.delayNanos(result, error)));
        return b.build();
    }

    /** {@code config}, judging with {@code classifier} if it judged with the default. */
    public static CircuitBreakerConfig breaker(CircuitBreakerConfig config, FailureClassifier classifier) {
        return config.classifier() == FailureClassifier.defaults() ? config.toBuilder().classifier(classifier).build() : config;
    }
}
