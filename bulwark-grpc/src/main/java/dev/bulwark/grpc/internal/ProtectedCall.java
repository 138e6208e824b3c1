package dev.bulwark.grpc.internal;

import com.google.protobuf.MessageLite;
import dev.bulwark.CallContext;
import dev.bulwark.FailureClassifier;
import dev.bulwark.balance.LoadBalancers;
import dev.bulwark.grpc.GrpcContexts;
import dev.bulwark.grpc.GrpcStatuses;
import dev.bulwark.time.Ticker;
import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.ClientCall;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One call on a Bulwark channel, of any of the four kinds, run through its method's chain: each
 * attempt the chain makes is a grpc-java call on the channel underneath, whose picker sends it to
 * an endpoint this call has not tried yet when there is one.
 *
 * <p>Until the call <em>commits</em> it keeps what the caller sent, so a retry can send it again,
 * and holds back what came in: the reply headers, and a single-reply method's reply until its
 * status. A call commits when its first message of a stream reaches the caller, when it has kept
 * more than the retry buffer allows, or at once when its method does not retry; after that a
 * failure is final. The caller's listener hears exactly one outcome, on the call's executor.
 *
 * <p>grpc-java calls a {@code ClientCall}'s methods from one thread at a time, and its listener's on
 * another; the little state both touch is guarded by this call's monitor, held only for bookkeeping,
 * never while the caller's listener runs.
 */
final class ProtectedCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {
    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions callOptions;
    private final Channel next;
    private final MethodPolicy policy;
    private final CallPolicies policies;
    private final Ticker ticker;
    private final FailureClassifier classifier;
    private final Executor executor;
    private final Metadata.Key<String> hashKey;
    private final boolean singleReply;
    /** The caller's gRPC context: every attempt runs in it, so its cancellation reaches them all. */
    private final Context callerContext = Context.current();

    // Guarded by this.
    private Listener<RespT> listener;
    private Metadata headers;
    private TriedEndpoints tried;
    private Deadline deadline;
    private final List<ReqT> sent = new ArrayList<>();
    private long sentBytes;
    private int requested;
    private boolean halfClosed;
    private Boolean compression;
    private boolean committed;
    private boolean closed;
    private int attempts;
    private Status cancelled;
    private AttemptCall current;
    private CompletableFuture<Object> outcome;
    /** The thread running an attempt's callback now: what is delivered there runs in place. */
    private volatile Thread callbackThread;
    private final SerialDelivery delivery;
    private final Context.CancellationListener callerGaveUp = context -> cancel("the caller's context was cancelled",
            context.cancellationCause());

    ProtectedCall(MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next, MethodPolicy policy,
            CallPolicies policies, Ticker ticker, FailureClassifier classifier, Executor channelExecutor,
            Metadata.Key<String> hashKey) {
        this.method = method;
        this.callOptions = callOptions;
        this.next = next;
        this.policy = policy;
        this.policies = policies;
        this.ticker = ticker;
        this.classifier = classifier;
        this.executor = callOptions.getExecutor() != null ? callOptions.getExecutor() : channelExecutor;
        this.delivery = new SerialDelivery(executor);
        this.hashKey = hashKey;
        MethodDescriptor.MethodType type = method.getType();
        this.singleReply = type == MethodDescriptor.MethodType.UNARY || type == MethodDescriptor.MethodType.CLIENT_STREAMING;
    }

    @Override
    public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
        CallContext context = context(requestHeaders);
        CompletableFuture<Object> result;
        synchronized (this) {
            if (listener != null) {
                throw new IllegalStateException("a call starts once");
            }
            listener = responseListener;
            headers = requestHeaders;
            tried = new TriedEndpoints(context);
            deadline = earliest(callOptions.getDeadline(), GrpcContexts.deadline(context));
        }
        // A caller that gives up between attempts (during a backoff) is heard at once, not at the next attempt.
        callerContext.addListener(callerGaveUp, Runnable::run);
        result = policy.pipeline() == null ? attempt() : policy.pipeline().callAsync(context, this::attempt);
        synchronized (this) {
            outcome = result;
        }
        result.whenComplete(this::finish);
    }

    private CallContext context(Metadata requestHeaders) {
        CallContext context = GrpcContexts.current();
        Deadline own = callOptions.getDeadline();
        if (own != null) {
            long at = ticker.read() + own.timeRemaining(TimeUnit.NANOSECONDS);
            if (!context.hasDeadline() || at - context.deadlineNanos(ticker) < 0) {
                context = context.withDeadlineAt(at, ticker);
            }
        }
        if (hashKey != null) {
            String key = requestHeaders.get(hashKey);
            if (key != null) {
                context = context.with(LoadBalancers.HASH_KEY, key);
            }
        }
        return context;
    }

    /** Starts one attempt and replays what the caller has sent so far; completes when the attempt ends. */
    private CompletableFuture<Object> attempt() {
        AttemptCall attempt;
        synchronized (this) {
            if (closed || cancelled != null) {
                CompletableFuture<Object> gone = new CompletableFuture<>();
                gone.completeExceptionally((cancelled != null ? cancelled : Status.CANCELLED).asRuntimeException());
                return gone;
            }
            Attempt picks = new Attempt(tried, ticker, classifier);
            CallOptions options = callOptions.withOption(Attempt.KEY, picks);
            Deadline attemptDeadline = deadline;
            if (policies.attemptTimeout() != null) {
                attemptDeadline = earliest(attemptDeadline, Deadline.after(policies.attemptTimeout().toNanos(), TimeUnit.NANOSECONDS));
            }
            if (attemptDeadline != null) {
                options = options.withDeadline(attemptDeadline);
            }
            Metadata attemptHeaders = headers;
            if (attempts++ > 0) {
                // grpc-java adjusts the headers a call starts with; a later attempt gets a copy of the caller's.
                attemptHeaders = new Metadata();
                attemptHeaders.merge(headers);
            }
            Context previous = callerContext.attach();
            try {
                attempt = new AttemptCall(next.newCall(method, options), picks);
                current = attempt;
                attempt.call.start(attempt, attemptHeaders);
            } finally {
                callerContext.detach(previous);
            }
            if (compression != null) {
                attempt.call.setMessageCompression(compression);
            }
            if (requested > 0) {
                attempt.call.request(requested);
            }
            for (ReqT message : sent) {
                attempt.call.sendMessage(message);
            }
            if (halfClosed) {
                attempt.call.halfClose();
            }
            if (!policy.retries()) {
                commit();
            }
        }
        return attempt.done;
    }

    /** No more attempts: forget what was kept for them. */
    private void commit() {
        committed = true;
        sent.clear();
        sentBytes = 0;
    }

    @Override
    public void request(int numMessages) {
        ClientCall<ReqT, RespT> call;
        synchronized (this) {
            requested = (int) Math.min(Integer.MAX_VALUE, (long) requested + numMessages);
            call = current == null ? null : current.call;
        }
        if (call != null) {
            call.request(numMessages);
        }
    }

    @Override
    public void sendMessage(ReqT message) {
        ClientCall<ReqT, RespT> call;
        synchronized (this) {
            if (!committed) {
                sent.add(message);
                sentBytes += message instanceof MessageLite m ? m.getSerializedSize() : 1024;
                if (sentBytes > policies.retryBufferBytes() && current != null) {
                    commit(); // too much to keep: this attempt is the last
                }
            }
            call = current == null ? null : current.call;
        }
        if (call != null) {
            call.sendMessage(message);
        }
    }

    @Override
    public void halfClose() {
        ClientCall<ReqT, RespT> call;
        synchronized (this) {
            halfClosed = true;
            call = current == null ? null : current.call;
        }
        if (call != null) {
            call.halfClose();
        }
    }

    @Override
    public void cancel(String message, Throwable cause) {
        ClientCall<ReqT, RespT> call;
        CompletableFuture<Object> result;
        synchronized (this) {
            if (cancelled != null || closed) {
                return;
            }
            Status status = Status.CANCELLED;
            if (message != null) {
                status = status.withDescription(message);
            }
            cancelled = cause != null ? status.withCause(cause) : status;
            call = current == null ? null : current.call;
            result = outcome;
        }
        if (call != null) {
            call.cancel(message, cause);
        }
        if (result != null) {
            result.cancel(false); // stops a retry waiting out its backoff
        }
    }

    @Override
    public boolean isReady() {
        synchronized (this) {
            return current != null && current.call.isReady();
        }
    }

    @Override
    public void setMessageCompression(boolean enabled) {
        ClientCall<ReqT, RespT> call;
        synchronized (this) {
            compression = enabled;
            call = current == null ? null : current.call;
        }
        if (call != null) {
            call.setMessageCompression(enabled);
        }
    }

    @Override
    public Attributes getAttributes() {
        synchronized (this) {
            return current == null ? Attributes.EMPTY : current.call.getAttributes();
        }
    }

    /** The chain's outcome: deliver the call's end to the caller, exactly once. */
    private void finish(Object result, Throwable error) {
        ClientCall<ReqT, RespT> open;
        Status status;
        Metadata trailers;
        Metadata replyHeaders = null;
        RespT reply = null;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            open = current == null ? null : current.call;
            current = null;
            if (cancelled != null) {
                status = cancelled;
                trailers = new Metadata();
            } else if (error == null && result instanceof ProtectedCall<?, ?>.AttemptCall) {
                @SuppressWarnings("unchecked")
                AttemptCall done = (AttemptCall) result;
                status = Status.OK;
                trailers = done.trailers;
                replyHeaders = done.heldHeaders;
                reply = done.heldReply;
            } else if (error == null) {
                status = Status.INTERNAL.withDescription("a stage of " + method.getFullMethodName()
                        + " answered in place of the call (" + result + "): gRPC calls take no substitute answers");
                trailers = new Metadata();
            } else {
                status = GrpcStatuses.toStatus(error);
                Metadata carried = GrpcStatuses.trailersOf(error);
                trailers = carried != null ? carried : new Metadata();
            }
        }
        Metadata h = replyHeaders;
        RespT r = reply;
        callerContext.removeListener(callerGaveUp);
        if (open != null) {
            open.cancel("the call ended: " + status.getCode(), null); // a chain's timeout or cancel reaches the wire
        }
        delivery.close(() -> {
            if (h != null) {
                listener.onHeaders(h);
            }
            if (r != null) {
                listener.onMessage(r);
            }
            listener.onClose(status, trailers);
        }, onCallbackThread());
    }

    private boolean onCallbackThread() {
        return callbackThread == Thread.currentThread();
    }

    private boolean cancelledByCaller() {
        synchronized (this) {
            if (cancelled != null) {
                return true;
            }
        }
        return callerContext.isCancelled();
    }

    private static Deadline earliest(Deadline a, Deadline b) {
        return a == null ? b : b == null ? a : a.minimum(b);
    }

    /** One attempt: a grpc-java call and what the caller has not been shown of it yet. */
    private final class AttemptCall extends Listener<RespT> {
        final ClientCall<ReqT, RespT> call;
        final Attempt picks;
        final CompletableFuture<Object> done = new CompletableFuture<>();
        Metadata heldHeaders;
        RespT heldReply;
        Metadata trailers;

        AttemptCall(ClientCall<ReqT, RespT> call, Attempt picks) {
            this.call = call;
            this.picks = picks;
            // The chain gave up on this attempt (a timeout stage, the call's cancel): end it on the wire too.
            done.whenComplete((r, e) -> {
                if (done.isCancelled()) {
                    call.cancel("the attempt was cancelled by the call's chain", null);
                }
            });
        }

        @Override
        public void onHeaders(Metadata replyHeaders) {
            boolean show;
            synchronized (ProtectedCall.this) {
                show = committed && current == this && !singleReply;
                if (!show) {
                    heldHeaders = replyHeaders;
                }
            }
            if (show) {
                deliver(() -> listener.onHeaders(replyHeaders));
            }
        }

        @Override
        public void onMessage(RespT message) {
            Metadata headersFirst;
            synchronized (ProtectedCall.this) {
                if (singleReply || current != this) {
                    heldReply = message; // shown with the status, once the attempt has succeeded
                    return;
                }
                commit(); // a stream's first reply reaches the caller: no retry after this
                headersFirst = heldHeaders;
                heldHeaders = null;
            }
            deliver(() -> {
                if (headersFirst != null) {
                    listener.onHeaders(headersFirst);
                }
                listener.onMessage(message);
            });
        }

        @Override
        public void onReady() {
            boolean mine;
            synchronized (ProtectedCall.this) {
                mine = current == this;
            }
            if (mine) {
                deliver(listener::onReady);
            }
        }

        /** Delivers on this attempt's callback thread, in order with everything else the call delivers. */
        private void deliver(Runnable callback) {
            callbackThread = Thread.currentThread();
            try {
                delivery.deliver(callback, true);
            } finally {
                callbackThread = null;
            }
        }

        @Override
        public void onClose(Status status, Metadata closingTrailers) {
            boolean remoteCancel = status.getCode() == Status.Code.CANCELLED && !cancelledByCaller();
            // The endpoint's statistics and breaker learn first; a cancellation it caused counts as unavailability.
            picks.finished(remoteCancel ? Status.UNAVAILABLE.withDescription(status.getDescription()) : status, closingTrailers);
            boolean wasCommitted;
            synchronized (ProtectedCall.this) {
                if (current == this) {
                    current = null;
                }
                wasCommitted = committed && policy.retries();
            }
            trailers = closingTrailers;
            callbackThread = Thread.currentThread(); // an outcome reached from here is delivered in place
            try {
                if (status.isOk()) {
                    done.complete(this);
                } else {
                    StatusRuntimeException failure = status.asRuntimeException(closingTrailers);
                    RuntimeException outcome = failure;
                    if (wasCommitted) {
                        outcome = new CommittedCallException(failure);
                    } else if (remoteCancel) {
                        outcome = new RemoteCancellationException(failure);
                    }
                    done.completeExceptionally(outcome);
                }
            } finally {
                callbackThread = null;
            }
        }
    }
}
