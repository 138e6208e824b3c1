package dev.bulwark.grpc.internal;

import dev.bulwark.CallContext;
import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.Exclusion;
import java.util.Arrays;

/**
 * What the balancer needs to know of one call across its attempts: the call's context (a hash key
 * lives there) and the endpoints its attempts were sent to, which a retry passes over while an
 * untried endpoint is available. Attempts follow one another, so additions never race; the array
 * is replaced, never changed, so a picker on another thread reads a consistent one.
 */
final class TriedEndpoints implements Exclusion {
    private static final Endpoint[] NONE = new Endpoint[0];

    final CallContext context;
    private volatile Endpoint[] tried = NONE;

    TriedEndpoints(CallContext context) {
        this.context = context;
    }

    void add(Endpoint endpoint) {
        Endpoint[] now = tried;
        for (Endpoint e : now) {
            if (e == endpoint) {
                return;
            }
        }
        Endpoint[] next = Arrays.copyOf(now, now.length + 1);
        next[now.length] = endpoint;
        tried = next;
    }

    @Override
    public boolean excludes(Endpoint endpoint) {
        for (Endpoint e : tried) {
            if (e == endpoint) {
                return true;
            }
        }
        return false;
    }

    int count() {
        return tried.length;
    }
}
