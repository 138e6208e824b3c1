package dev.bulwark.balance;

import dev.bulwark.internal.Check;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * An immutable snapshot of the endpoints a balancer picks from. A change (an endpoint added,
 * removed or re-weighted) makes a new set and swaps it in atomically; balancers that precompute a
 * schedule or a hash table key it by {@link #version()} and rebuild when the version changes.
 *
 * @param <E> the endpoint type
 */
public final class EndpointSet<E extends Endpoint> {
    private static final AtomicLong VERSIONS = new AtomicLong();
    private static final EndpointSet<?> EMPTY = new EndpointSet<>(new Endpoint[0]);

    private final E[] endpoints;
    private final long version;
    private final List<E> view;

    private EndpointSet(E[] endpoints) {
        this.endpoints = endpoints;
        this.version = VERSIONS.incrementAndGet();
        this.view = Collections.unmodifiableList(Arrays.asList(endpoints));
    }

    /** A set of {@code endpoints}, in that order; names must be unique. */
    @SafeVarargs
    public static <E extends Endpoint> EndpointSet<E> of(E... endpoints) {
        Check.notNull("endpoints", endpoints);
        E[] copy = endpoints.clone();
        for (int i = 0; i < copy.length; i++) {
            Check.notNull("endpoints[" + i + "]", copy[i]);
            for (int j = 0; j < i; j++) {
                if (copy[j].name().equals(copy[i].name())) {
                    throw new dev.bulwark.InvalidConfigException("endpoints[" + i + "].name", copy[i].name(), "a name not already in the set");
                }
            }
        }
        return new EndpointSet<>(copy);
    }

    /** A set of the endpoints in {@code list}, in order. */
    @SuppressWarnings("unchecked")
    public static <E extends Endpoint> EndpointSet<E> of(List<? extends E> list) {
        return of((E[]) Check.notNull("endpoints", list).toArray(new Endpoint[0]));
    }

    @SuppressWarnings("unchecked")
    public static <E extends Endpoint> EndpointSet<E> empty() {
        return (EndpointSet<E>) EMPTY;
    }

    public int size() {
        return endpoints.length;
    }

    public boolean isEmpty() {
        return endpoints.length == 0;
    }

    public E get(int index) {
        return endpoints[index];
    }

    /** Identifies this snapshot: two sets never share a version. */
    public long version() {
        return version;
    }

    /** The endpoints, read-only, in order. */
    public List<E> asList() {
        return view;
    }

    @Override
    public String toString() {
        return "EndpointSet{v" + version + ", " + view.stream().map(Endpoint::name).toList() + '}';
    }
}
