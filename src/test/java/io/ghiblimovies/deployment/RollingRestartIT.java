package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiWireMock;
import io.ghiblimovies.testing.Nginx;

/**
 * A rolling restart as an orchestrator does it, behind Debian's nginx: two packaged instances take
 * steady traffic; each in turn gets SIGTERM, turns its readiness DOWN while it still answers for
 * the shutdown delay (README's 5 s), finishes what is in flight, exits, and is replaced on the same
 * port. Not one request may fail.
 */
class RollingRestartIT {

    private static final Duration DEADLINE = AppProcess.DEADLINE;
    /**
     * quarkus.shutdown.delay, README's default: readiness is DOWN from SIGTERM until it ends, so that
     * is as long as the test can see it; the longest it took to see, with one core kept busy, is in
     * docs/testing.md, far inside it.
     */
    private static final Duration SHUTDOWN_DELAY = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void replacingBothInstancesUnderSteadyTrafficFailsNoRequest() throws Exception {
        List<Integer> ports = List.of(GhibliApiWireMock.freePort(), GhibliApiWireMock.freePort());
        AppProcess first = start("rolling-a", ports.get(0));
        AppProcess second = start("rolling-b", ports.get(1));
        first.awaitMovies(DEADLINE);
        second.awaitMovies(DEADLINE);
        AtomicInteger answered = new AtomicInteger();
        ConcurrentLinkedQueue<String> failed = new ConcurrentLinkedQueue<>();
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(4);
        try (Nginx nginx = Nginx.roundRobin(ports.get(0), ports.get(1))) {
            URI movies = URI.create("http://127.0.0.1:" + nginx.port() + "/movies/");
            for (int i = 0; i < 4; i++) {
                clients.execute(() -> {
                    while (running.get()) {
                        send(movies, answered, failed);
                    }
                });
            }
            await().atMost(DEADLINE).until(() -> answered.get() > 200);

            first = replace(first, "rolling-a2", ports.get(0));
            second = replace(second, "rolling-b2", ports.get(1));
            int before = answered.get();
            await().atMost(DEADLINE).until(() -> answered.get() > before + 200);
            stop(running, clients); // before nginx goes
        } finally {
            stop(running, clients);
            first.close();
            second.close();
        }

        System.out.printf("Rolling restart through nginx: %d requests answered 200, %d failed%n", answered.get(),
                failed.size());
        assertThat(failed).as("requests that failed during the rolling restart").isEmpty();
    }

    private static void stop(AtomicBoolean running, ExecutorService clients) throws InterruptedException {
        running.set(false);
        clients.shutdown();
        assertThat(clients.awaitTermination(20, TimeUnit.SECONDS)).isTrue();
    }

    /** Stops {@code old} as an orchestrator does and starts its replacement on the same port. */
    private AppProcess replace(AppProcess old, String name, int port) {
        long signalled = System.nanoTime();
        old.terminate();
        // readiness goes DOWN at once, while the instance still answers for the shutdown delay
        await().atMost(SHUTDOWN_DELAY).pollInterval(Duration.ofMillis(50))
                .until(() -> old.management("/q/health/ready").map(HttpResponse::statusCode).orElse(0) == 503);
        Duration down = Duration.ofNanos(System.nanoTime() - signalled);
        assertThat(old.get("/movies/", "application/json").orElseThrow().statusCode()).isEqualTo(200);
        Duration answering = Duration.ofNanos(System.nanoTime() - signalled);
        System.out.printf("RollingRestartIT: readiness DOWN seen %d ms after SIGTERM, /movies/ answered 200 %d ms after%n",
                down.toMillis(), answering.toMillis());
        assertThat(answering).as("still answering within the shutdown delay").isLessThan(SHUTDOWN_DELAY);
        assertThat(old.awaitExit(DEADLINE)).as("the old instance stopped; its output:%n%s", old.output()).isNotNull();
        assertThat(old.output()).contains("stopped in").doesNotContain("ERROR");
        AppProcess replacement = start(name, port);
        replacement.awaitMovies(DEADLINE);
        // An orchestrator replaces the next instance only once this one is in rotation. nginx has no
        // readiness probe: it skips an instance that failed for fail_timeout (10 s) and then tries it
        // again, so "in rotation" is seen here as the replacement answering traffic that came through
        // nginx. Stopping the other instance earlier leaves nginx no live upstream: 502s.
        double direct = replacement.metric("movies_answers_total");
        await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100))
                .until(() -> replacement.metric("movies_answers_total") > direct + 20);
        return replacement;
    }

    private AppProcess start(String name, int port) {
        return AppProcess.start(name, Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(), "MOVIES_SNAPSHOT_ENABLED", "false",
                "QUARKUS_HTTP_PORT", Integer.toString(port), "QUARKUS_SHUTDOWN_DELAY", SHUTDOWN_DELAY.toSeconds() + "s"));
    }

    private static void send(URI uri, AtomicInteger answered, ConcurrentLinkedQueue<String> failed) {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(uri).header("Accept", "application/json")
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding());
            if (response.statusCode() == 200) {
                answered.incrementAndGet();
            } else {
                failed.add("HTTP " + response.statusCode());
            }
        } catch (IOException e) {
            failed.add(e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
