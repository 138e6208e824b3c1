package dev.bulwark.opentelemetry;

import dev.bulwark.RejectedException;
import dev.bulwark.breaker.BreakerOpenException;
import dev.bulwark.bulkhead.BulkheadFullException;
import dev.bulwark.call.NoEndpointAvailableException;
import dev.bulwark.internal.Errors;
import dev.bulwark.ratelimit.RateLimitedException;
import dev.bulwark.retry.RetriesExhaustedException;
import dev.bulwark.retry.RetryBudgetExhaustedException;
import dev.bulwark.timeout.CallTimeoutException;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.StatusCode;
import java.util.concurrent.TimeUnit;

/** Records a failure on a span: the resilience decision behind it as an event, the error, the status. */
final class Decisions {
    static final AttributeKey<String> POLICY = AttributeKey.stringKey("bulwark.policy");
    static final AttributeKey<Long> RETRY_AFTER_MS = AttributeKey.longKey("bulwark.retry_after_ms");

    private Decisions() {
    }

    static void failed(Span span, Throwable error) {
        if (!span.isRecording()) {
            return;
        }
        Throwable e = Errors.unwrap(error);
        String event = event(e);
        if (event != null) {
            Attributes attributes = e instanceof RateLimitedException limited
                    ? Attributes.of(POLICY, limited.policyName(), RETRY_AFTER_MS, TimeUnit.NANOSECONDS.toMillis(limited.retryAfterNanos()))
                    : e instanceof RejectedException rejected ? Attributes.of(POLICY, rejected.policyName())
                    : e instanceof CallTimeoutException timeout ? Attributes.of(POLICY, timeout.policyName())
                    : Attributes.empty();
            span.addEvent(event, attributes);
        }
        span.recordException(e);
        span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
    }

    /** The event a failure stands for, or {@code null} for an error of the call itself. */
    static String event(Throwable e) {
        if (e instanceof BreakerOpenException) {
            return "bulwark.breaker.rejected";
        }
        if (e instanceof RateLimitedException) {
            return "bulwark.limiter.rejected";
        }
        if (e instanceof BulkheadFullException) {
            return "bulwark.bulkhead.rejected";
        }
        if (e instanceof RetryBudgetExhaustedException) {
            return "bulwark.retry.budget_exhausted";
        }
        if (e instanceof NoEndpointAvailableException) {
            return "bulwark.pick.no_endpoint";
        }
        if (e instanceof RetriesExhaustedException) {
            return "bulwark.retry.exhausted";
        }
        if (e instanceof CallTimeoutException) {
            return "bulwark.timeout";
        }
        return null;
    }
}
