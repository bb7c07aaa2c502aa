package io.ghiblimovies.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.awaitility.Awaitility;

import io.restassured.path.json.JsonPath;

/**
 * Debian's Prometheus on a free loopback port, configured as {@code deploy/prometheus/prometheus-compose.yaml}
 * says, with packaged apps' management ports for targets, scraping them every second, and
 * {@code deploy/prometheus/alerts.yaml} loaded as it is and evaluated every second.
 * Without it the tests that need it are skipped, except in CI ({@code CI=true}). Its files (the
 * configuration, the time series, the log) go to {@code target/prometheus-<port>/}.
 */
public final class Prometheus implements AutoCloseable {

    public static final Path PROMTOOL = Path.of(System.getProperty("promtool.binary", "/usr/bin/promtool"));
    private static final Path BINARY = Path.of(System.getProperty("prometheus.binary", "/usr/bin/prometheus"));
    private static final Path RULES = Path.of("deploy", "prometheus", "alerts.yaml").toAbsolutePath();
    private static final Path EXAMPLE = Path.of("deploy", "prometheus", "prometheus-compose.yaml");
    /** How often it scrapes and evaluates the rules. */
    public static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final int port;
    private final Process process;
    private final Path log;

    private Prometheus(int port, Process process, Path log) {
        this.port = port;
        this.process = process;
        this.log = log;
    }

    public static void requirePromtool() {
        DebianPackages.require(Files.isExecutable(PROMTOOL), "Alerting rule tests",
                "no promtool at " + PROMTOOL + " (apt-get install prometheus)");
    }

    /** Prometheus scraping {@code /q/metrics} of the management ports given, as job {@code ghibli-movies}. */
    public static Prometheus scraping(int... managementPorts) {
        DebianPackages.require(Files.isExecutable(BINARY), "Prometheus tests",
                "no prometheus at " + BINARY + " (apt-get install prometheus)");
        int port = GhibliApiWireMock.freePort();
        Path folder = Path.of("target", "prometheus-" + port).toAbsolutePath();
        StringBuilder targets = new StringBuilder();
        for (int managementPort : managementPorts) {
            targets.append(targets.isEmpty() ? "" : ", ").append("'127.0.0.1:").append(managementPort).append('\'');
        }
        // the example docs/kubernetes.md gives, its targets these ports, every second, the rules found where it is
        String shipped = Nginx.read(EXAMPLE);
        String config = shipped.replace("scrape_interval: 15s", "scrape_interval: " + INTERVAL.toSeconds() + "s")
                .replace("evaluation_interval: 15s", "evaluation_interval: " + INTERVAL.toSeconds() + "s")
                .replace("  - alerts.yaml", "  - '" + RULES + "'")
                .replace("['replica-1:9000', 'replica-2:9000', 'replica-3:9000']", "[" + targets + "]");
        if (config.equals(shipped) || config.contains("replica-1") || config.contains("15s") || !config.contains(RULES.toString())) {
            throw new IllegalStateException(EXAMPLE + " no longer has the lines this test replaces");
        }
        try {
            Files.createDirectories(folder);
            Path file = Files.writeString(folder.resolve("prometheus.yml"), config);
            Path log = folder.resolve("prometheus.log");
            Process process = new ProcessBuilder(BINARY.toString(), "--config.file=" + file,
                    "--storage.tsdb.path=" + folder.resolve("data"), "--web.listen-address=127.0.0.1:" + port)
                    .redirectErrorStream(true).redirectOutput(log.toFile()).start();
            Prometheus prometheus = new Prometheus(port, process, log);
            long started = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("prometheus stopped: " + Files.readString(log));
                }
                try {
                    return prometheus.get("/-/ready").statusCode() == 200;
                } catch (UncheckedIOException notListeningYet) {
                    return false;
                }
            });
            System.out.printf("Prometheus: ready in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            return prometheus;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The alerts pending or firing now, as {@code GET /api/v1/alerts} tells them. */
    public List<Map<String, Object>> alerts() {
        return JsonPath.from(get("/api/v1/alerts").body()).getList("data.alerts");
    }

    /** The first value of an instant query's answer, if any. */
    public Optional<Double> query(String promql) {
        JsonPath answer = JsonPath.from(get("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8)).body());
        List<Object> value = answer.getList("data.result[0].value");
        return value == null ? Optional.empty() : Optional.of(Double.parseDouble(value.get(1).toString()));
    }

    /** What it logged: rule evaluation errors and failed scrapes show here. */
    public String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private HttpResponse<String> get(String path) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        Servers.stop(process);
    }
}
