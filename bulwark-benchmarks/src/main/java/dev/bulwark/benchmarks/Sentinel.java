package dev.bulwark.benchmarks;

import com.alibaba.csp.sentinel.SphO;
import com.alibaba.csp.sentinel.Tracer;
import com.alibaba.csp.sentinel.slots.block.RuleConstant;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeRule;
import com.alibaba.csp.sentinel.slots.block.degrade.DegradeRuleManager;
import com.alibaba.csp.sentinel.slots.block.flow.FlowRule;
import com.alibaba.csp.sentinel.slots.block.flow.FlowRuleManager;
import java.util.ArrayList;
import java.util.List;

/**
 * Sentinel set up as its users do: rules loaded for a resource, entries through {@link SphO}
 * (its boolean API, which skips building a BlockException on rejection). Its logs go under
 * {@code target/}, set before any Sentinel class loads.
 */
final class Sentinel {
    static final String RESOURCE = "bulwark-benchmark";

    private Sentinel() {
    }

    /** A degrade rule: exception ratio 50 % over 1 s once 100 calls were seen, open for {@code openSeconds}. */
    static DegradeRule breaker(int openSeconds) {
        DegradeRule rule = new DegradeRule(RESOURCE);
        rule.setGrade(RuleConstant.DEGRADE_GRADE_EXCEPTION_RATIO);
        rule.setCount(0.5);
        rule.setMinRequestAmount(100);
        rule.setStatIntervalMs(1000);
        rule.setTimeWindow(openSeconds);
        return rule;
    }

    /** A flow rule of {@code count} calls per second ({@code qps}) or concurrent threads. */
    static FlowRule flow(double count, boolean qps) {
        FlowRule rule = new FlowRule(RESOURCE);
        rule.setGrade(qps ? RuleConstant.FLOW_GRADE_QPS : RuleConstant.FLOW_GRADE_THREAD);
        rule.setCount(count);
        return rule;
    }

    /** Loads the rules; call before anything else touches Sentinel. */
    static void load(List<DegradeRule> degrade, List<FlowRule> flow) {
        System.setProperty("csp.sentinel.log.dir", System.getProperty("user.dir") + "/target/sentinel-logs");
        DegradeRuleManager.loadRules(new ArrayList<>(degrade));
        FlowRuleManager.loadRules(new ArrayList<>(flow));
    }

    /** A subject making one call through Sentinel; a blocked call returns null. */
    static Subject subject(boolean failing) {
        return thread -> {
            if (!SphO.entry(RESOURCE)) {
                return null;
            }
            try {
                return thread.run(failing);
            } catch (RuntimeException e) {
                Tracer.trace(e);
                throw e;
            } finally {
                SphO.exit();
            }
        };
    }
}
