package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.ghiblimovies.testing.Prometheus;

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
    void theRulesAreValid() throws Exception {
        String output = promtool("check", "rules", "alerts.yaml");

        assertThat(output).contains("SUCCESS: 5 rules found");
    }

    /** The example scrape configuration docs/kubernetes.md gives, with the rules next to it. */
    @Test
    void theExampleConfigurationIsValid() throws Exception {
        String output = promtool("check", "config", "prometheus-compose.yaml");

        assertThat(output).contains("SUCCESS: 1 rule files found").contains("SUCCESS: 5 rules found");
    }

    @Test
    void eachAlertFiresWhenItShouldAndNotWhenItShouldNot() throws Exception {
        String output = promtool("test", "rules", "alerts.test.yaml");

        assertThat(output).contains("SUCCESS");
    }

    /** Runs promtool in deploy/prometheus; fails the test with promtool's output if it fails. */
    private static String promtool(String... arguments) throws IOException, InterruptedException {
        Prometheus.requirePromtool();
        List<String> command = new ArrayList<>(List.of(Prometheus.PROMTOOL.toString()));
        command.addAll(List.of(arguments));
        Process process = new ProcessBuilder(command).directory(RULES.toFile()).redirectErrorStream(true).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("promtool " + String.join(" ", arguments) + " ran for over 60 s");
        }
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.exitValue()).as("promtool %s:%n%s", String.join(" ", arguments), output).isZero();
        return output;
    }
}
