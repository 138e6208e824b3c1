package dev.bulwark.breaker;

/** A trip rule with a name, so that a breaker's reason for tripping says which rule fired. */
final class NamedTripRule implements TripRule {
    private final String name;
    private final TripRule rule;

    NamedTripRule(String name, TripRule rule) {
        this.name = name;
        this.rule = rule;
    }

    @Override
    public boolean shouldTrip(BreakerCounts counts) {
        return rule.shouldTrip(counts);
    }

    @Override
    public String toString() {
        return name;
    }
}
