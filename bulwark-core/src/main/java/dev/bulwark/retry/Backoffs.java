package dev.bulwark.retry;

import java.time.Duration;

/** The built-in {@link Backoff}s. */
final class Backoffs {
    static final Backoff NONE = new Growing(0, 1.0, 0, 0);

    private Backoffs() {
    }

    /** {@code min(max, initial × multiplier^(retry-1) + step × (retry-1))}: fixed, linear and exponential. */
    record Growing(long initialNanos, double multiplier, long stepNanos, long maxNanos) implements Backoff {
        @Override
        public long delayNanos(int retry, long previousNanos, double random) {
            if (maxNanos == 0) {
                return 0;
            }
            int n = Math.max(0, retry - 1);
            double computed = initialNanos * Math.pow(multiplier, n) + (double) stepNanos * n;
            return (long) Math.min((double) maxNanos, computed);
        }

        @Override
        public long minimumDelayNanos() {
            return initialNanos;
        }

        @Override
        public String toString() {
            return "Backoff{initial=" + Duration.ofNanos(initialNanos) + ", multiplier=" + multiplier
                    + (stepNanos == 0 ? "" : ", step=" + Duration.ofNanos(stepNanos))
                    + ", max=" + Duration.ofNanos(maxNanos) + '}';
        }
    }

    /** Uniform in [min, max]. */
    record Uniform(long minNanos, long maxNanos) implements Backoff {
        @Override
        public long delayNanos(int retry, long previousNanos, double random) {
            return minNanos + (long) ((maxNanos - minNanos) * random);
        }

        @Override
        public long minimumDelayNanos() {
            return minNanos;
        }

        @Override
        public String toString() {
            return "Backoff{random " + Duration.ofNanos(minNanos) + ".." + Duration.ofNanos(maxNanos) + '}';
        }
    }

    /** A user's function of the retry number. */
    record OfFunction(java.util.function.IntFunction<Duration> delays) implements Backoff {
        @Override
        public long delayNanos(int retry, long previousNanos, double random) {
            Duration d = delays.apply(retry);
            if (d == null || d.isNegative()) {
                throw new IllegalStateException("the backoff function returned " + d + " for retry " + retry
                        + " (expected a duration >= 0)");
            }
            return dev.bulwark.internal.Check.nanos(d);
        }
    }

    /**
     * A backoff with its delays randomised: by a {@link Jitter} kind, or by ± {@code fraction}
     * when {@code kind} is null. For a computed delay {@code d}: FULL draws from [0, d), EQUAL from
     * [d/2, d), DECORRELATED from [base, 3 × previous) capped at the maximum (base being the first
     * retry's delay), proportional from [d(1 − f), d(1 + f)).
     */
    record Jittered(Backoff base, Jitter kind, double fraction) implements Backoff {
        @Override
        public long delayNanos(int retry, long previousNanos, double random) {
            if (kind == null) {
                double d = base.delayNanos(retry, previousNanos, random);
                return Math.max(0, (long) (d * (1 + fraction * (2 * random - 1))));
            }
            if (kind == Jitter.DECORRELATED) {
                double first = base.delayNanos(1, 0, 0.5);
                double upper = Math.max(first, 3.0 * Math.max(previousNanos, first));
                return (long) Math.min((double) base.maxNanos(), first + (upper - first) * random);
            }
            double d = base.delayNanos(retry, previousNanos, random);
            return (long) (kind == Jitter.FULL ? d * random : d / 2 + d / 2 * random);
        }

        @Override
        public long minimumDelayNanos() {
            long min = base.minimumDelayNanos();
            if (kind == null) {
                return (long) (min * (1 - fraction));
            }
            return switch (kind) {
                case FULL -> 0;
                case EQUAL -> min / 2;
                default -> min;
            };
        }

        @Override
        public long maxNanos() {
            return kind == null ? (long) Math.min(Long.MAX_VALUE, base.maxNanos() * (1 + fraction)) : base.maxNanos();
        }

        @Override
        public String toString() {
            return base + (kind == null ? " ± " + Math.round(fraction * 100) + "%" : " with " + kind + " jitter");
        }
    }
}
