package io.ghiblimovies.web;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.ConfigProvider;

import io.quarkus.vertx.http.runtime.HeaderConfig;
import io.quarkus.vertx.http.runtime.VertxHttpConfig;
import io.smallrye.config.SmallRyeConfig;
import io.vertx.core.MultiMap;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * The answer to a request the router refuses before any route sees it (a path with a broken
 * escape such as {@code /movies/%ZZ}): a {@code 400} problem document that carries the same
 * security headers as every other answer. The headers are Quarkus' own
 * {@code quarkus.http.header} settings, read here so that they are written in one place; Quarkus
 * adds them to every routed answer, but a request refused this early is never routed.
 */
@ApplicationScoped
class RefusedRequests {

    private static final CharSequence PROBLEM_JSON = HttpHeaders.createOptimized("application/problem+json");
    private static final CharSequence NO_STORE = HttpHeaders.createOptimized("no-store");

    private final MultiMap securityHeaders = MultiMap.caseInsensitiveMultiMap();
    private final Body badRequest = Body.of(("{\"type\":\"about:blank\",\"title\":\"Bad Request\",\"status\":400,"
            + "\"detail\":\"The request's path cannot be read.\"}").getBytes(StandardCharsets.UTF_8));

    RefusedRequests() {
        Map<String, HeaderConfig> headers = ConfigProvider.getConfig().unwrap(SmallRyeConfig.class)
                .getConfigMapping(VertxHttpConfig.class).header();
        headers.forEach((name, header) -> securityHeaders.add(name, header.value()));
    }

    void register(@Observes Router router) {
        router.errorHandler(400, context -> {
            if (context.response().ended()) {
                return;
            }
            context.response().setStatusCode(400).headers().addAll(securityHeaders)
                    .set(HttpHeaders.CACHE_CONTROL, NO_STORE)
                    .set(HttpHeaders.CONTENT_TYPE, PROBLEM_JSON);
            context.response().end(badRequest.buffer());
        });
    }
}
