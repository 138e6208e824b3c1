package dev.bulwark.call;

import java.util.ArrayList;
import java.util.List;

/** Knows which stage orders misbehave, and why. */
final class OrderAdvice {
    private OrderAdvice() {
    }

    static List<String> check(List<StageKind> order) {
        List<String> warnings = new ArrayList<>();
        if (outside(order, StageKind.CIRCUIT_BREAKER, StageKind.RETRY)) {
            warnings.add("RETRY inside CIRCUIT_BREAKER: the breaker sees one outcome per call, not per attempt,"
                    + " so retries keep hitting a failing dependency while the breaker stays closed");
        }
        if (outside(order, StageKind.PICK, StageKind.RETRY)) {
            warnings.add("RETRY inside PICK: every attempt goes to the endpoint picked once for the call, so a retry"
                    + " cannot fail over, and the endpoint's breaker sees one outcome per call");
        }
        if (outside(order, StageKind.BULKHEAD, StageKind.RETRY)) {
            warnings.add("BULKHEAD outside RETRY: backoff sleeps hold a bulkhead permit");
        }
        if (outside(order, StageKind.RATE_LIMITER, StageKind.RETRY)) {
            warnings.add("RATE_LIMITER outside RETRY: retries are not rate limited");
        }
        if (outside(order, StageKind.TIMEOUT, StageKind.RETRY)) {
            warnings.add("TIMEOUT outside RETRY: one limit covers every attempt together; put it inside to bound each attempt");
        }
        if (outside(order, StageKind.TIMEOUT, StageKind.CIRCUIT_BREAKER)) {
            warnings.add("TIMEOUT outside CIRCUIT_BREAKER: the breaker judges the interrupted call by what it returns or throws, not as a timeout");
        }
        if (outside(order, StageKind.TIMEOUT, StageKind.PICK)) {
            warnings.add("TIMEOUT outside PICK: the endpoint's breaker and statistics judge the interrupted call by what it"
                    + " returns or throws, not as a timeout");
        }
        if (outside(order, StageKind.BULKHEAD, StageKind.RATE_LIMITER)) {
            warnings.add("BULKHEAD outside RATE_LIMITER: calls over the rate take a bulkhead permit before being rejected");
        }
        for (StageKind stage : order) {
            if (stage != StageKind.FALLBACK && stage != StageKind.STALE_CACHE && stage != StageKind.CUSTOM
                    && stage != StageKind.TRACE && outside(order, stage, StageKind.FALLBACK)) {
                warnings.add(stage + " outside FALLBACK: its rejections and failures bypass the fallback");
            }
        }
        return warnings;
    }

    /** Whether both stages are present and {@code outer} wraps {@code inner} (first occurrences). */
    private static boolean outside(List<StageKind> order, StageKind outer, StageKind inner) {
        int o = order.indexOf(outer);
        int i = order.indexOf(inner);
        return o >= 0 && i >= 0 && o < i;
    }
}
