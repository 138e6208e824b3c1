package dev.bulwark.grpc;

import dev.bulwark.CallContext;
import dev.bulwark.internal.Check;
import dev.bulwark.time.Ticker;
import io.grpc.Context;
import io.grpc.Deadline;
import java.util.concurrent.TimeUnit;

/**
 * Carries a call's deadline and attributes between Bulwark's {@link CallContext} and gRPC's
 * {@link Context}, both ways:
 *
 * <ul>
 * <li>On a server, {@link #current()} turns the incoming call's deadline into a {@code CallContext},
 *     so the handler's own protected calls (a pipeline, an HTTP call) stop at the caller's deadline.
 * <li>On a client, {@link #attach(CallContext)} makes a gRPC context from which Bulwark channels
 *     take the deadline (the earlier of it and the call's own) and the attributes (a consistent-hash
 *     key for the balancer); {@link #deadline(CallContext)} gives the deadline for a plain stub.
 * </ul>
 *
 * <pre>{@code
 * CallContext ctx = CallContext.withDeadline(Duration.ofMillis(300), Ticker.system())
 *         .with(LoadBalancers.HASH_KEY, userId);
 * EchoGrpc.EchoBlockingStub stub = EchoGrpc.newBlockingStub(channel);   // your generated stub
 * EchoReply reply = GrpcContexts.attach(ctx).call(() -> stub.unary(EchoRequest.newBuilder().setMessage("hi").build()));
 * }</pre>
 */
public final class GrpcContexts {
    private static final Context.Key<CallContext> KEY = Context.key("bulwark.callContext");

    private GrpcContexts() {
    }

    /**
     * The current gRPC context's deadline and attached attributes as a {@code CallContext}:
     * {@link CallContext#none()} when it has neither.
     */
    public static CallContext current() {
        return of(Context.current());
    }

    /** {@code context}'s deadline and attached attributes as a {@code CallContext}. */
    public static CallContext of(Context context) {
        CallContext attached = KEY.get(Check.notNull("context", context));
        CallContext base = attached == null ? CallContext.none() : attached;
        Deadline deadline = context.getDeadline();
        if (deadline == null) {
            return base;
        }
        Ticker ticker = Ticker.system();
        long grpcDeadline = ticker.read() + deadline.timeRemaining(TimeUnit.NANOSECONDS);
        if (base.hasDeadline() && base.deadlineNanos(ticker) - grpcDeadline <= 0) {
            return base;
        }
        return base.withDeadlineAt(grpcDeadline, ticker);
    }

    /**
     * The current gRPC context with {@code callContext} attached: run a call in it
     * ({@code attach(ctx).call(...)}, {@code .run(...)}, {@code .wrap(...)}) and Bulwark channels
     * honour its deadline and attributes.
     */
    public static Context attach(CallContext callContext) {
        return Context.current().withValue(KEY, Check.notNull("callContext", callContext));
    }

    /** {@code callContext}'s deadline as a gRPC {@link Deadline}, or {@code null} when it has none. */
    public static Deadline deadline(CallContext callContext) {
        if (!Check.notNull("callContext", callContext).hasDeadline()) {
            return null;
        }
        return Deadline.after(Math.max(0, callContext.remainingNanos()), TimeUnit.NANOSECONDS);
    }
}
