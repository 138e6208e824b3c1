package dev.bulwark.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.bulwark.CallContext;
import dev.bulwark.CallFailedException;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.balance.Strategy;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.breaker.CircuitBreakerConfig;
import dev.bulwark.call.ClientPool;
import dev.bulwark.call.NoEndpointAvailableException;
import dev.bulwark.call.PoolEndpoint;
import dev.bulwark.call.Stage;
import dev.bulwark.discovery.DiscoveryPools;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.discovery.ServiceInstance;
import dev.bulwark.fallback.Fallback;
import dev.bulwark.fallback.StaleCache;
import dev.bulwark.http.internal.InstanceBulkheads;
import dev.bulwark.http.internal.LimitedBody;
import dev.bulwark.http.internal.NotRepeatable;
import dev.bulwark.http.internal.NotRetriedException;
import dev.bulwark.http.internal.ResponseTooLargeException;
import dev.bulwark.internal.Check;
import dev.bulwark.internal.Errors;
import dev.bulwark.internal.TransportDefaults;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.registry.PolicyRegistry;
import dev.bulwark.retry.Backoff;
import dev.bulwark.retry.Jitter;
import dev.bulwark.retry.RetriesExhaustedException;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudgetExhaustedException;
import dev.bulwark.retry.RetryBudget;
import dev.bulwark.time.Ticker;
import dev.bulwark.timeout.CallTimeoutException;
import dev.bulwark.timeout.Timeout;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Calls services by name over HTTP: instances come from discovery, and every call runs the one call
 * path: retry (failing over to an instance not yet tried; {@code Retry-After} honoured), a rate
 * limiter, an optional breaker per service, the pick (a balancer, a breaker per instance), a
 * bulkhead per instance, and a time limit for the whole exchange, body included.
 *
 * <pre>{@code
 * ServiceClient client = ServiceClient.builder(discovery).build();
 * ServiceResponse users = client.get("user-service", "/users?active=true");
 * Map<?, ?> user = client.json(ServiceRequest.get("user-service", "/users/42").build(), Map.class);
 * client.post("audit-service", "/events", Map.of("event", "login"));   // JSON; not retried once sent
 * }</pre>
 *
 * <p>Sync calls wait on the async ones ({@link #sendAsync}); every error is unchecked and says what
 * happened: {@link HttpStatusException} (status, service, instance, method, path, body snippet),
 * {@link NoInstanceException} (why no instance could take the call), a rejection by a policy,
 * or the transport's own error wrapped in {@code CallFailedException}.
 */
public final class ServiceClient implements AutoCloseable {
    /**
     * The request a call is sending, in the call's {@link CallContext}: stages and request
     * decorators read its service, method and path there (for span names, meter tags).
     */
    public static final CallContext.Key<ServiceRequest> REQUEST = CallContext.key("bulwark.http.request");

    private final Builder settings;
    private final HttpClient http;
    private final Retry retry;
    private final Map<String, ServicePool> services = new ConcurrentHashMap<>();
    private final StaleCache<String, ServiceResponse> staleCache;

    private ServiceClient(Builder b) {
        this.settings = b;
        this.http = b.http != null ? b.http : HttpClient.newBuilder().connectTimeout(b.connectTimeout)
                .followRedirects(HttpClient.Redirect.NORMAL).build();
        this.retry = b.retry == null ? null
                : TransportDefaults.retry(b.retry, HttpStatuses.retryClassifier(), HttpStatuses.retryAfter(b.retryAfterCap));
        this.staleCache = b.staleFor == null ? null : StaleCache.<String, ServiceResponse>builder("http-stale")
                .maxStaleness(b.staleFor).maxEntries(b.staleEntries).build();
    }

    /** A builder of a client finding services through {@code discovery}. */
    public static Builder builder(ServiceDiscovery discovery) {
        return new Builder(Check.notNull("discovery", discovery));
    }

    // ---------------------------------------------------------------- the seed's API

    /** {@code method path} of {@code service}, with {@code body} as JSON ({@code null}: none). */
    public ServiceResponse call(String service, String method, String path, Object body) {
        ServiceRequest.Builder request = ServiceRequest.method(method, service, path);
        if (body != null) {
            request.json(body);
        }
        return send(request.build());
    }

    /** As {@link #call}, reading the answer as JSON into {@code type}. */
    public <T> T callJson(String service, String method, String path, Object body, Class<T> type) {
        ServiceRequest.Builder request = ServiceRequest.method(method, service, path);
        if (body != null) {
            request.json(body);
        }
        return json(request.build(), type);
    }

    public ServiceResponse get(String service, String path) {
        return send(ServiceRequest.get(service, path).build());
    }

    public ServiceResponse post(String service, String path, Object jsonBody) {
        return call(service, "POST", path, jsonBody);
    }

    public ServiceResponse put(String service, String path, Object jsonBody) {
        return call(service, "PUT", path, jsonBody);
    }

    public ServiceResponse delete(String service, String path) {
        return send(ServiceRequest.delete(service, path).build());
    }

    // ---------------------------------------------------------------- requests

    /** Sends {@code request} and waits for the answer. */
    public ServiceResponse send(ServiceRequest request) {
        Check.notNull("request", request);
        if (staleCache != null && request.method().equals("GET")) {
            return staleCache.call(request.service() + " " + request.path(), () -> exchange(request));
        }
        return exchange(request);
    }

    /** Sends {@code request}; the future fails with the same errors {@link #send} throws. */
    public CompletableFuture<ServiceResponse> sendAsync(ServiceRequest request) {
        return sendAsync(request, null);
    }

    /** Sends {@code request}, answering the failures {@code fallback} handles (rejections included) with it. */
    public CompletableFuture<ServiceResponse> sendAsync(ServiceRequest request, Fallback<ServiceResponse> fallback) {
        Check.notNull("request", request);
        if (staleCache != null && request.method().equals("GET")) {
            return staleCache.callAsync(request.service() + " " + request.path(), () -> exchange(request, fallback));
        }
        return exchange(request, fallback);
    }

    /** Sends {@code request} and reads the answer as JSON into {@code type}. */
    public <T> T json(ServiceRequest request, Class<T> type) {
        return read(send(request), request, settings.mapper.constructType(type));
    }

    /** Sends {@code request} and reads the answer as JSON into {@code type} (a generic type). */
    public <T> T json(ServiceRequest request, TypeReference<T> type) {
        return read(send(request), request, settings.mapper.constructType(type));
    }

    /** Sends {@code request}; the future holds the answer read as JSON into {@code type}. */
    public <T> CompletableFuture<T> jsonAsync(ServiceRequest request, Class<T> type) {
        JavaType javaType = settings.mapper.constructType(type);
        return sendAsync(request).thenApply(r -> read(r, request, javaType));
    }

    /**
     * Sends {@code request} and hands over the body as a stream, for answers too large to hold;
     * the time limit then covers the exchange up to the response headers. Close the stream.
     */
    public HttpResponse<InputStream> stream(ServiceRequest request) {
        return call(request, HttpResponse.BodyHandlers.ofInputStream(), (response, endpoint) -> {
            byte[] start;
            try (InputStream in = response.body()) {
                start = in.readNBytes(HttpStatusException.SNIPPET);
            } catch (IOException e) {
                start = new byte[0];
            }
            return start;
        }, (response, endpoint) -> response);
    }

    /** The service's endpoints now (one per serving instance of an HTTP protocol), with their breakers and statistics. */
    public List<PoolEndpoint<URI>> endpoints(String service) {
        return pool(service).pool().endpoints();
    }

    /** Calls in flight on an instance of {@code service}, by its id: what its bulkhead holds. */
    public int inFlight(String service, String instanceId) {
        return pool(service).bulkheads().inFlight(instanceId);
    }

    /** Stops following discovery and closes every service's pool; the {@code HttpClient} is the caller's if given. */
    @Override
    public void close() {
        services.values().forEach(ServicePool::close);
        services.clear();
    }

    // ---------------------------------------------------------------- the exchange

    /** The synchronous exchange: the whole chain runs on the caller's thread around a blocking send. */
    private ServiceResponse exchange(ServiceRequest request) {
        return call(request, LimitedBody.handler(settings.maxResponseBytes), (response, endpoint) -> response.body(),
                (response, endpoint) -> new ServiceResponse(response.statusCode(), response.headers().map(), response.body(),
                        address(endpoint)));
    }

    /** What a synchronous call reads of an error answer's body, and what it makes of a good answer. */
    private interface Reading<B, R> {
        R apply(HttpResponse<B> response, PoolEndpoint<URI> endpoint);
    }

    /**
     * One synchronous call through the service's chain: a blocking {@code HttpClient.send} per
     * attempt (which the timeout stage interrupts at the limit, cancelling the exchange), so no
     * thread hands the answer to another on the way back.
     */
    private <B, R> R call(ServiceRequest request, HttpResponse.BodyHandler<B> handler, Reading<B, byte[]> errorBody,
            Reading<B, R> answer) {
        ServicePool sp = pool(request.service());
        HttpRequest.BodyPublisher body = publisher(request);
        boolean safe = request.isIdempotent();
        try {
            return sp.pool().call(context(request), (base, endpoint, ctx) -> {
                HttpResponse<B> response;
                try {
                    response = http.send(httpRequest(base, request, body, ctx), handler);
                } catch (IOException e) {
                    // HttpClient.send rethrows an exchange's error as a new one of the same kind with the
                    // original as its cause (for the caller's stack trace); judge by the original.
                    throw failure(e.getCause() instanceof ResponseTooLargeException tooLarge ? tooLarge : e, safe);
                }
                if (response.statusCode() >= 400) {
                    throw failure(statusError(response, request, endpoint, errorBody.apply(response, endpoint)), safe);
                }
                return answer.apply(response, endpoint);
            });
        } catch (RuntimeException e) {
            Throwable cause = finished(null, e, request).handle((r, error) -> error).join();
            throw CallFailedException.propagate(cause);
        }
    }

    private CompletableFuture<ServiceResponse> exchange(ServiceRequest request, Fallback<ServiceResponse> fallback) {
        ServicePool sp;
        HttpRequest.BodyPublisher body;
        try {
            sp = pool(request.service());
            body = publisher(request);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
        boolean safe = request.isIdempotent();
        CompletableFuture<ServiceResponse> attempts = sp.pool().callAsync(context(request), (base, endpoint, ctx) -> {
            CompletableFuture<HttpResponse<byte[]>> sent = http.sendAsync(httpRequest(base, request, body, ctx),
                    LimitedBody.handler(settings.maxResponseBytes));
            CompletableFuture<ServiceResponse> answer = sent.handle((response, error) -> {
                if (error != null) {
                    throw failure(Errors.unwrapCompletion(error), safe);
                }
                if (response.statusCode() >= 400) {
                    throw failure(statusError(response, request, endpoint, response.body()), safe);
                }
                return new ServiceResponse(response.statusCode(), response.headers().map(), response.body(), address(endpoint));
            });
            // A timeout or a cancel of this attempt ends the exchange itself, not just the wait for it.
            answer.whenComplete((r, e) -> {
                if (answer.isCancelled()) {
                    sent.cancel(true);
                }
            });
            return answer;
        });
        CompletableFuture<ServiceResponse> answered = attempts.handle((r, e) -> finished(r, e, request)).thenCompose(f -> f);
        // The caller's cancel reaches the chain (a retry waiting out its backoff, the attempt in flight).
        answered.whenComplete((r, e) -> {
            if (answered.isCancelled()) {
                attempts.cancel(true);
            }
        });
        if (fallback == null) {
            return answered;
        }
        return fallback.callAsync(() -> answered);
    }

    private HttpRequest httpRequest(URI base, ServiceRequest request, HttpRequest.BodyPublisher body, CallContext context) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base.toString() + request.path()))
                .method(request.method(), body);
        settings.headers.forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        request.headers().forEach((name, values) -> values.forEach(v -> b.header(name, v)));
        contentType(request).ifPresent(type -> b.header("Content-Type", type));
        if (settings.attemptTimeout != null) {
            b.timeout(settings.attemptTimeout); // up to the headers; the Timeout stage covers the body too
        }
        for (RequestDecorator decorator : settings.decorators) {
            decorator.decorate(context, b);
        }
        return b.build();
    }

    private java.util.Optional<String> contentType(ServiceRequest request) {
        boolean given = request.headers().keySet().stream().anyMatch(h -> h.equalsIgnoreCase("Content-Type"));
        if (given) {
            return java.util.Optional.empty();
        }
        ServiceRequest.Body body = request.body();
        if (body instanceof ServiceRequest.Body.Json) {
            return java.util.Optional.of("application/json");
        } else if (body instanceof ServiceRequest.Body.Bytes bytes) {
            return java.util.Optional.of(bytes.contentType());
        } else if (body instanceof ServiceRequest.Body.Stream stream) {
            return java.util.Optional.of(stream.contentType());
        }
        return java.util.Optional.empty();
    }

    private HttpRequest.BodyPublisher publisher(ServiceRequest request) {
        ServiceRequest.Body body = request.body();
        if (body instanceof ServiceRequest.Body.Bytes bytes) {
            return HttpRequest.BodyPublishers.ofByteArray(bytes.bytes());
        } else if (body instanceof ServiceRequest.Body.Stream stream) {
            return HttpRequest.BodyPublishers.ofInputStream(stream.open());
        } else if (body instanceof ServiceRequest.Body.Json json) {
            try {
                return HttpRequest.BodyPublishers.ofByteArray(settings.mapper.writeValueAsBytes(json.value()));
            } catch (JsonProcessingException e) {
                throw new JsonBodyException("the body of " + request + " cannot be written as JSON: " + e.getOriginalMessage(), e);
            }
        }
        return HttpRequest.BodyPublishers.noBody();
    }

    private CallContext context(ServiceRequest request) {
        Duration limit = request.timeout() != null ? request.timeout() : settings.timeout;
        CallContext context = request.context().withDeadlineWithin(limit, settings.ticker).with(REQUEST, request);
        return request.isIdempotent() ? context : context.with(NotRepeatable.UNSAFE, Boolean.TRUE);
    }

    /** An attempt's failure, marked not to be sent again when the request is not safe to repeat and may have arrived. */
    private static RuntimeException failure(Throwable error, boolean safe) {
        boolean neverSent = error instanceof ConnectException || error instanceof HttpConnectTimeoutException;
        if (!safe && !neverSent) {
            return new NotRetriedException(error);
        }
        return error instanceof RuntimeException r ? r : new CompletionException(error);
    }

    private static HttpStatusException statusError(HttpResponse<?> response, ServiceRequest request, PoolEndpoint<URI> endpoint,
            byte[] body) {
        return new HttpStatusException(response.statusCode(), request.service(), address(endpoint), request.method(),
                request.path(), response.headers(), body);
    }

    /** The caller's view of the outcome: the failure itself, not the wrappers that steered retry. */
    private <T> CompletableFuture<T> finished(T result, Throwable error, ServiceRequest request) {
        if (error == null) {
            return CompletableFuture.completedFuture(result);
        }
        Throwable cause = Errors.unwrapCompletion(error);
        if ((cause instanceof RetriesExhaustedException || cause instanceof RetryBudgetExhaustedException) && cause.getCause() != null) {
            Throwable retries = cause;
            cause = Errors.unwrapCompletion(cause.getCause()); // the last attempt's error: a status, a timeout, a refusal
            cause.addSuppressed(retries);                         // with the retry's account of the attempts
        }
        if (cause instanceof NotRetriedException notRetried) {
            cause = notRetried.getCause();
        }
        if (cause instanceof java.net.http.HttpTimeoutException && !(cause instanceof HttpConnectTimeoutException)) {
            // The client's own header timeout (attemptTimeout) beat the timeout stage: one kind of error for one limit.
            Duration limit = settings.attemptTimeout != null ? settings.attemptTimeout : settings.timeout;
            cause = new CallTimeoutException("http:" + request.service(), limit.toNanos(), cause);
        }
        if (cause instanceof NoEndpointAvailableException none) {
            cause = new NoInstanceException(request.service(), whyNoInstance(request.service(), none), none);
        }
        return CompletableFuture.failedFuture(cause);
    }

    private String whyNoInstance(String service, NoEndpointAvailableException none) {
        List<ServiceInstance> all = settings.discovery.allInstances(service);
        if (all.isEmpty()) {
            return "none is registered";
        }
        List<ServiceInstance> serving = settings.discovery.instances(service);
        if (serving.isEmpty()) {
            return all.size() + " registered, none serving (unhealthy or draining)";
        }
        long http = serving.stream().filter(ServiceClient::speaksHttp).count();
        if (http == 0) {
            return serving.size() + " serving, none over http or https";
        }
        return none.endpoints().isEmpty() ? "its instances are being added" : "every instance refused: " + String.join(", ", none.endpoints());
    }

    private <T> T read(ServiceResponse response, ServiceRequest request, JavaType type) {
        try {
            return settings.mapper.readValue(response.body(), type);
        } catch (IOException e) {
            String start = new String(response.body(), 0, Math.min(response.body().length, 200), java.nio.charset.StandardCharsets.UTF_8);
            throw new JsonBodyException("the answer to " + request + " from " + response.instance() + " is not JSON of "
                    + type.toCanonical() + ": " + e.getMessage().lines().findFirst().orElse("") + " (body starts: " + start + ")", e);
        }
    }

    // ---------------------------------------------------------------- per service

    private ServicePool pool(String service) {
        ServicePool known = services.get(service);
        return known != null ? known : services.computeIfAbsent(dev.bulwark.discovery.Names.check("service", service), this::newPool);
    }

    private ServicePool newPool(String service) {
        InstanceBulkheads bulkheads = new InstanceBulkheads(service, settings.maxCallsPerInstance);
        ClientPool.Builder<URI> b = ClientPool.<URI>builder("http:" + service)
                .balancer(settings.balancer.create())
                .breaker(settings.instanceBreaker)
                .classifier(HttpStatuses.classifier())
                .ticker(settings.ticker);
        if (retry != null) {
            b.retry(retry);
        }
        if (settings.limiter != null) {
            b.rateLimiter(settings.limiter);
        }
        if (settings.serviceBreakers != null) {
            b.circuitBreaker(settings.serviceBreakers.get("http:" + service));
        }
        b.stage(new NotRepeatable());
        b.stage(bulkheads);
        settings.stages.forEach(b::stage);
        if (settings.attemptTimeout != null) {
            b.timeout(Timeout.of("http:" + service, settings.attemptTimeout));
        } else {
            b.timeout(Timeout.of("http:" + service, settings.timeout)); // bounded by each call's deadline
        }
        ClientPool<URI> pool = b.build();
        DiscoveryPools.Binding binding = DiscoveryPools.bind(pool, settings.discovery, service, ServiceClient::speaksHttp,
                instance -> URI.create(instance.protocol().toLowerCase(Locale.ROOT) + "://" + instance.address()));
        return new ServicePool(service, pool, binding, bulkheads);
    }

    private static boolean speaksHttp(ServiceInstance instance) {
        String p = instance.protocol().toLowerCase(Locale.ROOT);
        return p.equals("http") || p.equals("https");
    }

    private static String address(PoolEndpoint<URI> endpoint) {
        URI base = endpoint.client();
        return base.getHost() + ":" + base.getPort();
    }

    @Override
    public String toString() {
        return "ServiceClient{" + services.keySet() + '}';
    }

    /** Builds a {@link ServiceClient}; every setting is checked when set. */
    public static final class Builder {
        private final ServiceDiscovery discovery;
        private HttpClient http;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration timeout = Duration.ofSeconds(10);
        private Duration attemptTimeout;
        private Strategy balancer = Strategy.PEAK_EWMA;
        private CircuitBreakerConfig instanceBreaker = CircuitBreakerConfig.builder().consecutiveFailures(5)
                .openFor(Duration.ofSeconds(10)).classifier(HttpStatuses.classifier()).build();
        private Retry retry = Retry.builder("http")
                .backoff(Backoff.exponential(Duration.ofMillis(50), 2.0, Duration.ofSeconds(1)).withJitter(Jitter.FULL))
                .budget(RetryBudget.builder().ratio(0.2).minRetriesPerSecond(10).build())
                .build();
        private Duration retryAfterCap = Duration.ofSeconds(30);
        private RateLimiter limiter;
        private PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> serviceBreakers;
        private int maxCallsPerInstance = 100;
        private long maxResponseBytes = 16L << 20;
        private final Map<String, List<String>> headers = new LinkedHashMap<>();
        private ObjectMapper mapper = new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
        private Ticker ticker = Ticker.system();
        private Duration staleFor;
        private long staleEntries = 10_000;
        private final List<Stage> stages = new ArrayList<>();
        private final List<RequestDecorator> decorators = new ArrayList<>();

        private Builder(ServiceDiscovery discovery) {
            this.discovery = discovery;
        }

        /** Sends through this client (its timeouts, proxy, SSLContext, HTTP version, executor); default: a client of its own. */
        public Builder httpClient(HttpClient client) {
            http = Check.notNull("httpClient", client);
            return this;
        }

        /** How long connecting may take, for the client built here (default 5 s). */
        public Builder connectTimeout(Duration limit) {
            connectTimeout = within("connectTimeout", limit, Duration.ofMinutes(10));
            return this;
        }

        /** The whole exchange's default limit, retries and body included (default 10 s); a request may set its own. */
        public Builder timeout(Duration limit) {
            timeout = within("timeout", limit, Duration.ofHours(1));
            return this;
        }

        /** Each attempt's own limit, within the call's (default: none beyond the call's). */
        public Builder attemptTimeout(Duration limit) {
            attemptTimeout = within("attemptTimeout", limit, Duration.ofHours(1));
            return this;
        }

        /** How instances are picked (default peak EWMA). */
        public Builder balancer(Strategy strategy) {
            balancer = Check.notNull("balancer", strategy);
            return this;
        }

        /** Each instance's breaker (default: 5 consecutive failures open it for 10 s); the default classifier becomes the HTTP one. */
        public Builder instanceBreaker(CircuitBreakerConfig config) {
            Check.notNull("instanceBreaker", config);
            instanceBreaker = TransportDefaults.breaker(config, HttpStatuses.classifier());
            return this;
        }

        /**
         * Retries with {@code policy} (default: 3 attempts, exponential backoff from 50 ms with
         * jitter, a budget of 20 % of calls); each retry on an instance not yet tried.
         * {@code Retry-After} is honoured up to 30 s; the default classifier becomes the HTTP one.
         */
        public Builder retry(Retry policy) {
            retry = Check.notNull("retry", policy);
            return this;
        }

        /** No retries. */
        public Builder noRetry() {
            retry = null;
            return this;
        }

        /** The longest {@code Retry-After} a retry waits for (default 30 s). */
        public Builder retryAfterCap(Duration cap) {
            retryAfterCap = within("retryAfterCap", cap, Duration.ofHours(1));
            return this;
        }

        /** Rate limits every attempt of every service. */
        public Builder rateLimiter(RateLimiter rateLimiter) {
            limiter = Check.notNull("rateLimiter", rateLimiter);
            return this;
        }

        /** A breaker per service as well, {@code http:<service>}, from {@code registry} (live config). */
        public Builder serviceBreakers(PolicyRegistry<CircuitBreaker, CircuitBreakerConfig> registry) {
            serviceBreakers = Check.notNull("serviceBreakers", registry);
            return this;
        }

        /** The most calls one instance carries at once (default 100); past it an attempt goes elsewhere. */
        public Builder maxCallsPerInstance(int calls) {
            if (calls < 1 || calls > 100_000) {
                throw new InvalidConfigException("maxCallsPerInstance", calls, "a number in [1, 100000]");
            }
            maxCallsPerInstance = calls;
            return this;
        }

        /** The largest response body read (default 16 MiB); a larger one fails the call. Use {@code stream} for more. */
        public Builder maxResponseBytes(long bytes) {
            if (bytes < 1 || bytes > Integer.MAX_VALUE - 8) {
                throw new InvalidConfigException("maxResponseBytes", bytes, "a number in [1, " + (Integer.MAX_VALUE - 8) + "]");
            }
            maxResponseBytes = bytes;
            return this;
        }

        /** A header every request carries. */
        public Builder header(String name, String value) {
            ServiceRequest.get("probe", "/").header(name, value); // the same checks as a request's
            headers.computeIfAbsent(name, n -> new ArrayList<>()).add(value);
            return this;
        }

        /** Writes and reads JSON bodies (default: Jackson, unknown properties ignored). */
        public Builder mapper(ObjectMapper objectMapper) {
            mapper = Check.notNull("mapper", objectMapper);
            return this;
        }

        /** Times calls for statistics, breakers and deadlines (default: the system ticker). */
        public Builder ticker(Ticker source) {
            ticker = Check.notNull("ticker", source);
            return this;
        }

        /** Serves a GET's last good answer (up to {@code maxStaleness} old) when a later one fails. */
        public Builder staleCache(Duration maxStaleness, long maxEntries) {
            staleFor = within("staleCache.maxStaleness", maxStaleness, Duration.ofDays(7));
            if (maxEntries < 1) {
                throw new InvalidConfigException("staleCache.maxEntries", maxEntries, "a number >= 1");
            }
            staleEntries = maxEntries;
            return this;
        }

        /** Adds to each attempt's request what its call's context knows (a trace's {@code traceparent}). */
        public Builder requestDecorator(RequestDecorator decorator) {
            decorators.add(Check.notNull("requestDecorator", decorator));
            return this;
        }

        /**
         * Adds a stage of your own after the pick: it runs per attempt and knows the instance. A
         * trace stage alone goes outermost, around every attempt.
         */
        public Builder stage(Stage stage) {
            stages.add(Check.notNull("stage", stage));
            return this;
        }

        public ServiceClient build() {
            if (attemptTimeout != null && attemptTimeout.compareTo(timeout) > 0) {
                throw new InvalidConfigException("attemptTimeout", attemptTimeout, "at most timeout (" + timeout
                        + "): an attempt never outlasts its call");
            }
            return new ServiceClient(this);
        }

        private static Duration within(String field, Duration value, Duration max) {
            if (value == null || value.isNegative() || value.isZero() || value.compareTo(max) > 0) {
                throw new InvalidConfigException(field, value, "a duration in (0, " + max + "]");
            }
            return value;
        }
    }
}
