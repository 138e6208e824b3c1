package dev.bulwark.call;

import dev.bulwark.FailureClassifier;
import dev.bulwark.InvalidConfigException;
import dev.bulwark.breaker.CircuitBreaker;
import dev.bulwark.bulkhead.Bulkhead;
import dev.bulwark.internal.Check;
import dev.bulwark.ratelimit.RateLimiter;
import dev.bulwark.retry.Retry;
import dev.bulwark.timeout.Timeout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * What {@link Pipeline.Builder} and {@link ClientPool.Builder} share: the policies of one call
 * path and the stages of your own, composed in the default order ({@link StageKind}) — or an
 * order of your own with {@link #stages(Stage...)}. Orders known to misbehave are allowed but
 * reported ({@code warnings()}) and logged once at build time.
 *
 * @param <B> the concrete builder
 */
public abstract class ChainBuilder<B extends ChainBuilder<B>> {
    private static final System.Logger LOG = System.getLogger("dev.bulwark.call");

    final String name;
    private final Map<StageKind, Stage> policies = new EnumMap<>(StageKind.class);
    private final List<Stage> custom = new ArrayList<>();
    private List<Stage> explicit;
    FailureClassifier classifier;

    ChainBuilder(String name) {
        this.name = name;
    }

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /** Retries failed attempts (in a pool, each on an endpoint not yet tried when there is one). */
    public B retry(Retry retry) {
        return put(Stages.retry(retry));
    }

    /** Rate limits each attempt; an attempt over the limit is rejected at once. */
    public B rateLimiter(RateLimiter limiter) {
        return put(Stages.rateLimiter(limiter));
    }

    /** Rate limits each attempt, waiting at most {@code maxWait} for a permit (an asynchronous call on a timer). */
    public B rateLimiter(RateLimiter limiter, Duration maxWait) {
        return put(Stages.rateLimiter(limiter, maxWait));
    }

    /** Caps the attempts running at once. */
    public B bulkhead(Bulkhead bulkhead) {
        return put(Stages.bulkhead(bulkhead));
    }

    /** One breaker for the whole dependency (in a pool, besides each endpoint's own). */
    public B circuitBreaker(CircuitBreaker breaker) {
        return put(Stages.circuitBreaker(breaker));
    }

    /** Limits each attempt's time. */
    public B timeout(Timeout timeout) {
        return put(Stages.timeout(timeout));
    }

    /**
     * Adds a stage of your own; yours ({@link StageKind#CUSTOM}) run per attempt, after the pick
     * (so they know the endpoint) and before the timeout, in the order added, the first outermost.
     * Stages of every kind run where they are added here, with one exception: a
     * {@link StageKind#TRACE} stage (a span for the whole call) goes outermost, one per chain, so it
     * covers the fallback, every retry and every rejection.
     */
    public B stage(Stage stage) {
        Check.notNull("stage", stage);
        if (stage.kind() == StageKind.TRACE) {
            return put(stage);
        }
        custom.add(stage);
        return self();
    }

    /**
     * Composes exactly these stages in this order, outermost first, instead of the setters' default
     * order: built-in policies from {@link Stages}, your own, and in a pool {@link Stages#pick()}
     * where the pick goes. Not to be mixed with the policy setters.
     */
    public B stages(Stage... order) {
        Check.notNull("stages", order);
        List<Stage> list = new ArrayList<>();
        for (int i = 0; i < order.length; i++) {
            list.add(Check.notNull("stages[" + i + "]", order[i]));
        }
        explicit = list;
        return self();
    }

    /**
     * How outcomes are judged where no policy of their own judges them: the verdict handed to
     * observers and recorders (default: the pool's endpoint breaker classifier, or the defaults).
     */
    public B classifier(FailureClassifier failureClassifier) {
        classifier = Check.notNull("classifier", failureClassifier);
        return self();
    }

    B put(Stage stage) {
        StageKind kind = stage.kind();
        if (policies.putIfAbsent(kind, stage) != null) {
            throw new InvalidConfigException(kind.name().toLowerCase(Locale.ROOT), stage.name(),
                    "one " + kind + " per chain (already set: " + policies.get(kind).name() + ")");
        }
        return self();
    }

    /** The stages in order, with {@code pick} (null for a pipeline) where the pick goes. */
    List<Stage> compose(Stage pick) {
        List<Stage> order = new ArrayList<>();
        if (explicit != null) {
            if (!policies.isEmpty() || !custom.isEmpty()) {
                throw new InvalidConfigException("stages", names(explicit),
                        "either stages(...) or the policy setters and stage(...), not both (set: "
                                + names(new ArrayList<>(policies.values())) + names(custom) + ")");
            }
            int picks = 0;
            for (Stage s : explicit) {
                if (Stages.isPickMarker(s)) {
                    if (pick == null) {
                        throw new InvalidConfigException("stages", names(explicit),
                                "no Stages.pick() in a pipeline: it has no endpoints (use a ClientPool)");
                    }
                    picks++;
                    order.add(pick);
                } else {
                    order.add(s);
                }
            }
            if (pick != null && picks != 1) {
                throw new InvalidConfigException("stages", names(explicit), "exactly one Stages.pick() in a pool's stages");
            }
            return order;
        }
        for (StageKind kind : StageKind.values()) {
            if (kind == StageKind.PICK) {
                if (pick != null) {
                    order.add(pick);
                }
            } else if (kind == StageKind.CUSTOM) {
                order.addAll(custom);
            } else if (policies.containsKey(kind)) {
                order.add(policies.get(kind));
            }
        }
        return order;
    }

    /** What is questionable about {@code order}, logged once. */
    List<String> advise(List<Stage> order) {
        List<StageKind> kinds = new ArrayList<>();
        for (Stage s : order) {
            kinds.add(s.kind());
        }
        List<String> warnings = OrderAdvice.check(kinds);
        for (String warning : warnings) {
            LOG.log(System.Logger.Level.WARNING, "'" + name + "': " + warning);
        }
        return warnings;
    }

    private static String names(List<Stage> stages) {
        List<String> names = new ArrayList<>();
        for (Stage s : stages) {
            names.add(s.name());
        }
        return names.toString();
    }
}
