package io.ghiblimovies.deployment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.lang.reflect.Method;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;

/**
 * No cluster here, so this reads what quarkus-kubernetes generated ({@code target/kubernetes/
 * kubernetes.json}) and holds it against the packaged app: every probe's path answers on the
 * port the manifest names, the environment variables are settings the app knows, the snapshot's
 * folder is the volume, the grace period covers the shutdown, and nothing of the build machine is
 * baked in.
 */
class KubernetesManifestIT {

    private static final Path MANIFEST = Path.of("target", "kubernetes", "kubernetes.json");

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void everyProbeAnswersOnThePortTheManifestNames() throws IOException {
        JsonNode container = deployment().at("/spec/template/spec/containers/0");
        List<JsonNode> probes = List.of(container.get("startupProbe"), container.get("livenessProbe"),
                container.get("readinessProbe"));
        int port = probes.get(0).at("/httpGet/port").asInt();
        assertThat(probes).allSatisfy(probe -> assertThat(probe.at("/httpGet/port").asInt()).isEqualTo(port));
        assertThat(probes).extracting(probe -> probe.at("/httpGet/path").asText())
                .containsExactly("/q/health/started", "/q/health/live", "/q/health/ready");
        assertThat(portNamed(container, "management")).isEqualTo(port);
        int http = portNamed(container, "http");

        // the packaged app, with the ports the manifest names
        Map<String, String> settings = new HashMap<>(environment(container));
        settings.put("GHIBLI_API_URL", ghibliApi.baseUrl());
        settings.put("MOVIES_SNAPSHOT_ENABLED", "false");
        settings.put("QUARKUS_MANAGEMENT_PORT", Integer.toString(port));
        try (AppProcess app = AppProcess.start("kubernetes-probes", settings)) {
            app.awaitMovies(AppProcess.DEADLINE);
            for (JsonNode probe : probes) {
                String path = probe.at("/httpGet/path").asText();
                HttpResponse<String> answer = await().atMost(Duration.ofSeconds(10))
                        .until(() -> app.management(path).orElse(null), response -> response != null && response.statusCode() == 200);
                assertThat(answer.body()).as(path).contains("\"UP\"");
            }
            // the public port does not serve the probes
            assertThat(app.get("/q/health/ready", "application/json").orElseThrow().statusCode()).isEqualTo(404);
        }
        assertThat(http).isEqualTo(8080);
        assertThat(service().at("/spec/ports/0/targetPort").asInt()).isEqualTo(http);
    }

    @Test
    void theSettingsTheVolumeAndTheGracePeriodFitTheApp() throws IOException {
        JsonNode pod = deployment().at("/spec/template/spec");
        JsonNode container = pod.at("/containers/0");
        Map<String, String> environment = environment(container);

        assertThat(environment).containsKeys("GHIBLI_API_URL", "MOVIES_SNAPSHOT_PATH", "QUARKUS_REDIS_HOSTS");
        String snapshotFolder = Path.of(environment.get("MOVIES_SNAPSHOT_PATH")).getParent().toString();
        assertThat(volumeAt(pod, container, snapshotFolder).has("emptyDir")).isTrue();
        // Redis' CA for TLS from a Secret the pod does without, where docs/kubernetes.md points
        // QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS (/deployments/redis-tls/ca.crt)
        JsonNode redisTls = volumeAt(pod, container, "/deployments/redis-tls");
        assertThat(redisTls.at("/secret/secretName").asText()).isEqualTo("ghibli-movies-redis-tls");
        assertThat(redisTls.at("/secret/optional").asBoolean()).isTrue();
        // SIGTERM, then the 5 s delay and up to 10 s for requests in flight, before the kill
        assertThat(pod.get("terminationGracePeriodSeconds").asInt()).isGreaterThanOrEqualTo(5 + 10 + 5);
        assertThat(container.at("/resources/requests/memory").asText()).isEqualTo("192Mi");
        assertThat(container.at("/resources/limits/memory").asText()).isEqualTo("320Mi");
        assertThat(deployment().at("/spec/strategy/rollingUpdate/maxUnavailable").asInt()).isZero();
        assertThat(deployment().at("/spec/strategy/rollingUpdate/maxSurge").asInt()).isEqualTo(1);
        // Redis' password and user from a Secret, which the pod does without (one replica alone); no
        // value here
        Map<String, String> fromSecret = new HashMap<>();
        for (JsonNode variable : container.get("env")) {
            JsonNode reference = variable.at("/valueFrom/secretKeyRef");
            if (!reference.isMissingNode()) {
                assertThat(reference.at("/name").asText()).isEqualTo("ghibli-movies-redis");
                assertThat(reference.at("/optional").asBoolean()).as(reference.toString()).isTrue();
                fromSecret.put(variable.get("name").asText(), reference.at("/key").asText());
            }
        }
        assertThat(fromSecret).containsExactlyInAnyOrderEntriesOf(
                Map.of("QUARKUS_REDIS_PASSWORD", "password", "MOVIES_FLEET_REDIS_USER", "user"));
        assertThat(environment).doesNotContainKeys("QUARKUS_REDIS_PASSWORD", "MOVIES_FLEET_REDIS_USER");
        assertThat(environment).containsEntry("QUARKUS_MANAGEMENT_HOST", "0.0.0.0")
                .containsEntry("QUARKUS_LOG_CONSOLE_JSON_ENABLED", "true");
    }

    /**
     * Every resource read into Kubernetes' own model (fabric8's, generated from the API's OpenAPI
     * schema) with unknown fields and wrong types refused, and, where that schema says only
     * "int-or-string", the API server's own rule: a string must be a percentage ("25%"); "1" is
     * refused by {@code kubectl apply}, as a manifest with {@code maxSurge: "1"} once was.
     */
    @Test
    void everyResourceIsOneTheApiServerAccepts() throws IOException {
        ObjectMapper strict = JsonMapper.builder().disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT).build();
        Map<String, Class<?>> kinds = Map.of("Deployment", Deployment.class, "Service", Service.class,
                "PodDisruptionBudget", PodDisruptionBudget.class);
        List<String> read = new ArrayList<>();
        for (JsonNode resource : new ObjectMapper().readTree(MANIFEST.toFile())) {
            String kind = resource.path("kind").asText();
            assertThat(kinds).as("a kind this test knows").containsKey(kind);
            assertKnowsEveryField(strict.treeToValue(resource, kinds.get(kind)), kind);
            read.add(kind);
        }
        assertThat(read).containsExactlyInAnyOrder("Deployment", "Service", "PodDisruptionBudget");

        JsonNode rollingUpdate = deployment().at("/spec/strategy/rollingUpdate");
        assertIntOrPercentage(rollingUpdate.get("maxSurge"), "maxSurge");
        assertIntOrPercentage(rollingUpdate.get("maxUnavailable"), "maxUnavailable");
        JsonNode budget = resource("PodDisruptionBudget").get("spec");
        assertIntOrPercentage(budget.get("maxUnavailable"), "the budget's maxUnavailable");
        assertThat(budget.at("/selector/matchLabels")).isEqualTo(deployment().at("/spec/selector/matchLabels"));
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            JsonNode port = deployment().at("/spec/template/spec/containers/0/" + probe + "/httpGet/port");
            // int-or-string here too: a number, or the name of one of the container's ports
            assertThat(port.isInt() || port.isTextual()).as(probe + "'s port").isTrue();
        }
    }

    /** The model keeps the fields it does not know aside, rather than refusing them: none may be there. */
    private static void assertKnowsEveryField(Object node, String path) {
        if (node instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                assertKnowsEveryField(item, path + "[" + i++ + "]");
            }
        } else if (node instanceof Map<?, ?> entries) {
            entries.forEach((key, value) -> assertKnowsEveryField(value, path + "." + key));
        } else if (node != null && node.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            for (Method getter : node.getClass().getMethods()) {
                if (getter.getParameterCount() == 0 && getter.getName().startsWith("get")
                        && getter.getDeclaringClass().getPackageName().startsWith("io.fabric8")) {
                    Object value;
                    try {
                        value = getter.invoke(node);
                    } catch (ReflectiveOperationException e) {
                        throw new AssertionError(e);
                    }
                    if (getter.getName().equals("getAdditionalProperties")) {
                        assertThat((Map<?, ?>) value).as("%s: fields Kubernetes does not know", path).isEmpty();
                    } else {
                        assertKnowsEveryField(value, path + "." + getter.getName().substring(3));
                    }
                }
            }
        }
    }

    private static void assertIntOrPercentage(JsonNode value, String what) {
        assertThat(value).as(what).isNotNull();
        assertThat(value.isInt() || value.isTextual() && value.asText().matches("\\d+%"))
                .as("%s is %s: an int-or-string field takes a number, or a string only as a percentage", what, value)
                .isTrue();
    }

    @Test
    void nothingOfTheBuildMachineIsBakedIn() throws IOException {
        String manifest = java.nio.file.Files.readString(MANIFEST);

        assertThat(manifest).doesNotContain("build-timestamp").doesNotContain("commit-id").doesNotContain("vcs-uri")
                .doesNotContain(System.getProperty("user.dir")).doesNotContain(System.getProperty("user.home"))
                .doesNotContain(System.getProperty("user.name") + "/");
        assertThat(deployment().at("/spec/template/spec/containers/0/image").asText()).isEqualTo("ghibli-movies:jvm");
    }

    private static JsonNode deployment() throws IOException {
        return resource("Deployment");
    }

    private static JsonNode service() throws IOException {
        return resource("Service");
    }

    private static JsonNode resource(String kind) throws IOException {
        for (JsonNode resource : new ObjectMapper().readTree(MANIFEST.toFile())) {
            if (kind.equals(resource.path("kind").asText())) {
                return resource;
            }
        }
        throw new AssertionError("no " + kind + " in " + MANIFEST);
    }

    private static int portNamed(JsonNode container, String name) {
        for (JsonNode port : container.get("ports")) {
            if (name.equals(port.path("name").asText())) {
                return port.get("containerPort").asInt();
            }
        }
        throw new AssertionError("no port named " + name);
    }

    /** The pod's volume mounted at {@code path} (read-only unless it is the snapshot's). */
    private static JsonNode volumeAt(JsonNode pod, JsonNode container, String path) {
        for (JsonNode mount : container.get("volumeMounts")) {
            if (mount.get("mountPath").asText().equals(path)) {
                assertThat(mount.path("readOnly").asBoolean()).as("%s read-only", path)
                        .isEqualTo(!path.equals("/deployments/data"));
                for (JsonNode volume : pod.get("volumes")) {
                    if (volume.get("name").asText().equals(mount.get("name").asText())) {
                        return volume;
                    }
                }
            }
        }
        throw new AssertionError("no volume mounted at " + path + " in " + container.get("volumeMounts"));
    }

    /** The container's plain environment variables (not those read from the pod's fields). */
    private static Map<String, String> environment(JsonNode container) {
        Map<String, String> environment = new HashMap<>();
        List<String> names = new ArrayList<>();
        for (JsonNode variable : container.get("env")) {
            names.add(variable.get("name").asText());
            if (variable.has("value")) {
                environment.put(variable.get("name").asText(), variable.get("value").asText());
            }
        }
        assertThat(names).doesNotHaveDuplicates();
        return environment;
    }
}
