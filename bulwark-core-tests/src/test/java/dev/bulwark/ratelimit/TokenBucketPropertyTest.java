package dev.bulwark.ratelimit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bulwark.testing.VirtualScheduler;
import dev.bulwark.time.Scheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * A property test: over random sequences of acquire, reserve, waits cancelled by interruption,
 * reservations made while another call waits, and rate changes, the permits acting in any interval
 * never exceed {@code burst + rate × length}, where burst and rate are the largest of the settings
 * that bear on that interval (those in force during it, and those under which its permits were granted).
 */
class TokenBucketPropertyTest {
    private static final long MS = 1_000_000L;
    private static final double[] RATES = {1, 4, 10, 25, 100};

    private record Config(double rate, int burst) {
    }

    /** {@code permits} acting at {@code at}, granted under config number {@code config}. */
    private record Grant(long at, int permits, int config) {
    }

    private record Change(long at, int config) {
    }

    private final List<Config> configs = new ArrayList<>();
    private final List<Change> changes = new ArrayList<>();
    private final List<Grant> grants = new ArrayList<>();

    @Test
    void neverMoreThanBurstPlusRateTimesInterval() {
        Random random = new Random(20261130);
        int checkedWindows = 0;
        for (int sequence = 0; sequence < 150; sequence++) {
            checkedWindows += runSequence(new Random(random.nextLong()));
        }
        assertThat(checkedWindows).as("windows checked").isGreaterThan(100_000);
    }

    private int runSequence(Random random) {
        configs.clear();
        changes.clear();
        grants.clear();
        VirtualScheduler scheduler = new VirtualScheduler();
        Config first = randomConfig(random);
        configs.add(first);
        changes.add(new Change(scheduler.ticker().read(), 0));
        TokenBucket bucket = TokenBucket.builder("p").permitsPerSecond(first.rate).burst(first.burst).scheduler(scheduler).build();
        for (int op = 0; op < 150; op++) {
            int current = configs.size() - 1;
            int permits = 1 + random.nextInt(Math.max(1, bucket.burst()));
            switch (random.nextInt(6)) {
                case 0 -> scheduler.advance(Duration.ofMillis(random.nextInt(400)));
                case 1 -> {
                    if (bucket.tryAcquire(permits)) {
                        grants.add(new Grant(scheduler.ticker().read(), permits, current));
                    }
                }
                case 2 -> {
                    long wait = bucket.reserve(permits, random.nextInt(2000) * MS);
                    if (wait >= 0) {
                        grants.add(new Grant(scheduler.ticker().read() + wait, permits, current));
                    }
                }
                case 3 -> waitPerhapsInterrupted(bucket, scheduler, random, permits, current);
                case 4 -> {
                    Config next = randomConfig(random);
                    bucket.setRate(next.rate, next.burst);
                    configs.add(next);
                    changes.add(new Change(scheduler.ticker().read(), configs.size() - 1));
                }
                default -> scheduler.advance(Duration.ofMillis(random.nextInt(30)));
            }
        }
        return check();
    }

    /** A wait, perhaps interrupted part way, perhaps with another reservation made while it waits. */
    private void waitPerhapsInterrupted(TokenBucket bucket, VirtualScheduler scheduler, Random random, int permits,
            int config) {
        long start = scheduler.ticker().read();
        Scheduler.Cancellable interrupt = random.nextBoolean()
                ? scheduler.schedule(() -> Thread.currentThread().interrupt(), random.nextInt(500) * MS) : null;
        Scheduler.Cancellable other = null;
        if (random.nextBoolean()) {
            int otherPermits = 1 + random.nextInt(bucket.burst());
            int otherConfig = configs.size() - 1;
            other = scheduler.schedule(() -> {
                long wait = bucket.reserve(Math.min(otherPermits, bucket.burst()), Long.MAX_VALUE);
                grants.add(new Grant(scheduler.ticker().read() + wait, Math.min(otherPermits, bucket.burst()), otherConfig));
            }, random.nextInt(300) * MS);
        }
        boolean granted = bucket.tryAcquire(permits, Duration.ofMillis(random.nextInt(2000)));
        boolean interrupted = Thread.interrupted();
        if (interrupt != null) {
            interrupt.cancel();
        }
        if (other != null) {
            other.cancel();
        }
        if (granted) {
            assertThat(interrupted).isFalse();
            grants.add(new Grant(scheduler.ticker().read(), permits, config));
        }
        assertThat(scheduler.ticker().read()).isGreaterThanOrEqualTo(start);
    }

    private static Config randomConfig(Random random) {
        return new Config(RATES[random.nextInt(RATES.length)], 1 + random.nextInt(5));
    }

    /** Checks every window [t_i, t_j] between two grants; returns how many windows were checked. */
    private int check() {
        List<Grant> sorted = new ArrayList<>(grants);
        sorted.sort(Comparator.comparingLong(Grant::at));
        int windows = 0;
        for (int i = 0; i < sorted.size(); i++) {
            int count = 0;
            double maxRate = 0;
            int maxBurst = 0;
            long a = sorted.get(i).at;
            for (Change c : changes) { // the config in force at a, and every change up to the window's end below
                if (c.at <= a) {
                    maxRate = configs.get(c.config).rate;
                    maxBurst = configs.get(c.config).burst;
                }
            }
            int changeIndex = 0;
            for (int j = i; j < sorted.size(); j++) {
                Grant g = sorted.get(j);
                count += g.permits;
                maxRate = Math.max(maxRate, configs.get(g.config).rate);
                maxBurst = Math.max(maxBurst, configs.get(g.config).burst);
                while (changeIndex < changes.size() && changes.get(changeIndex).at <= g.at) {
                    Change c = changes.get(changeIndex++);
                    if (c.at >= a) {
                        maxRate = Math.max(maxRate, configs.get(c.config).rate);
                        maxBurst = Math.max(maxBurst, configs.get(c.config).burst);
                    }
                }
                double allowed = maxBurst + maxRate * (g.at - a) / 1e9;
                assertThat((double) count)
                        .as("permits acting in [%d, %d] (%d grants, %s)", a, g.at, j - i + 1, sorted.subList(i, j + 1))
                        .isLessThanOrEqualTo(allowed + 1e-9);
                windows++;
            }
        }
        return windows;
    }
}
