package dev.bulwark.opentelemetry;

import io.opentelemetry.api.OpenTelemetry;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.OpenTelemetrySdk;

/**
 * Whether a span under an unsampled parent may be skipped outright: only when the sampler would
 * drop it anyway, as OpenTelemetry's default (parent-based) sampler does. Then what follows such a
 * parent starts no span, records nothing and allocates nothing, and sends the parent's context on.
 */
final class UnsampledParents {
    private final boolean skip;

    private UnsampledParents(boolean skip) {
        this.skip = skip;
    }

    /**
     * Reads the sampler of an SDK: parent-based with both "parent not sampled" cases dropped (the
     * default) lets unsampled parents be skipped; any other (always on, a custom one, a parent-based
     * one that samples under unsampled parents) keeps every span for the SDK to decide. An
     * OpenTelemetry that is not an SDK this can read (the Java agent's, a wrapper) runs the default.
     */
    static UnsampledParents of(OpenTelemetry otel) {
        if (otel instanceof OpenTelemetrySdk sdk) {
            String sampler = sdk.getSdkTracerProvider().getSampler().getDescription();
            return new UnsampledParents(sampler.startsWith("ParentBased{")
                    && sampler.contains("remoteParentNotSampled:AlwaysOffSampler")
                    && sampler.contains("localParentNotSampled:AlwaysOffSampler"));
        }
        return new UnsampledParents(true);
    }

    /** {@code parent} is a span of a trace its root decided not to sample, and the sampler follows that decision. */
    boolean skip(Context parent) {
        if (!skip) {
            return false;
        }
        SpanContext span = Span.fromContext(parent).getSpanContext();
        return span.isValid() && !span.isSampled();
    }
}
