package dev.bulwark.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.tools.Diagnostic;
import javax.tools.DiagnosticCollector;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.SimpleJavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;

/**
 * Compiles every Java example in README.md and in the Javadoc ({@code <pre>{@code ...}</pre>}) of
 * the library modules, against those modules. Each example becomes the body of a method in a
 * class of its own that extends {@link Given}, which declares the few names examples take as
 * given (a registry, a ticker...); an example that is a bare expression is assigned to a variable.
 * A failure names the file and line of the example and the compiler's complaint.
 */
class DocumentationExamplesTest {
    private static final Pattern README_BLOCK = Pattern.compile("```java\\n(.*?)```", Pattern.DOTALL);
    private static final Pattern JAVADOC_BLOCK = Pattern.compile("<pre>\\{@code(.*?)}</pre>", Pattern.DOTALL);
    private static final List<String> NOT_LIBRARIES = List.of("bulwark-demo", "bulwark-benchmarks", "bulwark-examples",
            "bulwark-core-tests");
    private static final String IMPORTS = String.join("\n",
            "import dev.bulwark.*;",
            "import dev.bulwark.balance.*;",
            "import dev.bulwark.breaker.*;",
            "import dev.bulwark.bulkhead.*;",
            "import dev.bulwark.call.*;",
            "import dev.bulwark.fallback.*;",
            "import dev.bulwark.ratelimit.*;",
            "import dev.bulwark.registry.*;",
            "import dev.bulwark.retry.*;",
            "import dev.bulwark.time.*;",
            "import dev.bulwark.timeout.*;",
            "import dev.bulwark.discovery.*;",
            "import dev.bulwark.discovery.health.*;",
            "import dev.bulwark.micrometer.*;",
            "import dev.bulwark.grpc.*;",
            "import dev.bulwark.grpc.client.*;",
            "import dev.bulwark.grpc.server.*;",
            "import dev.bulwark.grpc.test.*;",
            "import dev.bulwark.http.*;",
            "import dev.bulwark.http.server.*;",
            "import dev.bulwark.opentelemetry.*;",
            "import dev.bulwark.config.*;",
            "import dev.bulwark.logging.*;",
            "import io.etcd.jetcd.Client;",
            "import java.nio.file.Path;",
            "import io.opentelemetry.api.GlobalOpenTelemetry;",
            "import com.sun.net.httpserver.HttpServer;",
            "import java.net.InetSocketAddress;",
            "import io.grpc.Channel;",
            "import io.grpc.ClientInterceptors;",
            "import io.grpc.Status;",
            "import io.opentelemetry.sdk.OpenTelemetrySdk;",
            "import io.grpc.TlsChannelCredentials;",
            "import dev.bulwark.testing.*;",
            "import dev.bulwark.testing.discovery.*;",
            "import dev.bulwark.testing.sim.*;",
            "import io.micrometer.core.instrument.MeterRegistry;",
            "import io.micrometer.core.instrument.simple.SimpleMeterRegistry;",
            "import java.net.URI;",
            "import java.net.http.HttpResponse;",
            "import java.time.Duration;",
            "import java.time.Instant;",
            "import java.util.*;",
            "import java.util.concurrent.*;",
            "import java.util.function.*;");

    /** One example: where it is written, and its code. */
    record Example(String source, int line, String code) {
    }

    @Test
    void everyExampleCompiles() throws IOException {
        Path root = repositoryRoot();
        List<Example> examples = new ArrayList<>();
        examples.addAll(readmeExamples(root));
        examples.addAll(javadocExamples(root));
        assertThat(examples).as("examples found").hasSizeGreaterThan(30);

        List<JavaFileObject> units = new ArrayList<>();
        String dump = System.getProperty("bulwark.examples.dump"); // a folder to write the generated sources to
        for (int i = 0; i < examples.size(); i++) {
            String code = wrap("Example" + i, examples.get(i).code());
            units.add(source("Example" + i, code));
            if (dump != null) {
                Files.createDirectories(Path.of(dump));
                Files.writeString(Path.of(dump, "Example" + i + ".java"), "// " + examples.get(i).source() + ":"
                        + examples.get(i).line() + "\n" + code);
            }
        }
        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        DiagnosticCollector<JavaFileObject> diagnostics = new DiagnosticCollector<>();
        Path out = Files.createTempDirectory("bulwark-examples");
        try (StandardJavaFileManager files = compiler.getStandardFileManager(diagnostics, Locale.ROOT, StandardCharsets.UTF_8)) {
            List<String> options = List.of("-classpath", classPath(), "-d", out.toString(), "-proc:none", "-nowarn",
                    "-Xlint:none", "--release", "17");
            compiler.getTask(null, files, diagnostics, options, null, units).call();
        }
        List<String> errors = new ArrayList<>();
        for (Diagnostic<? extends JavaFileObject> d : diagnostics.getDiagnostics()) {
            if (d.getKind() == Diagnostic.Kind.ERROR) {
                int index = Integer.parseInt(d.getSource().getName().replaceAll(".*Example(\\d+)\\.java", "$1"));
                Example e = examples.get(index);
                long lineInExample = d.getLineNumber() - headerLines();
                errors.add(e.source() + ":" + (e.line() + lineInExample) + ": " + d.getMessage(Locale.ROOT));
            }
        }
        assertThat(errors).as("examples that do not compile").isEmpty();
    }

    private static List<Example> readmeExamples(Path root) throws IOException {
        String readme = Files.readString(root.resolve("README.md"));
        List<Example> found = new ArrayList<>();
        Matcher m = README_BLOCK.matcher(readme);
        while (m.find()) {
            found.add(new Example("README.md", lineOf(readme, m.start(1)), m.group(1)));
        }
        return found;
    }

    private static List<Example> javadocExamples(Path root) throws IOException {
        List<Example> found = new ArrayList<>();
        List<Path> sources;
        try (Stream<Path> modules = Files.list(root)) {
            sources = modules.filter(p -> p.getFileName().toString().startsWith("bulwark-"))
                    .filter(p -> !NOT_LIBRARIES.contains(p.getFileName().toString()))
                    .map(p -> p.resolve("src/main/java")).filter(Files::isDirectory).toList();
        }
        for (Path dir : sources) {
            List<Path> files;
            try (Stream<Path> walk = Files.walk(dir)) {
                files = walk.filter(p -> p.toString().endsWith(".java")).sorted().toList();
            }
            for (Path file : files) {
                String text = Files.readString(file);
                Matcher m = JAVADOC_BLOCK.matcher(text);
                while (m.find()) {
                    String code = m.group(1).lines().map(l -> l.replaceFirst("^\\s*\\* ?", ""))
                            .reduce("", (a, b) -> a + b + "\n")
                            .replace("&lt;", "<").replace("&gt;", ">").replace("&#64;", "@").replace("&amp;", "&");
                    found.add(new Example(root.relativize(file).toString(), lineOf(text, m.start(1)), code));
                }
            }
        }
        return found;
    }

    private static String wrap(String name, String code) {
        String body = code.strip();
        if (!body.contains(";")) {
            body = "Object value = " + body + ";"; // an expression, shown for its value
        }
        return "package examples;\n" + IMPORTS + "\n" + "class " + name + " extends dev.bulwark.examples.Given {\n"
                + "void example() throws Exception {\n" + body + "\n}\n}\n";
    }

    private static int headerLines() {
        return 1 + IMPORTS.split("\n").length + 2;
    }

    private static int lineOf(String text, int offset) {
        int line = 1;
        for (int i = 0; i < offset; i++) {
            if (text.charAt(i) == '\n') {
                line++;
            }
        }
        return line;
    }

    private static JavaFileObject source(String name, String code) {
        return new SimpleJavaFileObject(URI.create("string:///examples/" + name + ".java"), JavaFileObject.Kind.SOURCE) {
            @Override
            public CharSequence getCharContent(boolean ignoreEncodingErrors) {
                return code;
            }
        };
    }

    /** The test class path: surefire hands it over in a property; java.class.path may be a manifest-only jar. */
    private static String classPath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static Path repositoryRoot() {
        Path dir = Path.of("").toAbsolutePath();
        while (dir != null && !Files.exists(dir.resolve("README.md"))) {
            dir = dir.getParent();
        }
        assertThat(dir).as("the repository root, holding README.md").isNotNull();
        return dir;
    }
}
