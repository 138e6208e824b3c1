package dev.bulwark.benchmarks.http;

import dev.bulwark.discovery.InMemoryRegistry;
import dev.bulwark.discovery.ServiceDiscovery;
import dev.bulwark.http.ServiceClient;
import dev.bulwark.http.ServiceResponse;
import dev.bulwark.http.test.TestHttpServer;
import dev.bulwark.retry.Retry;
import dev.bulwark.retry.RetryBudget;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One GET over loopback to a JDK HTTP server in this JVM, through a bare {@code java.net.http}
 * client at the server's address, and through Bulwark's service client (discovery, peak EWMA, a
 * breaker and a bulkhead per instance, retry with a budget, the exchange's time limit) finding the
 * same server. Run by {@code scripts/bench http} in throughput and sample-time modes at 1 and 16
 * threads with {@code -prof gc}; both ends allocate in this JVM, so compare the difference.
 */
@State(Scope.Benchmark)
public class HttpClientBenchmark {
    @Param({"java.net.http", "bulwark"})
    public String stack;

    private TestHttpServer server;
    private HttpClient bare;
    private HttpRequest request;
    private ServiceDiscovery discovery;
    private ServiceClient client;

    @Setup
    public void start() throws IOException, InterruptedException {
        server = TestHttpServer.start("bench");
        InMemoryRegistry registry = InMemoryRegistry.create();
        server.register(registry, "echo");
        bare = HttpClient.newBuilder().build();
        request = HttpRequest.newBuilder(URI.create("http://" + server.address() + "/echo")).GET().build();
        discovery = ServiceDiscovery.builder(registry).build();
        client = ServiceClient.builder(discovery)
                .retry(Retry.builder("http").maxAttempts(3).budget(RetryBudget.builder().ratio(0.1).build()).build())
                .build();
        for (int i = 0; i < 2000; i++) {
            call(); // connected and warm before JMH's own warm-up
        }
    }

    @Benchmark
    public Object call() throws IOException, InterruptedException {
        if (client != null && stack.equals("bulwark")) {
            ServiceResponse r = client.get("echo", "/echo");
            return r.body();
        }
        return bare.send(request, HttpResponse.BodyHandlers.ofByteArray()).body();
    }

    @TearDown
    public void stop() {
        client.close();
        discovery.close();
        server.close();
    }
}
