package dev.bulwark.pipeline;

import java.util.ArrayList;
import java.util.List;

/** Knows which stage orders misbehave, and why. */
final class OrderAdvice {
    private OrderAdvice() {
    }

    static List<String> check(List<Stage> order) {
        List<String> warnings = new ArrayList<>();
        if (outside(order, Stage.CIRCUIT_BREAKER, Stage.RETRY)) {
            warnings.add("RETRY inside CIRCUIT_BREAKER: the breaker sees one outcome per call, not per attempt,"
                    + " so retries keep hitting a failing dependency while the breaker stays closed");
        }
        if (outside(order, Stage.BULKHEAD, Stage.RETRY)) {
            warnings.add("BULKHEAD outside RETRY: backoff sleeps hold a bulkhead permit");
        }
        if (outside(order, Stage.RATE_LIMITER, Stage.RETRY)) {
            warnings.add("RATE_LIMITER outside RETRY: retries are not rate limited");
        }
        if (outside(order, Stage.TIMEOUT, Stage.RETRY)) {
            warnings.add("TIMEOUT outside RETRY: one limit covers every attempt together; put it inside to bound each attempt");
        }
        if (outside(order, Stage.TIMEOUT, Stage.CIRCUIT_BREAKER)) {
            warnings.add("TIMEOUT outside CIRCUIT_BREAKER: the breaker judges the interrupted call by what it returns or throws, not as a timeout");
        }
        if (outside(order, Stage.BULKHEAD, Stage.RATE_LIMITER)) {
            warnings.add("BULKHEAD outside RATE_LIMITER: calls over the rate take a bulkhead permit before being rejected");
        }
        for (Stage stage : order) {
            if (stage != Stage.FALLBACK && stage != Stage.STALE_CACHE && outside(order, stage, Stage.FALLBACK)) {
                warnings.add(stage + " outside FALLBACK: its rejections and failures bypass the fallback");
            }
        }
        return warnings;
    }

    /** Whether both stages are present and {@code outer} wraps {@code inner}. */
    private static boolean outside(List<Stage> order, Stage outer, Stage inner) {
        int o = order.indexOf(outer);
        int i = order.indexOf(inner);
        return o >= 0 && i >= 0 && o < i;
    }
}
