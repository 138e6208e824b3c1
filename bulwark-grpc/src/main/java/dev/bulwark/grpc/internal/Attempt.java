package dev.bulwark.grpc.internal;

import dev.bulwark.FailureClassifier;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.time.Ticker;
import io.grpc.CallOptions;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One attempt of a call, as the balancer's picker and the call see it. The picker records where it
 * sent the attempt ({@link #picked}); the call reports how it ended ({@link #finished}), which
 * feeds that endpoint's statistics and breaker. A pick replaced by another (grpc-java picks again
 * when a connection fails under a buffered call) gives its permit back; a pick after the end is
 * given back at once: every permit is settled exactly once.
 */
final class Attempt {
    /** How the call hands its attempt to the picker. */
    static final CallOptions.Key<Attempt> KEY = CallOptions.Key.create("bulwark.attempt");

    /** Where an attempt went, and when. */
    private record Pick(SubchannelEndpoint endpoint, Connection connection, long permit, long startNanos) {
    }

    private static final Pick ENDED = new Pick(null, null, CircuitBreaker.NO_PERMIT, 0);

    final TriedEndpoints call;
    private final Ticker ticker;
    private final FailureClassifier classifier;
    private final AtomicReference<Pick> pick = new AtomicReference<>();

    Attempt(TriedEndpoints call, Ticker ticker, FailureClassifier classifier) {
        this.call = call;
        this.ticker = ticker;
        this.classifier = classifier;
    }

    /** The picker sent this attempt to {@code endpoint} over {@code connection}, holding {@code permit}. */
    void picked(SubchannelEndpoint endpoint, Connection connection, long permit) {
        endpoint.stats().started();
        connection.inFlight.incrementAndGet();
        call.add(endpoint);
        Pick now = new Pick(endpoint, connection, permit, ticker.read());
        Pick before;
        do {
            before = pick.get();
            if (before == ENDED) {
                abandon(now); // the attempt had already ended: nothing was sent
                return;
            }
        } while (!pick.compareAndSet(before, now));
        if (before != null) {
            abandon(before);
        }
    }

    /** The attempt ended with {@code status}; settles its pick, if it had one. */
    void finished(Status status, Metadata trailers) {
        Pick p = pick.getAndSet(ENDED);
        if (p == null || p == ENDED) {
            return;
        }
        long now = ticker.read();
        long nanos = now - p.startNanos;
        p.connection.inFlight.decrementAndGet();
        p.connection.lastUsedNanos = now;
        Throwable error = status.isOk() ? null : status.asRuntimeException(trailers);
        CircuitBreaker breaker = p.endpoint.breaker();
        boolean success;
        if (breaker != null && p.permit != CircuitBreaker.NO_PERMIT) {
            success = !breaker.onResult(p.permit, nanos, null, error).isFailure();
        } else {
            success = error == null || !classifier.classifyError(error).isFailure();
        }
        p.endpoint.stats().finished(nanos, success, now);
    }

    /** The endpoint the attempt went to, or {@code null}. */
    SubchannelEndpoint endpoint() {
        Pick p = pick.get();
        return p == null || p == ENDED ? null : p.endpoint;
    }

    private static void abandon(Pick p) {
        p.connection.inFlight.decrementAndGet();
        p.endpoint.stats().abandoned();
        if (p.permit != CircuitBreaker.NO_PERMIT && p.endpoint.breaker() != null) {
            p.endpoint.breaker().release(p.permit);
        }
    }
}
