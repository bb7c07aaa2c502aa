package io.ghiblimovies.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.restassured.path.json.JsonPath;

/**
 * The packaged application (the native executable when one was built, else the jar) run as a
 * process of its own on a free loopback port, for what only a real process shows: restarts,
 * shutdown, startup failures. Its output goes to a file under {@code target/app-processes/}.
 */
public final class AppProcess implements AutoCloseable {

    /**
     * The longest a test waits for a packaged app to do what it will do (start and answer, take a
     * catalog, stop): over three times the slowest start measured with one core kept busy (16.4 s,
     * three replicas starting together), so never a bound on how fast it is.
     */
    public static final Duration DEADLINE = Duration.ofSeconds(60);

    /** The packaged jar, as every process here runs it. */
    public static final Path JAR = Path.of("target", "quarkus-app", "quarkus-run.jar").toAbsolutePath();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /**
     * How long a stop may take once the shutdown delay is over: the 20 s of grace docs/containers.md
     * gives a container less its 5 s delay (the requests in flight get 10 s of that).
     */
    private static final Duration STOP_BOUND = Duration.ofSeconds(15);

    private final Process process;
    private final int port;
    private final int managementPort;
    private final Path log;

    private AppProcess(Process process, int port, int managementPort, Path log) {
        this.process = process;
        this.port = port;
        this.managementPort = managementPort;
        this.log = log;
    }

    /** Starts the app with these environment variables (on top of a free port). */
    public static AppProcess start(String name, Map<String, String> environment) {
        return start(name, environment, Map.of());
    }

    /** Starts the app with these environment variables and system properties. */
    public static AppProcess start(String name, Map<String, String> environment, Map<String, String> properties) {
        return start(name, environment, properties, List.of());
    }

    /**
     * Starts the app with these environment variables, system properties and, for the jar, these
     * JVM options (a native executable takes none).
     */
    public static AppProcess start(String name, Map<String, String> environment, Map<String, String> properties,
            List<String> jvmOptions) {
        Path runner = Path.of(System.getProperty("native.image.path", "target/none-runner"));
        return start(name, environment, properties, jvmOptions, Files.isExecutable(runner) ? runner : JAR);
    }

    /**
     * Starts {@code app} (a native executable, or the {@code quarkus-run.jar} of a packaged app) with
     * these environment variables, system properties and, for a jar, these JVM options.
     */
    public static AppProcess start(String name, Map<String, String> environment, Map<String, String> properties,
            List<String> jvmOptions, Path app) {
        // the ports a test asks for (a replacement instance takes its predecessor's), or free ones
        int port = Integer.parseInt(environment.getOrDefault("QUARKUS_HTTP_PORT",
                Integer.toString(GhibliApiWireMock.freePort())));
        int managementPort = Integer.parseInt(environment.getOrDefault("QUARKUS_MANAGEMENT_PORT",
                Integer.toString(GhibliApiWireMock.freePort())));
        Path log = Path.of("target", "app-processes", name + "-" + System.nanoTime() + ".log");
        List<String> command = new ArrayList<>();
        List<String> options = properties.entrySet().stream().map(p -> "-D" + p.getKey() + "=" + p.getValue()).toList();
        if (!app.toString().endsWith(".jar")) {
            command.add(app.toAbsolutePath().toString());
            command.addAll(options);
        } else {
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(jvmOptions);
            command.addAll(options);
            command.add("-jar");
            command.add(app.toAbsolutePath().toString());
        }
        try {
            Files.createDirectories(log.getParent());
            ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            builder.environment().put("QUARKUS_HTTP_PORT", Integer.toString(port));
            builder.environment().put("QUARKUS_HTTP_HOST", "127.0.0.1");
            builder.environment().put("QUARKUS_MANAGEMENT_PORT", Integer.toString(managementPort));
            builder.environment().put("QUARKUS_MANAGEMENT_HOST", "127.0.0.1");
            // no pause before stopping, unless a test wants one: no balancer drains these
            builder.environment().put("QUARKUS_SHUTDOWN_DELAY", "0s");
            builder.environment().putAll(environment);
            return new AppProcess(builder.start(), port, managementPort, log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The process' id, as the app names itself to others (the fleet's lease). */
    public long pid() {
        return process.pid();
    }

    /** Kills the app at once (SIGKILL), as a crash or an OOM killer would. */
    public void kill() {
        process.destroyForcibly();
        awaitExit(Duration.ofSeconds(10));
    }

    /** The loopback port the app listens on. */
    public int port() {
        return port;
    }

    /** The loopback port of the app's management interface (health, metrics). */
    public int managementPort() {
        return managementPort;
    }

    /** A GET on the management interface (health, metrics); empty while it does not listen yet. */
    public Optional<HttpResponse<String>> management(String path) {
        return get(managementPort, path, "*/*");
    }

    /**
     * The sum of every sample of the Prometheus metric {@code name} (whatever its labels) on the
     * management interface, 0 while it has none; fails while the interface does not listen.
     */
    public double metric(String name) {
        return metric(name, null);
    }

    /**
     * As {@link #metric(String)}, for the samples with exactly {@code labels} as Prometheus prints
     * them ({@code outcome="success"}), or every sample when {@code labels} is null.
     */
    public double metric(String name, String labels) {
        String metrics = management("/q/metrics").orElseThrow().body();
        String labelled = labels == null ? "(\\{[^}]*})?" : "\\{" + Pattern.quote(labels) + ",?}";
        Matcher sample = Pattern.compile("(?m)^" + Pattern.quote(name) + labelled + " (\\S+)$").matcher(metrics);
        double sum = 0;
        while (sample.find()) {
            sum += Double.parseDouble(sample.group(sample.groupCount()));
        }
        return sum;
    }

    /** A GET on the app; empty while it does not listen yet. */
    public Optional<HttpResponse<String>> get(String path, String accept) {
        return get(port, path, accept);
    }

    private static Optional<HttpResponse<String>> get(int port, String path, String accept) {
        try {
            return Optional.of(HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .header("Accept", accept).timeout(Duration.ofSeconds(10)).GET().build(),
                    HttpResponse.BodyHandlers.ofString()));
        } catch (IOException e) {
            return Optional.empty();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The first answer (JSON asked for) the app gives once it listens; fails if the app stops first. */
    public HttpResponse<String> awaitAnswer(String path, Duration deadline) {
        AtomicReference<HttpResponse<String>> answer = new AtomicReference<>();
        await().atMost(deadline).pollInterval(Duration.ofMillis(50)).until(() -> {
            assertThat(isAlive()).as("the app is running; its output:%n%s", output()).isTrue();
            Optional<HttpResponse<String>> response = get(path, "application/json");
            response.ifPresent(answer::set);
            return response.isPresent();
        });
        return answer.get();
    }

    /** The first 200 on {@code /movies/}, as JSON. */
    public JsonPath awaitMovies(Duration deadline) {
        AtomicReference<JsonPath> movies = new AtomicReference<>();
        await().atMost(deadline).until(() -> {
            HttpResponse<String> answer = awaitAnswer("/movies/", deadline);
            if (answer.statusCode() != 200) {
                return false;
            }
            movies.set(JsonPath.from(answer.body()));
            return true;
        });
        return movies.get();
    }

    /** Everything the app printed so far. */
    public String output() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Waits for the process to end by itself; {@code null} if it still runs after {@code deadline}. */
    public Integer awaitExit(Duration deadline) {
        try {
            return process.waitFor(deadline.toMillis(), TimeUnit.MILLISECONDS) ? process.exitValue() : null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Asks the app to stop (SIGTERM, as a container runtime does), without waiting. */
    public void terminate() {
        process.destroy();
    }

    /** Asks the app to stop (SIGTERM, as a container runtime does) and waits for it. */
    public Integer stop(Duration deadline) {
        process.destroy();
        return awaitExit(deadline);
    }

    /**
     * Stops the app (SIGTERM) and checks what a user at the terminal sees: it ends within the grace
     * a container gets ({@link #STOP_BOUND}; the delay is 0 here), with Quarkus' own "stopped in" line
     * once it had started, and no error, no stack trace, no thread left waiting. A stop while the JVM
     * starts waits for the start: 3.9 s at most with one core kept busy.
     */
    public void assertStopsPromptlyAndQuietly() {
        long start = System.nanoTime();
        Integer exit = stop(DEADLINE);
        Duration took = Duration.ofNanos(System.nanoTime() - start);

        String output = output();
        System.out.printf("AppProcess: stopped in %d ms after SIGTERM%n", took.toMillis());
        assertThat(exit).as("the app ended; its output:%n%s", output).isNotNull();
        assertThat(took).as("time to stop; the output:%n%s", output).isLessThan(STOP_BOUND);
        assertThat(output).as("the output").doesNotContain("ERROR").doesNotContain("Exception")
                .doesNotContain("Awaiting thread pool");
        if (output.contains(" started in ")) {
            assertThat(output).as("the output").contains("stopped in");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            awaitExit(Duration.ofSeconds(10));
        }
    }
}
