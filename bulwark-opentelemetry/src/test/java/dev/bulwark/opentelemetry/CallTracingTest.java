package dev.bulwark.opentelemetry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bulwark.CallContext;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.Pipeline;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.ratelimit.TokenBucket;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Retry;
import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.timeout.Timeout;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.EventData;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The call path traced into an in-memory exporter: a span per call and per attempt, parented
 * right, with the trace id in the call's context and the resilience decisions as events; sync and
 * async alike, unsampled calls traced by id only, cancelled calls' spans ended.
 */
class CallTracingTest {
    private final InMemorySpanExporter exported = InMemorySpanExporter.create();
    private final OpenTelemetrySdk otel = OpenTelemetrySdk.builder()
            .setTracerProvider(SdkTracerProvider.builder().addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).build();
    private final CallTracing tracing = CallTracing.create(otel);

    private ClientPool<String> failoverPool() {
        ClientPool<String> pool = tracing.applyTo(ClientPool.<String>builder("users")
                .retry(Retry.builder("users").maxAttempts(3).backoff(Backoff.none()).build())).build();
        pool.add("broken", "broken");
        pool.add("fine", "fine");
        return pool;
    }

    private static SpanData named(List<SpanData> spans, String name) {
        return spans.stream().filter(s -> s.getName().equals(name)).findFirst().orElseThrow();
    }

    private static List<String> events(SpanData span) {
        return span.getEvents().stream().map(EventData::getName).toList();
    }

    @Test
    void aRetriedCallIsOneSpanWithAChildPerAttemptAndItsRetryAndFailoverAsEvents() {
        ClientPool<String> pool = failoverPool();
        String[] seenTraceId = new String[1];
        String answer = "";
        for (int i = 0; i < 4 && !answer.equals("fine"); i++) { // round robin: make the first attempt land on "broken"
            exported.reset();
            answer = pool.call((client, endpoint, ctx) -> {
                seenTraceId[0] = CallTracing.traceId(ctx);
                if (client.equals("broken")) {
                    throw new UncheckedIOException(new java.io.IOException("connection reset"));
                }
                return client;
            });
            if (exported.getFinishedSpanItems().size() == 3) {
                break;
            }
        }
        List<SpanData> spans = exported.getFinishedSpanItems();
        assertThat(spans).extracting(SpanData::getName).containsExactlyInAnyOrder("attempt 1", "attempt 2", "users");
        SpanData call = named(spans, "users");
        SpanData first = named(spans, "attempt 1");
        SpanData second = named(spans, "attempt 2");
        assertThat(first.getParentSpanId()).isEqualTo(call.getSpanId());
        assertThat(second.getParentSpanId()).isEqualTo(call.getSpanId());
        assertThat(call.getTraceId()).as("the call's code reads its trace id").isEqualTo(seenTraceId[0]);
        assertThat(first.getAttributes().get(AttemptSpanStage.ENDPOINT)).isEqualTo("broken");
        assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
        assertThat(second.getAttributes().get(AttemptSpanStage.ENDPOINT)).isEqualTo("fine");
        assertThat(events(call)).containsExactly("bulwark.retry", "bulwark.failover");
        EventData failover = call.getEvents().get(1);
        assertThat(failover.getAttributes().get(AttemptSpanStage.FROM)).isEqualTo("broken");
        assertThat(failover.getAttributes().get(AttemptSpanStage.TO)).isEqualTo("fine");
        assertThat(call.getEvents().get(0).getAttributes().get(AttemptSpanStage.REASON)).isEqualTo("UncheckedIOException");
        assertThat(call.getAttributes().get(CallSpanStage.ATTEMPTS)).isEqualTo(2L);
        assertThat(call.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void theAsyncPathTracesTheSameAndACancelledCallStillEndsItsSpans() {
        ClientPool<String> pool = failoverPool();
        String answer = pool.<String>callAsync((client, endpoint, ctx) -> CompletableFuture.completedFuture(client)).join();
        assertThat(answer).isIn("broken", "fine");
        assertThat(exported.getFinishedSpanItems()).extracting(SpanData::getName).containsExactlyInAnyOrder("attempt 1", "users");

        exported.reset();
        CompletableFuture<String> hanging = pool.callAsync((client, endpoint, ctx) -> new CompletableFuture<String>());
        hanging.cancel(true);
        assertThat(exported.getFinishedSpanItems()).as("no span left open").hasSize(2);
    }

    @Test
    void rejectionsTimeoutsAndFallbacksAreEvents() {
        CircuitBreaker breaker = CircuitBreaker.builder("payments").consecutiveFailures(1).build();
        breaker.forceOpen();
        Pipeline<String> guarded = tracing.applyTo(Pipeline.<String>builder("pay").circuitBreaker(breaker)).build();
        assertThatThrownBy(() -> guarded.call(() -> "paid")).isInstanceOf(RuntimeException.class);
        SpanData rejected = named(exported.getFinishedSpanItems(), "pay");
        assertThat(events(rejected)).contains("bulwark.breaker.rejected", "exception");
        assertThat(rejected.getEvents().get(0).getAttributes().get(Decisions.POLICY)).isEqualTo("payments");

        exported.reset();
        VirtualScheduler clock = new VirtualScheduler();
        TokenBucket bucket = TokenBucket.builder("quota").permitsPerSecond(1).burst(1).scheduler(clock).build();
        Pipeline<String> limited = tracing.applyTo(Pipeline.<String>builder("quoted").rateLimiter(bucket)).build();
        limited.call(() -> "ok");
        assertThatThrownBy(() -> limited.call(() -> "over")).isInstanceOf(RuntimeException.class);
        EventData limit = exported.getFinishedSpanItems().stream().filter(span -> span.getName().equals("quoted"))
                .flatMap(span -> span.getEvents().stream()).findFirst().orElseThrow();
        assertThat(limit.getName()).isEqualTo("bulwark.limiter.rejected");
        assertThat(limit.getAttributes().get(Decisions.RETRY_AFTER_MS)).isPositive();

        exported.reset();
        Pipeline<String> timed = tracing.applyTo(Pipeline.<String>builder("slow")
                .timeout(Timeout.of("slow", Duration.ofMillis(20)))).build();
        assertThatThrownBy(() -> timed.call(() -> {
            new java.util.concurrent.CountDownLatch(1).await(); // work that ends only when the timeout interrupts it
            return "late";
        })).isInstanceOf(RuntimeException.class);
        assertThat(events(named(exported.getFinishedSpanItems(), "slow"))).contains("bulwark.timeout");

        exported.reset();
        Pipeline<String> covered = tracing.applyTo(Pipeline.<String>builder("covered")
                .fallback(Fallback.value("cached answer"))).build();
        assertThat(covered.call(() -> {
            throw new IllegalStateException("down");
        })).isEqualTo("cached answer");
        SpanData fallback = named(exported.getFinishedSpanItems(), "covered");
        assertThat(events(fallback)).containsExactly("bulwark.fallback");
        assertThat(fallback.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    }

    @Test
    void aParentGivenInTheContextIsTheCallsParent() {
        Span parent = otel.getTracer("test").spanBuilder("request").startSpan();
        Pipeline<String> pipeline = tracing.applyTo(Pipeline.<String>builder("child")).build();
        pipeline.call(CallContext.none().with(CallTracing.OTEL_CONTEXT, Context.root().with(parent)), () -> "ok");
        parent.end();
        SpanData child = named(exported.getFinishedSpanItems(), "child");
        assertThat(child.getParentSpanId()).isEqualTo(parent.getSpanContext().getSpanId());
        assertThat(child.getTraceId()).isEqualTo(parent.getSpanContext().getTraceId());
    }

    @Test
    void anUnsampledCallExportsNothingButStillCarriesATraceId() {
        OpenTelemetrySdk never = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(Sampler.alwaysOff()).addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).build();
        Pipeline<String> pipeline = CallTracing.create(never).applyTo(Pipeline.<String>builder("quiet")).build();
        assertThat(pipeline.call(() -> "ok")).isEqualTo("ok");
        String[] seen = new String[1];
        ClientPool<String> pool = CallTracing.create(never).applyTo(ClientPool.<String>builder("quiet-pool")).build();
        pool.add("one", "one");
        pool.call((client, endpoint, ctx) -> seen[0] = CallTracing.traceId(ctx));
        assertThat(seen[0]).hasSize(32);
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    @Test
    void aCallInAnUnsampledTraceStartsNoSpanAndCarriesItsParentsTraceOnEveryThread() throws Exception {
        SpanContext unsampled = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getDefault(), TraceState.getDefault());
        Context parent = Context.root().with(Span.wrap(unsampled));
        ClientPool<String> pool = CallTracing.create(otel).applyTo(ClientPool.<String>builder("quiet-pool")).build();
        pool.add("one", "one");

        String[] seen = new String[2];
        try (Scope ignored = parent.makeCurrent()) {
            pool.call((client, endpoint, ctx) -> seen[0] = CallTracing.traceId(ctx));
            CompletableFuture<String> async = pool.callAsync((client, endpoint, ctx) ->
                    CompletableFuture.supplyAsync(() -> {
                        Context sent = ctx.get(CallTracing.OTEL_CONTEXT); // what a transport propagates from another thread
                        return seen[1] = Span.fromContext(sent).getSpanContext().getSpanId() + " " + CallTracing.traceId(ctx);
                    }));
            async.get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(seen[0]).isEqualTo(unsampled.getTraceId());
        assertThat(seen[1]).isEqualTo(unsampled.getSpanId() + " " + unsampled.getTraceId());
        assertThat(exported.getFinishedSpanItems()).as("nothing recorded").isEmpty();
        assertThat(CallTracing.traceId(CallContext.none())).as("outside any trace").isEmpty();
    }

    @Test
    void aSamplerThatSamplesUnderUnsampledParentsStillGetsToDecide() {
        OpenTelemetrySdk always = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
                .setSampler(Sampler.alwaysOn()).addSpanProcessor(SimpleSpanProcessor.create(exported)).build()).build();
        SpanContext unsampled = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getDefault(), TraceState.getDefault());
        Pipeline<String> pipeline = CallTracing.create(always).applyTo(Pipeline.<String>builder("always")).build();
        try (Scope ignored = Context.root().with(Span.wrap(unsampled)).makeCurrent()) {
            pipeline.call(() -> "ok");
        }
        assertThat(exported.getFinishedSpanItems()).extracting(SpanData::getName).as("always on samples it")
                .containsExactlyInAnyOrder("always", "attempt 1");
        assertThat(named(exported.getFinishedSpanItems(), "always").getParentSpanId()).isEqualTo(unsampled.getSpanId());
    }

    @Test
    void aCallInAnUnsampledTraceAllocatesNoMoreThanAnUntracedOne() {
        SpanContext unsampled = SpanContext.createFromRemoteParent("0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331",
                TraceFlags.getDefault(), TraceState.getDefault());
        Pipeline<String> untraced = Pipeline.<String>builder("plain").build();
        Pipeline<String> traced = tracing.applyTo(Pipeline.<String>builder("traced")).build();
        try (Scope ignored = Context.root().with(Span.wrap(unsampled)).makeCurrent()) {
            long plain = bytesPerCall(untraced);
            long tracedBytes = bytesPerCall(traced);
            assertThat(tracedBytes).as("bytes per traced call, against %d untraced", plain).isLessThanOrEqualTo(plain + 2);
        }
        assertThat(exported.getFinishedSpanItems()).isEmpty();
    }

    /** What one call allocates on this thread, after the JIT has had the calls to compile them. */
    private static long bytesPerCall(Pipeline<String> pipeline) {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long thread = Thread.currentThread().getId();
        int calls = 200_000;
        long best = Long.MAX_VALUE;
        for (int round = 0; round < 10; round++) { // the least of ten rounds: the first ones run before compilation
            long before = threads.getThreadAllocatedBytes(thread);
            for (int i = 0; i < calls; i++) {
                pipeline.call(() -> "ok");
            }
            best = Math.min(best, (threads.getThreadAllocatedBytes(thread) - before) / calls);
        }
        return best;
    }
}
