package io.ghiblimovies.web;

import io.quarkus.test.junit.QuarkusIntegrationTest;

/** The same user-visible behaviour, against the packaged application. */
@QuarkusIntegrationTest
class MoviesRouteIT extends MoviesRouteTests {
}
