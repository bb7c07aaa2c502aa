package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.InstanceOfAssertFactories.MAP;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.BreakerSettings;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.GhibliApiStubs;
import io.ghiblimovies.testing.Prometheus;

/**
 * Debian's real Prometheus scrapes the packaged app's management port with
 * {@code deploy/prometheus/alerts.yaml} loaded as it is: the API goes down, the stale alert fires in
 * Prometheus' own {@code /api/v1/alerts} once its {@code for} has passed, and clears when the API is back.
 */
class AlertsIT {

    private static final Duration DEADLINE = AppProcess.DEADLINE;
    private static final String STALE = "GhibliMoviesReplicaServesStale";
    /** The stale alert's {@code for}, as the rules file says it. */
    private static final Duration STALE_FOR = ruleFor(STALE);
    /** What Prometheus adds to an alert's {@code for}: a scrape to see the value, an evaluation to act on it. */
    private static final Duration SCRAPE_AND_EVALUATION = Prometheus.INTERVAL.multipliedBy(2);
    /** For a slow machine: a scrape or an evaluation late, and the 200 ms this test polls. */
    private static final Duration LATE = Duration.ofSeconds(2);

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void theStaleAlertFiresInPrometheusWhenTheApiIsDownAndClearsWhenItIsBack() {
        Map<String, String> settings = Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(),
                "MOVIES_REFRESH_INTERVAL", "1s",
                "MOVIES_MAX_AGE", "2s",
                "MOVIES_STARTUP_WAIT", "200ms",
                "MOVIES_SNAPSHOT_ENABLED", "false");
        try (AppProcess app = AppProcess.start("alerts", settings, BreakerSettings.breakerDelay(200, Map.of()));
                Prometheus prometheus = Prometheus.scraping(app.managementPort())) {
            app.awaitMovies(DEADLINE);
            String instance = "127.0.0.1:" + app.managementPort();

            // healthy and scraped a few times: nothing pending, nothing firing
            await().atMost(DEADLINE).until(() -> prometheus.query("count_over_time(catalog_stale[1m])").orElse(0d) >= 3);
            assertThat(prometheus.alerts()).isEmpty();
            assertThat(prometheus.query("catalog_max_age_seconds")).contains(2d);

            GhibliApiStubs.down(ghibliApi);
            // the app turned stale after the start of the last look that saw it fresh, and before the first that saw it stale
            AtomicLong lastSeenFresh = new AtomicLong(System.nanoTime());
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> {
                long asked = System.nanoTime();
                boolean stale = app.metric("catalog_stale") == 1;
                if (!stale) {
                    lastSeenFresh.set(asked);
                }
                return stale;
            });
            long seenStale = System.nanoTime();
            await().atMost(STALE_FOR.plus(DEADLINE)).pollInterval(Duration.ofMillis(200))
                    .until(() -> state(prometheus, STALE).equals("firing"));
            long firingSeen = System.nanoTime();
            Duration atLeast = Duration.ofNanos(firingSeen - lastSeenFresh.get());
            Duration atMost = Duration.ofNanos(firingSeen - seenStale);
            System.out.printf("AlertsIT: %s firing %d to %d ms after the app turned stale (for: %d s)%n", STALE,
                    atMost.toMillis(), atLeast.toMillis(), STALE_FOR.toSeconds());
            assertThat(atLeast).as("not before its for").isGreaterThanOrEqualTo(STALE_FOR);
            assertThat(atMost).as("within its for, a scrape and an evaluation")
                    .isLessThanOrEqualTo(STALE_FOR.plus(SCRAPE_AND_EVALUATION).plus(LATE));
            Map<String, Object> alert = alert(prometheus, STALE).orElseThrow();
            assertThat(alert).extractingByKey("labels").asInstanceOf(MAP)
                    .containsEntry("instance", instance).containsEntry("severity", "warning");
            assertThat(alert).extractingByKey("annotations").asInstanceOf(MAP)
                    .containsEntry("summary", instance + " serves the last good catalog, marked stale");
            // refreshes every second, all failing: that alert has no for, and fires too
            assertThat(state(prometheus, "GhibliMoviesRefreshesFailing")).isEqualTo("firing");

            GhibliApiStubs.healthy(ghibliApi);
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(100)).until(() -> app.metric("catalog_stale") == 0);
            long freshAt = System.nanoTime();
            await().atMost(DEADLINE).pollInterval(Duration.ofMillis(200)).until(() -> prometheus.alerts().isEmpty());
            Duration cleared = Duration.ofNanos(System.nanoTime() - freshAt);
            System.out.printf("AlertsIT: every alert cleared %d ms after the app was fresh again%n", cleared.toMillis());
            assertThat(cleared).isLessThanOrEqualTo(SCRAPE_AND_EVALUATION.plus(LATE));
            assertThat(prometheus.output()).doesNotContain("level=error").doesNotContain("level=warn");
        }
    }

    /** The state of the alert named so, {@code pending} or {@code firing}, or {@code inactive} when Prometheus lists none. */
    private static String state(Prometheus prometheus, String name) {
        return alert(prometheus, name).map(alert -> (String) alert.get("state")).orElse("inactive");
    }

    private static Optional<Map<String, Object>> alert(Prometheus prometheus, String name) {
        return prometheus.alerts().stream()
                .filter(alert -> name.equals(((Map<?, ?>) alert.get("labels")).get("alertname"))).findFirst();
    }

    private static Duration ruleFor(String alert) {
        try {
            String rules = Files.readString(Path.of("deploy", "prometheus", "alerts.yaml"));
            Matcher rule = Pattern.compile("- alert: " + alert + "\\n(?:(?!- alert:).*\\n)*?\\s+for: (\\d+)s\\n").matcher(rules);
            if (!rule.find()) {
                throw new IllegalStateException("deploy/prometheus/alerts.yaml has no for in seconds for " + alert);
            }
            return Duration.ofSeconds(Long.parseLong(rule.group(1)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
