package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import io.ghiblimovies.testing.Prometheus;
import io.ghiblimovies.testing.Servers;

/**
 * The alerting rules an operator loads as they are ({@code deploy/prometheus/alerts.yaml}) are valid
 * and pass their unit tests ({@code alerts.test.yaml}: each alert fires when it should and not when
 * it should not), and the example scrape configuration next to them is valid: all run by Debian's
 * {@code promtool}. (Its Kubernetes example cannot be checked: Debian builds Prometheus without
 * Kubernetes discovery.)
 */
class AlertRulesTest {

    private static final Path RULES = Path.of("deploy", "prometheus");

    @Test
    void theRulesAreValid() {
        String output = promtool("check", "rules", "alerts.yaml");

        assertThat(output).contains("SUCCESS: 5 rules found");
    }

    /** The example scrape configuration docs/kubernetes.md gives, with the rules next to it. */
    @Test
    void theExampleConfigurationIsValid() {
        String output = promtool("check", "config", "prometheus-compose.yaml");

        assertThat(output).contains("SUCCESS: 1 rule files found").contains("SUCCESS: 5 rules found");
    }

    @Test
    void eachAlertFiresWhenItShouldAndNotWhenItShouldNot() {
        String output = promtool("test", "rules", "alerts.test.yaml");

        assertThat(output).contains("SUCCESS");
    }

    /** Runs promtool in deploy/prometheus; fails the test with promtool's output if it fails. */
    private static String promtool(String... arguments) {
        Prometheus.requirePromtool();
        List<String> command = new ArrayList<>(List.of(Prometheus.PROMTOOL.toString()));
        command.addAll(List.of(arguments));
        return Servers.run(RULES, Duration.ofSeconds(60), command);
    }
}
