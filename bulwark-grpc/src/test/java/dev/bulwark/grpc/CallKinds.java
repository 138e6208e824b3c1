package dev.bulwark.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import dev.bulwark.grpc.test.TestEchoService;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/** The four call kinds, with metadata, statuses, deadlines and cancellation, over any channel to one echo server. */
final class CallKinds {
    static final Metadata.Key<String> TENANT = Metadata.Key.of("x-tenant", Metadata.ASCII_STRING_MARSHALLER);
    static final Metadata.Key<String> FAILED_BY = Metadata.Key.of("x-failed-by", Metadata.ASCII_STRING_MARSHALLER);

    private CallKinds() {
    }

    static EchoRequest ask(String message) {
        return EchoRequest.newBuilder().setMessage(message).build();
    }

    /** Every check below, against {@code channel} whose only server is {@code server}. */
    static void allWork(Channel channel, TestEchoService server) throws Exception {
        Metadata headers = new Metadata();
        headers.put(TENANT, "acme");
        EchoGrpc.EchoBlockingStub blocking = EchoGrpc.newBlockingStub(channel)
                .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
        EchoGrpc.EchoStub async = EchoGrpc.newStub(channel);

        EchoReply unary = blocking.withDeadlineAfter(5, TimeUnit.SECONDS).unary(ask("hello"));
        assertThat(unary.getMessage()).isEqualTo("hello");
        assertThat(unary.getServer()).isEqualTo(server.name());
        assertThat(unary.getHeadersList()).as("metadata arrives; the server sees the deadline")
                .contains("x-tenant=acme").anyMatch(h -> h.startsWith("deadline-ms=") && Long.parseLong(h.substring(12)) <= 5000);

        assertThatThrownBy(() -> blocking.unary(ask("bad").toBuilder().setFailCode(Status.Code.INVALID_ARGUMENT.value()).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
                    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                    assertThat(e.getStatus().getDescription()).isEqualTo(server.name() + " failed as asked");
                    assertThat(e.getTrailers().get(FAILED_BY)).as("trailers arrive").isEqualTo("echo");
                });

        List<String> streamed = new ArrayList<>();
        Iterator<EchoReply> replies = blocking.serverStream(ask("tick").toBuilder().setReplies(3).build());
        replies.forEachRemaining(r -> streamed.add(r.getMessage()));
        assertThat(streamed).containsExactly("tick 0", "tick 1", "tick 2");

        Collector clientStreamed = new Collector();
        StreamObserver<EchoRequest> requests = async.clientStream(clientStreamed);
        for (String m : List.of("a", "b", "c")) {
            requests.onNext(ask(m));
        }
        requests.onCompleted();
        assertThat(clientStreamed.done.get(5, TimeUnit.SECONDS)).extracting(EchoReply::getMessage).containsExactly("a,b,c");

        Collector bidiReplies = new Collector();
        StreamObserver<EchoRequest> bidi = async.bidi(bidiReplies);
        for (String m : List.of("x", "y", "z")) {
            bidi.onNext(ask(m));
        }
        bidi.onCompleted();
        assertThat(bidiReplies.done.get(5, TimeUnit.SECONDS)).extracting(EchoReply::getMessage).containsExactly("x", "y", "z");

        int cancelledBefore = server.cancelled();
        long start = System.nanoTime();
        assertThatThrownBy(() -> blocking.withDeadlineAfter(150, TimeUnit.MILLISECONDS).unary(ask("slow").toBuilder().setDelayMs(3000).build()))
                .isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("the deadline cut the call short").isLessThan(Duration.ofSeconds(2));
        await().atMost(Duration.ofSeconds(5)).until(() -> server.cancelled() > cancelledBefore);

        int cancelledAfterDeadline = server.cancelled();
        Context.CancellableContext cancellable = Context.current().withCancellation();
        Collector cancelled = new Collector();
        cancellable.run(() -> async.serverStream(ask("long").toBuilder().setReplies(100).setDelayMs(50).build(), cancelled));
        await().atMost(Duration.ofSeconds(5)).until(() -> !cancelled.received.isEmpty());
        cancellable.cancel(new IllegalStateException("caller gave up"));
        assertThatThrownBy(() -> cancelled.done.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(StatusRuntimeException.class)
                .cause().satisfies(e -> assertThat(Status.fromThrowable(e).getCode()).isEqualTo(Status.Code.CANCELLED));
        await("the server saw the cancellation").atMost(Duration.ofSeconds(5))
                .until(() -> server.cancelled() > cancelledAfterDeadline);
    }

    /** Collects a stream's replies. */
    static final class Collector implements StreamObserver<EchoReply> {
        final List<EchoReply> received = new CopyOnWriteArrayList<>();
        final CompletableFuture<List<EchoReply>> done = new CompletableFuture<>();

        @Override
        public void onNext(EchoReply value) {
            received.add(value);
        }

        @Override
        public void onError(Throwable t) {
            done.completeExceptionally(t);
        }

        @Override
        public void onCompleted() {
            done.complete(List.copyOf(received));
        }
    }
}
