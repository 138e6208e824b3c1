package dev.bulwark.balance;

/**
 * Makes balancers that are known by name, so configuration can name them: a library offering its
 * own balancer registers an implementation in {@code META-INF/services/dev.bulwark.balance.BalancerProvider}
 * and {@link LoadBalancers#create(String)} finds it.
 */
public interface BalancerProvider {

    /** The name configuration uses, e.g. {@code zone-aware}; compared ignoring case. */
    String name();

    /** A new balancer with its own state. */
    LoadBalancer create();
}
