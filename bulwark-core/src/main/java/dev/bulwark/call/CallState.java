package dev.bulwark.call;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.Exclusion;
import java.util.Arrays;

/**
 * What one call remembers across its attempts: the endpoints it has tried, so that a retry fails
 * over to one not yet tried. A synchronous call's frame keeps one and clears it between calls; an
 * asynchronous call has its own. Attempts of one call run one after another, each started after
 * the one before completed (through a future or the scheduler, which order memory), so no lock is
 * needed.
 */
final class CallState implements Exclusion {
    private Endpoint[] tried;
    private int size;

    void tried(Endpoint endpoint) {
        for (int i = 0; i < size; i++) {
            if (tried[i] == endpoint) {
                return;
            }
        }
        if (tried == null) {
            tried = new Endpoint[2];
        } else if (size == tried.length) {
            tried = Arrays.copyOf(tried, size * 2);
        }
        tried[size++] = endpoint;
    }

    @Override
    public boolean excludes(Endpoint endpoint) {
        for (int i = 0; i < size; i++) {
            if (tried[i] == endpoint) {
                return true;
            }
        }
        return false;
    }

    boolean isEmpty() {
        return size == 0;
    }

    /** Forgets every endpoint, dropping the references so a frame holds no removed endpoint alive. */
    void clear() {
        if (size != 0) {
            Arrays.fill(tried, 0, size, null);
            size = 0;
        }
    }
}
