package dev.bulwark.call;

import dev.bulwark.balance.Endpoint;
import dev.bulwark.balance.Exclusion;
import java.util.Arrays;

/**
 * What one call remembers across its attempts: the endpoints it has tried, so that a retry fails
 * over to one not yet tried. A synchronous call's frame keeps one and clears it between calls; an
 * asynchronous call has its own, touched by one attempt at a time.
 */
final class CallState implements Exclusion {
    private Endpoint[] tried = new Endpoint[2];
    private int size;

    synchronized void tried(Endpoint endpoint) {
        for (int i = 0; i < size; i++) {
            if (tried[i] == endpoint) {
                return;
            }
        }
        if (size == tried.length) {
            tried = Arrays.copyOf(tried, size * 2);
        }
        tried[size++] = endpoint;
    }

    @Override
    public synchronized boolean excludes(Endpoint endpoint) {
        for (int i = 0; i < size; i++) {
            if (tried[i] == endpoint) {
                return true;
            }
        }
        return false;
    }

    synchronized boolean isEmpty() {
        return size == 0;
    }

    /** Forgets every endpoint, dropping the references so a frame holds no removed endpoint alive. */
    synchronized void clear() {
        Arrays.fill(tried, 0, size, null);
        size = 0;
    }
}
