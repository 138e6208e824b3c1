package dev.bulwark.discovery;

/** What is known of an instance's health. */
public enum Health {
    /** Serving: discovery returns it. */
    UP,
    /** Not serving (failed health checks, draining): discovery leaves it out by default. */
    DOWN,
    /** Not checked yet: treated as serving. */
    UNKNOWN;

    /** Whether discovery returns an instance in this state by default. */
    public boolean isServing() {
        return this != DOWN;
    }
}
