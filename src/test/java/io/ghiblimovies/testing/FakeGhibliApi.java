package io.ghiblimovies.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import com.github.tomakehurst.wiremock.junit5.WireMockExtension;
import com.github.tomakehurst.wiremock.junit5.WireMockRuntimeInfo;

/**
 * The fake Ghibli API for tests that start the packaged app as a process: WireMock's own JUnit
 * extension, on a loopback port of its own for each test, serving the fixtures when the test
 * starts and stopped after it. Register it on an instance field:
 * {@code @RegisterExtension final FakeGhibliApi ghibliApi = new FakeGhibliApi();}.
 * ({@code @QuarkusTest}s get theirs from {@link GhibliApiWireMock}.)
 */
public final class FakeGhibliApi extends WireMockExtension {

    public FakeGhibliApi() {
        super(WireMockExtension.newInstance().options(wireMockConfig().dynamicPort().bindAddress("127.0.0.1")));
    }

    @Override
    protected void onBeforeEach(WireMockRuntimeInfo runtime) {
        GhibliApiStubs.healthy(this);
    }
}
