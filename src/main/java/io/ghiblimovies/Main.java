package io.ghiblimovies;

import io.quarkus.runtime.Quarkus;
import io.quarkus.runtime.annotations.QuarkusMain;

/**
 * Starts the service as Quarkus would, with one difference: Quarkus' own check that a request's
 * URI parses ({@code vertx.disableURIValidation}) is left to the router. Quarkus answers a URI it
 * cannot parse with a bare {@code 400} before any handler runs, without the security headers
 * every other answer carries; the router refuses the same paths through
 * {@code web.RefusedRequests}, headers included. The switch is read once, when Quarkus' HTTP
 * layer loads, hence here, before anything else. (Tests set the same property in the build.)
 */
@QuarkusMain
public final class Main {

    private Main() {
    }

    public static void main(String... args) {
        System.setProperty("vertx.disableURIValidation", "true");
        Quarkus.run(args);
    }
}
