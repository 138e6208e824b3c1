package dev.bulwark.demo;

import dev.bulwark.InvalidConfigException;
import dev.bulwark.discovery.RegistryConfig;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;

/** The demo's command line: {@code --duration 20s --rate 100 --seed 42}. */
record DrillOptions(Duration duration, int rate, long seed, Scenario scenario, RegistryConfig registry, int metricsPort,
        boolean help) {
    static final String USAGE = """
            usage: scripts/demo [--scenario all] [--duration 20s] [--rate 100] [--seed 42] [--registry memory]
                        [--metrics-port 0]
              --scenario  outage (bare vs Bulwark through an outage), pool (balancers over a slow and a
                          failing endpoint), grpc (three real gRPC servers, one turning slow and one
                          killed, called bare and through a Bulwark channel), http (three real HTTP
                          instances, one answering 503 and one killed, called bare and through
                          Bulwark's service client), or all (the default)
              --duration  how long the outage drill runs, 4s to 10m (e.g. 20s, 1m, 1500ms); the pool,
                          gRPC and HTTP drills run half as long
              --rate      calls per second offered to each client, 1 to 2000
              --seed      seed of the simulated dependencies' randomness
              --registry  where the pool drill registers and discovers its endpoints: memory (the
                          default), etcd://host:port[,host:port] or zookeeper://host:port[,...];
                          also read from the environment variable BULWARK_REGISTRY
              --metrics-port  the loopback port where the demo serves its meters at /metrics for
                          Prometheus while it runs; 0 (the default) picks a free one
            """;

    /** Which drills to run. */
    enum Scenario {
        OUTAGE, POOL, GRPC, HTTP, ALL;

        boolean runsOutage() {
            return this == OUTAGE || this == ALL;
        }

        boolean runsPool() {
            return this == POOL || this == ALL;
        }

        boolean runsGrpc() {
            return this == GRPC || this == ALL;
        }

        boolean runsHttp() {
            return this == HTTP || this == ALL;
        }
    }

    /** The pool, gRPC and HTTP drills run half as long as the outage drill, at least 4 s. */
    Duration poolDuration() {
        Duration half = duration.dividedBy(2);
        return half.compareTo(Duration.ofSeconds(4)) < 0 ? Duration.ofSeconds(4) : half;
    }

    static DrillOptions parse(String... args) {
        Duration duration = Duration.ofSeconds(20);
        int rate = 100;
        long seed = 42;
        Scenario scenario = Scenario.ALL;
        String env = System.getenv("BULWARK_REGISTRY");
        RegistryConfig registry = registry("BULWARK_REGISTRY", env == null || env.isBlank() ? "memory" : env);
        int metricsPort = 0;
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("-h") || arg.equals("--help")) {
                return new DrillOptions(duration, rate, seed, scenario, registry, metricsPort, true);
            }
            String value = i + 1 < args.length ? args[++i] : null;
            switch (arg) {
                case "--duration" -> duration = duration(value);
                case "--rate" -> rate = integer("--rate", value, 1, 2000);
                case "--seed" -> seed = integer("--seed", value, Integer.MIN_VALUE, Integer.MAX_VALUE);
                case "--scenario" -> scenario = scenario(value);
                case "--registry" -> registry = registry("--registry", value);
                case "--metrics-port" -> metricsPort = integer("--metrics-port", value, 0, 65535);
                default -> throw new InvalidConfigException("option", arg,
                        "--scenario, --duration, --rate, --seed, --registry, --metrics-port or --help");
            }
        }
        return new DrillOptions(duration, rate, seed, scenario, registry, metricsPort, false);
    }

    /** {@code memory}, {@code etcd://host:port[,host:port]} or {@code zookeeper://host:port[,...]}. */
    static RegistryConfig registry(String option, String value) {
        String v = value == null ? "" : value.trim();
        if (v.equals("memory")) {
            return RegistryConfig.memory();
        }
        int scheme = v.indexOf("://");
        if (scheme > 0 && scheme + 3 < v.length()) {
            String kind = v.substring(0, scheme).toLowerCase(java.util.Locale.ROOT);
            String[] hosts = v.substring(scheme + 3).split(",");
            if (kind.equals("etcd")) {
                String[] urls = java.util.Arrays.stream(hosts).map(h -> "http://" + h).toArray(String[]::new);
                return RegistryConfig.builder(RegistryConfig.ETCD).endpoints(urls).namespace("/bulwark-demo").build();
            }
            if (kind.equals("zookeeper") || kind.equals("zk")) {
                return RegistryConfig.builder(RegistryConfig.ZOOKEEPER).endpoints(hosts).namespace("/bulwark-demo").build();
            }
        }
        throw new InvalidConfigException(option, value, "memory, etcd://host:port[,host:port] or zookeeper://host:port[,host:port]");
    }

    private static Scenario scenario(String value) {
        for (Scenario s : Scenario.values()) {
            if (s.name().equalsIgnoreCase(value == null ? "" : value.trim())) {
                return s;
            }
        }
        throw new InvalidConfigException("--scenario", value, "outage, pool, grpc, http or all");
    }

    private static Duration duration(String value) {
        Duration parsed = null;
        if (value != null) {
            String v = value.trim().toLowerCase(Locale.ROOT);
            try {
                if (v.endsWith("ms")) {
                    parsed = Duration.ofMillis(Long.parseLong(v.substring(0, v.length() - 2)));
                } else if (v.endsWith("s")) {
                    parsed = Duration.ofMillis(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1000));
                } else if (v.endsWith("m")) {
                    parsed = Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
                } else {
                    parsed = Duration.parse(value);
                }
            } catch (NumberFormatException | DateTimeParseException e) {
                parsed = null;
            }
        }
        if (parsed == null || parsed.compareTo(Duration.ofSeconds(4)) < 0 || parsed.compareTo(Duration.ofMinutes(10)) > 0) {
            throw new InvalidConfigException("--duration", value, "a duration from 4s to 10m, e.g. 20s, 1m, 1500ms");
        }
        return parsed;
    }

    private static int integer(String option, String value, int min, int max) {
        try {
            int parsed = Integer.parseInt(value == null ? "" : value.trim());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below with the allowed range
        }
        throw new InvalidConfigException(option, value, "an integer in [" + min + ", " + max + "]");
    }
}
