package dev.bulwark.opentelemetry;

import dev.bulwark.grpc.test.EchoGrpc;
import dev.bulwark.grpc.test.EchoReply;
import dev.bulwark.grpc.test.EchoRequest;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ServerServiceDefinition;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;

/** A server's echo service that answers by calling the next server's: a call that crosses two servers. */
final class ForwardingEchoService implements EchoGrpc.AsyncService, BindableService {
    private final EchoGrpc.EchoBlockingStub next;

    ForwardingEchoService(Channel toNext) {
        this.next = EchoGrpc.newBlockingStub(toNext);
    }

    @Override
    public void unary(EchoRequest request, StreamObserver<EchoReply> replies) {
        EchoReply fromNext = next.withDeadlineAfter(5, TimeUnit.SECONDS).unary(request);
        replies.onNext(fromNext.toBuilder().setMessage("via a: " + fromNext.getMessage()).build());
        replies.onCompleted();
    }

    @Override
    public ServerServiceDefinition bindService() {
        return EchoGrpc.bindService(this);
    }
}
