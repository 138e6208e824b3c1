package dev.bulwark.balance;

import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/** The random source of a balancer: the calling thread's, or a given one (a seeded simulation). */
final class Randoms {
    private Randoms() {
    }

    /** {@code fixed} if given (it must then be used from one thread at a time), else the thread's own. */
    static RandomGenerator of(RandomGenerator fixed) {
        return fixed != null ? fixed : ThreadLocalRandom.current();
    }
}
