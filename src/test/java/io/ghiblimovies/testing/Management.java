package io.ghiblimovies.testing;

import org.eclipse.microprofile.config.ConfigProvider;

import io.restassured.RestAssured;
import io.restassured.specification.RequestSpecification;

/**
 * Requests to the management interface (health, metrics, OpenAPI), which listens on a port of its
 * own: {@code quarkus.management.test-port} in tests, 9001 unless set, for {@code @QuarkusTest}s
 * and for the packaged app that {@code @QuarkusIntegrationTest}s start alike.
 */
public final class Management {

    private Management() {
    }

    public static int port() {
        return ConfigProvider.getConfig().getOptionalValue("quarkus.management.test-port", Integer.class).orElse(9001);
    }

    /** RestAssured's {@code given()}, aimed at the management port. */
    public static RequestSpecification given() {
        return RestAssured.given().port(port());
    }
}
