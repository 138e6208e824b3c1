package dev.bulwark.balance;

import dev.bulwark.time.Ticker;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** An endpoint whose weight and availability a test sets, with real statistics on the test's ticker. */
final class TestEndpoint implements Endpoint {
    static final Duration DECAY = Duration.ofSeconds(10);

    private final String name;
    private final EndpointStats stats;
    private volatile int weight;
    private volatile boolean available = true;

    TestEndpoint(String name, int weight, Ticker ticker) {
        this.name = name;
        this.weight = weight;
        this.stats = new EndpointStats(ticker, DECAY);
    }

    /** Endpoints "e0", "e1", ... of weight 1. */
    static List<TestEndpoint> numbered(int count, Ticker ticker) {
        List<TestEndpoint> endpoints = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            endpoints.add(new TestEndpoint("e" + i, 1, ticker));
        }
        return endpoints;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public int weight() {
        return weight;
    }

    @Override
    public EndpointStats stats() {
        return stats;
    }

    @Override
    public boolean isAvailable() {
        return available;
    }

    TestEndpoint weight(int newWeight) {
        weight = newWeight;
        return this;
    }

    TestEndpoint available(boolean now) {
        available = now;
        return this;
    }

    @Override
    public String toString() {
        return name;
    }
}
