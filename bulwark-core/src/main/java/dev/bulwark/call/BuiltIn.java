package dev.bulwark.call;

/**
 * A stage Bulwark provides, which runs synchronous calls through a {@link Link} of its own class
 * rather than through {@link Stage#call}: see {@link Link} for why.
 */
interface BuiltIn {

    /** This stage's link at position {@code index}, leading on to {@code next}. */
    Link link(int index, Link next);
}
