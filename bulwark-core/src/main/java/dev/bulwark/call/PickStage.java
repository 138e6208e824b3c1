package dev.bulwark.call;

import dev.bulwark.CallContext;
import dev.bulwark.Verdict;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.EndpointSet;
import dev.bulwark.balance.Exclusion;
import dev.bulwark.balance.LoadBalancer;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.internal.Futures;
import dev.bulwark.time.Ticker;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A pool's pick: the balancer chooses an endpoint the call has not tried yet, the endpoint's
 * breaker admits the attempt (or the next candidate is asked), the endpoint's statistics count it
 * in flight, and its outcome is judged once, for the breaker and the statistics alike. Failing
 * over is the retry stage proceeding again: the endpoints already tried are passed over while any
 * other will do.
 */
final class PickStage<C> implements Stage, BuiltIn {
    /** Balancer picks before scanning every endpoint. */
    private static final int PICKS = 3;
    /** Fresh snapshots looked at when the membership changed while a pick went on. */
    private static final int ROUNDS = 8;

    private final ClientPool<C> pool;
    private final LoadBalancer balancer;
    private final boolean panicMode;
    private final Ticker ticker;
    private final Map<String, LoadBalancer> perCall = new ConcurrentHashMap<>();
    private final AtomicInteger panicTurn = new AtomicInteger();

    PickStage(ClientPool<C> pool, LoadBalancer balancer, boolean panicMode, Ticker ticker) {
        this.pool = pool;
        this.balancer = balancer;
        this.panicMode = panicMode;
        this.ticker = ticker;
    }

    @Override
    public Object call(Invocation invocation) throws Exception {
        return call((Frame) invocation, null);
    }

    /** One attempt on a picked endpoint; {@code next} null: proceed from the frame's own position. */
    private Object call(Frame frame, Link next) throws Exception {
        PoolEndpoint<C> endpoint = admit(frame.context(), frame.state, frame.slot);
        long permit = frame.slot.permit;
        frame.state.tried(endpoint);
        Endpoint outer = frame.endpoint;
        frame.endpoint = endpoint;
        long start = ticker.read();
        Object result;
        try {
            result = next == null ? frame.proceed() : next.call(frame);
        } catch (Throwable error) {
            judge(endpoint, permit, start, null, error);
            throw error;
        } finally {
            frame.endpoint = outer;
        }
        judge(endpoint, permit, start, result, null);
        return result;
    }

    @Override
    public Link link(int index, Link next) {
        return new Link(index) {
            @Override
            Object call(Frame frame) throws Exception {
                return PickStage.this.call(frame, next);
            }
        };
    }

    @Override
    public CompletableFuture<Object> callAsync(Invocation invocation) {
        AsyncInvocation call = (AsyncInvocation) invocation;
        PermitSlot slot = new PermitSlot();
        PoolEndpoint<C> endpoint;
        try {
            endpoint = admit(call.context(), call.state, slot);
        } catch (Throwable e) {
            return CompletableFuture.failedFuture(e);
        }
        long permit = slot.permit;
        call.state.tried(endpoint);
        long start = ticker.read();
        CompletableFuture<Object> inner = call.withEndpoint(endpoint).proceedAsync();
        CompletableFuture<Object> result = Futures.dependent(inner);
        inner.whenComplete((value, failure) -> {
            if (result.isCancelled()) {
                abandon(endpoint, permit); // the caller gave up: no verdict on the endpoint
                return;
            }
            Throwable error = Futures.unwrap(failure);
            try {
                judge(endpoint, permit, start, value, error);
            } catch (Throwable judging) {
                result.completeExceptionally(judging);
                return;
            }
            Futures.complete(result, value, error);
        });
        return result;
    }

    /** Judges one attempt once, for the endpoint's breaker and statistics; a throwing classifier abandons it. */
    private void judge(PoolEndpoint<C> endpoint, long permit, long start, Object result, Throwable error) {
        long now = ticker.read();
        long duration = now - start;
        Verdict verdict;
        try {
            verdict = endpoint.breaker().onResult(permit, duration, result, error);
        } catch (RuntimeException | Error judging) {
            endpoint.stats().abandoned(); // the breaker released its permit
            pool.afterCall(endpoint);
            throw judging;
        }
        if (verdict == Verdict.IGNORED) {
            endpoint.stats().abandoned();
        } else {
            endpoint.stats().finished(duration, !verdict.isFailure(), now);
        }
        pool.afterCall(endpoint);
    }

    private void abandon(PoolEndpoint<C> endpoint, long permit) {
        endpoint.breaker().release(permit);
        endpoint.stats().abandoned();
        pool.afterCall(endpoint);
    }

    /**
     * Chooses and admits an endpoint, leaving its permit in {@code slot}: the balancer's picks
     * first, then any endpoint not yet tried that admits the call, then one already tried. If the
     * membership changed meanwhile (the endpoints seen were replaced), looks again at the new one,
     * so a call never fails for want of endpoints while the pool has live ones.
     *
     * @throws NoEndpointAvailableException if none admits the call (and panic mode is off)
     */
    @SuppressWarnings("unchecked")
    private PoolEndpoint<C> admit(CallContext context, Exclusion tried, PermitSlot slot) {
        LoadBalancer chooser = balancerFor(context);
        EndpointSet<PoolEndpoint<C>> snapshot = pool.snapshot();
        for (int round = 0; round < ROUNDS; round++) {
            for (int pick = 0; pick < PICKS; pick++) {
                PoolEndpoint<C> e = (PoolEndpoint<C>) chooser.pick(snapshot, context, tried);
                if (e == null) {
                    break;
                }
                if (admitted(e, slot)) {
                    return e;
                }
            }
            // The balancer found nothing, or lost races for what it chose: any endpoint that
            // admits the call will do, those already tried last.
            for (PoolEndpoint<C> e : snapshot.asList()) {
                if (e.isAvailable() && !tried.excludes(e) && admitted(e, slot)) {
                    return e;
                }
            }
            for (PoolEndpoint<C> e : snapshot.asList()) {
                if (e.isAvailable() && tried.excludes(e) && admitted(e, slot)) {
                    return e;
                }
            }
            EndpointSet<PoolEndpoint<C>> latest = pool.snapshot();
            if (latest == snapshot) {
                break;
            }
            snapshot = latest;
        }
        if (panicMode && !snapshot.isEmpty()) {
            for (int i = 0; i < snapshot.size(); i++) {
                PoolEndpoint<C> e = snapshot.get(Math.floorMod(panicTurn.getAndIncrement(), snapshot.size()));
                if (!e.isRemoved()) {
                    e.stats().started();
                    if (!e.isRemoved()) {
                        slot.permit = CircuitBreaker.NO_PERMIT; // past the breaker: nothing to report to it
                        return e;
                    }
                    e.stats().abandoned();
                    pool.afterCall(e);
                }
            }
        }
        List<String> states = new ArrayList<>();
        for (PoolEndpoint<C> e : snapshot.asList()) {
            states.add(e.describe());
        }
        throw new NoEndpointAvailableException(pool.name(), states);
    }

    /**
     * Admits the call to {@code e} if its breaker allows and it is still in the pool. Counting the
     * call in flight before reading the removed flag (and removal setting the flag before reading
     * the count) makes sure no call is admitted once a removal has returned.
     */
    private boolean admitted(PoolEndpoint<C> e, PermitSlot slot) {
        long permit = e.breaker().tryAcquirePermission();
        if (permit == CircuitBreaker.NO_PERMIT) {
            return false;
        }
        e.stats().started();
        if (e.isRemoved()) {
            e.stats().abandoned();
            e.breaker().release(permit);
            pool.afterCall(e);
            return false;
        }
        slot.permit = permit;
        return true;
    }

    private LoadBalancer balancerFor(CallContext context) {
        String name = context.get(ClientPool.BALANCER);
        return name == null ? balancer : perCall.computeIfAbsent(name, LoadBalancers::create);
    }

    @Override
    public StageKind kind() {
        return StageKind.PICK;
    }

    @Override
    public String name() {
        return "pick of pool '" + pool.name() + "' (" + balancer + ")";
    }
}
