package io.ghiblimovies.testing;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.wireMockConfig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Map;

import com.github.tomakehurst.wiremock.WireMockServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A fake Ghibli API on a free loopback port, serving the fixtures from its first request on, so
 * that the app's startup refresh finds a healthy API. Tests reach it through a
 * {@code @InjectGhibliApi WireMockServer} field.
 * <p>
 * Started with the argument {@code upstream=down}, it answers every request with 503 until a
 * test stubs it otherwise.
 */
public class GhibliApiWireMock implements QuarkusTestResourceLifecycleManager {

    public static final String UPSTREAM = "upstream";
    public static final String DOWN = "down";

    private WireMockServer server;
    private boolean down;

    @Override
    public void init(Map<String, String> initArgs) {
        down = DOWN.equals(initArgs.get(UPSTREAM));
    }

    @Override
    public Map<String, String> start() {
        server = startOnLoopback();
        if (down) {
            GhibliApiStubs.down(server);
        } else {
            GhibliApiStubs.healthy(server);
        }
        return Map.of("ghibli.api.url", server.baseUrl());
    }

    /** A started WireMock server on a free loopback port, with no stubs yet. */
    public static WireMockServer startOnLoopback() {
        WireMockServer server = new WireMockServer(wireMockConfig().port(freePort()).bindAddress("127.0.0.1"));
        server.start();
        return server;
    }

    /**
     * A free loopback port, fixed for the life of the server, so that a test can stop the fake
     * API (connection refused) and start it again at the same address.
     */
    public static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void inject(TestInjector testInjector) {
        testInjector.injectIntoFields(server,
                new TestInjector.AnnotatedAndMatchesType(InjectGhibliApi.class, WireMockServer.class));
    }

    @Override
    public void stop() {
        if (server != null) {
            server.stop();
        }
    }
}
