package dev.bulwark.micrometer;

import dev.bulwark.Verdict;
import dev.bulwark.call.Invocation;
import dev.bulwark.call.Stage;
import dev.bulwark.call.StageObserver;
import dev.bulwark.call.Stages;
import dev.bulwark.http.HttpStatusException;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.ServiceRequest;
import dev.bulwark.http.ServiceResponse;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import dev.bulwark.timeout.CallTimeoutException;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.http.Outcome;
import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Meters of a {@link ServiceClient}'s exchanges: a timer {@code bulwark.http.client.requests} with a
 * percentile histogram, tagged {@code service} (the logical name called, not an instance),
 * {@code method}, {@code status} (the HTTP status, or {@code TIMEOUT}, {@code CONNECT_ERROR},
 * {@code IO_ERROR}, {@code CANCELLED} when there was none) and {@code outcome} (Micrometer's
 * {@code SUCCESS}, {@code CLIENT_ERROR}, {@code SERVER_ERROR}..., {@code UNKNOWN} without a status);
 * and a gauge {@code bulwark.http.client.requests.active} of the exchanges in flight, by
 * {@code service}. Its count is the number of exchanges; errors by status are its series by
 * {@code status}.
 *
 * <pre>{@code
 * ServiceClient client = HttpClientMeters.create(meterRegistry).applyTo(ServiceClient.builder(discovery)).build();
 * }</pre>
 *
 * <p>It meters <em>exchanges</em>: each attempt that went to an instance, so a call retried once
 * counts twice, and a call a policy refused before the pick (rate limiter, breaker, bulkhead) not
 * at all; the pool meters ({@link MicrometerCallRecorder}) and the policy binders count those. Tags
 * are bounded: services and methods are the application's, statuses at most a few hundred. The
 * names are Bulwark's own so they never collide with another HTTP client's {@code http.client.requests}
 * (Prometheus needs one set of tag keys per name). After the first exchange of a (service,
 * method, status), recording allocates nothing and takes no lock. Thread-safe. Make one per registry and share it: a second one on the same
 * registry would find the in-flight gauges already registered to the first one's counts.
 */
public final class HttpClientMeters {
    static final String REQUESTS = "bulwark.http.client.requests";
    static final String ACTIVE = "bulwark.http.client.requests.active";
    /** The tag values of exchanges that ended without a status, after the 500 codes 100..599. */
    private static final String[] NO_STATUS = {"TIMEOUT", "CONNECT_ERROR", "IO_ERROR", "CANCELLED"};
    private static final int FIRST_CODE = 100;
    private static final int CODES = 500;

    private final MeterRegistry registry;
    private final HistogramRange range;
    private final Ticker ticker;
    private final Map<String, ServiceMeters> services = new ConcurrentHashMap<>();

    private HttpClientMeters(Builder b) {
        this.registry = b.registry;
        this.range = b.range;
        this.ticker = b.ticker;
    }

    /** Meters on {@code registry} with the default histogram range (1 ms to 30 s). */
    public static HttpClientMeters create(MeterRegistry registry) {
        return builder(registry).build();
    }

    public static Builder builder(MeterRegistry registry) {
        return new Builder(Check.notNull("registry", registry));
    }

    /** {@code client} with these meters on every exchange; returns it. */
    public ServiceClient.Builder applyTo(ServiceClient.Builder client) {
        return Check.notNull("client", client).stage(stage());
    }

    /** The stage that meters each exchange, for {@link ServiceClient.Builder#stage}. */
    public Stage stage() {
        return Stages.observing("http-client-meters", new StageObserver<MethodMeters>() {
            @Override
            public MethodMeters onStart(Invocation invocation) {
                ServiceRequest request = invocation.context().get(ServiceClient.REQUEST);
                String service = request != null ? request.service() : invocation.chain();
                String method = request != null ? request.method() : "UNKNOWN";
                MethodMeters meters = service(service).method(method);
                meters.active.incrementAndGet();
                return meters;
            }

            @Override
            public void onEnd(Invocation invocation, MethodMeters meters, Object result, Throwable error, Verdict verdict,
                    long durationNanos) {
                meters.active.decrementAndGet();
                meters.timer(statusIndex(result, error)).record(Math.max(0, durationNanos), TimeUnit.NANOSECONDS);
            }
        }, ticker);
    }

    /** Where a finished exchange's status sits in a {@link MethodMeters}' timers. */
    private static int statusIndex(Object result, Throwable error) {
        if (error == null) {
            if (result instanceof ServiceResponse response) {
                return codeIndex(response.status());
            }
            if (result instanceof HttpResponse<?> response) {
                return codeIndex(response.statusCode());
            }
            return codeIndex(200);
        }
        for (Throwable e = error; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof HttpStatusException status) {
                return codeIndex(status.status());
            }
            if (e instanceof ConnectException || e instanceof HttpConnectTimeoutException) {
                return CODES + 1;
            }
            if (e instanceof CallTimeoutException || e instanceof HttpTimeoutException) {
                return CODES;
            }
            if (e instanceof CancellationException) {
                return CODES + 3;
            }
        }
        return CODES + 2;
    }

    private static int codeIndex(int status) {
        return status >= FIRST_CODE && status < FIRST_CODE + CODES ? status - FIRST_CODE : CODES + 2;
    }

    private ServiceMeters service(String service) {
        ServiceMeters meters = services.get(service);
        return meters != null ? meters : services.computeIfAbsent(service, ServiceMeters::new);
    }

    /** The meters of one service: its in-flight gauge, and its timers by method. */
    private final class ServiceMeters {
        private final String service;
        private final AtomicInteger active = new AtomicInteger();
        private final Map<String, MethodMeters> methods = new ConcurrentHashMap<>();

        ServiceMeters(String service) {
            this.service = service;
            Gauge.builder(ACTIVE, active, AtomicInteger::get).description("Exchanges with instances of the service in flight now")
                    .tags(Tags.of("service", service)).strongReference(true).register(registry);
        }

        MethodMeters method(String method) {
            MethodMeters meters = methods.get(method);
            return meters != null ? meters : methods.computeIfAbsent(method, m -> new MethodMeters(service, m, active));
        }
    }

    /** The timers of one (service, method), one per status, each made on first use. */
    private final class MethodMeters {
        private final String service;
        private final String method;
        final AtomicInteger active;
        private final AtomicReferenceArray<Timer> timers = new AtomicReferenceArray<>(CODES + NO_STATUS.length);

        MethodMeters(String service, String method, AtomicInteger active) {
            this.service = service;
            this.method = method;
            this.active = active;
        }

        Timer timer(int index) {
            Timer timer = timers.get(index);
            if (timer != null) {
                return timer;
            }
            boolean coded = index < CODES;
            String status = coded ? Integer.toString(index + FIRST_CODE) : NO_STATUS[index - CODES];
            Outcome outcome = coded ? Outcome.forStatus(index + FIRST_CODE) : Outcome.UNKNOWN;
            // Registering is idempotent in Micrometer, so two threads racing here get the same timer.
            timers.compareAndSet(index, null, range.applyTo(Timer.builder(REQUESTS)
                    .description("Exchanges with instances of a service, by service, method, status and outcome")
                    .tags(Tags.of("service", service, "method", method, "status", status).and(outcome.asTag())))
                    .register(registry));
            return timers.get(index);
        }
    }

    /** Builds {@link HttpClientMeters}. */
    public static final class Builder extends TimedMetersBuilder<Builder> {
        private Builder(MeterRegistry registry) {
            super(registry);
        }

        public HttpClientMeters build() {
            return new HttpClientMeters(this);
        }
    }
}
