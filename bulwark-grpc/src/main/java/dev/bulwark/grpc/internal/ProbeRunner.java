package dev.bulwark.grpc.internal;

import dev.bulwark.grpc.server.HealthProbe;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Runs a server's health probes, each on its own interval tick with its own timeout, and reports
 * which fail and why. A probe still running from an earlier round is not started again; while it
 * overruns it counts as failing.
 */
public final class ProbeRunner {
    /**
     * One named probe.
     *
     * @param services the gRPC services it speaks for; empty: all of them
     */
    public record Probe(String name, HealthProbe probe, Duration timeout, Set<String> services) {
    }

    private final List<Probe> probes;
    private final Executor workers;
    private final Runnable onChange;
    private final Map<String, String> failing = new ConcurrentHashMap<>();
    private final Map<String, AtomicBoolean> running = new ConcurrentHashMap<>();

    public ProbeRunner(List<Probe> probes, Executor workers, Runnable onChange) {
        this.probes = List.copyOf(probes);
        this.workers = workers;
        this.onChange = onChange;
        probes.forEach(p -> running.put(p.name(), new AtomicBoolean()));
    }

    /** Starts a round; the returned future completes when every probe started has answered or timed out. */
    public CompletableFuture<Void> runRound() {
        CompletableFuture<?>[] round = new CompletableFuture<?>[probes.size()];
        for (int i = 0; i < round.length; i++) {
            round[i] = run(probes.get(i));
        }
        return CompletableFuture.allOf(round);
    }

    private CompletableFuture<Void> run(Probe p) {
        AtomicBoolean busy = running.get(p.name());
        if (!busy.compareAndSet(false, true)) {
            record(p, "still running after its timeout of " + p.timeout().toMillis() + " ms");
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> check = CompletableFuture.runAsync(() -> {
            try {
                p.probe().check();
            } catch (Exception e) {
                throw new CompletionException(e);
            } finally {
                busy.set(false);
            }
        }, workers);
        return check.orTimeout(p.timeout().toNanos(), TimeUnit.NANOSECONDS).handle((ok, error) -> {
            Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
            record(p, cause == null ? null : cause instanceof TimeoutException
                    ? "no answer within " + p.timeout().toMillis() + " ms" : String.valueOf(cause));
            return null;
        });
    }

    private void record(Probe p, String failure) {
        String before = failure == null ? failing.remove(p.name()) : failing.put(p.name(), failure);
        if (!java.util.Objects.equals(before, failure)) {
            onChange.run();
        }
    }

    /** Whether every probe that speaks for {@code service} passes ({@code ""}: every probe). */
    public boolean passes(String service) {
        for (Probe p : probes) {
            if (failing.containsKey(p.name()) && (service.isEmpty() || p.services().isEmpty() || p.services().contains(service))) {
                return false;
            }
        }
        return true;
    }

    /** The failing probes and why. */
    public Map<String, String> failures() {
        return Map.copyOf(failing);
    }
}
