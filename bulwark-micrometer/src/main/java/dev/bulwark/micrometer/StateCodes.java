package dev.bulwark.micrometer;

import dev.bulwark.breaker.State;
import java.util.Locale;

/**
 * Breaker states as meter values and tag values. The numbers are fixed here, not taken from the
 * enum's order, so dashboards keep working if {@link State} ever gains a value in the middle.
 */
final class StateCodes {
    private StateCodes() {
    }

    /** 0 closed, 1 half-open, 2 open, 3 forced open, 4 disabled. */
    static double code(State state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
            case FORCED_OPEN -> 3;
            case DISABLED -> 4;
        };
    }

    /** The state as a tag value: {@code closed}, {@code half_open}, {@code open}, {@code forced_open}, {@code disabled}. */
    static String tag(State state) {
        return state.name().toLowerCase(Locale.ROOT);
    }
}
