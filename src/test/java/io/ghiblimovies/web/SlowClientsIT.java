package io.ghiblimovies.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeGhibliApi;

/**
 * Clients that open a connection, send half a request and then nothing are closed once the
 * idle timeout passes (60 s by default, 2 s here), while everyone else keeps being answered.
 */
class SlowClientsIT {

    private static final Duration DEADLINE = AppProcess.DEADLINE;
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(2);
    private static final int SLOW_CLIENTS = 300;

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();

    @Test
    void theShippedIdleTimeoutIsAMinuteNotQuarkusHalfHour() {
        // what the packaged app reads from its application.properties, as the test above shortens it
        Optional<Duration> shipped = ConfigProvider.getConfig().getOptionalValue("quarkus.http.idle-timeout", Duration.class);

        assertThat(shipped).hasValue(Duration.ofSeconds(60));
    }

    @Test
    void halfSentRequestsAreClosedAfterTheIdleTimeoutWhileOthersAreAnswered() throws IOException {
        try (AppProcess app = AppProcess.start("slow-clients", Map.of("GHIBLI_API_URL", ghibliApi.baseUrl(),
                "MOVIES_SNAPSHOT_ENABLED", "false", "QUARKUS_HTTP_IDLE_TIMEOUT", IDLE_TIMEOUT.toSeconds() + "s"))) {
            app.awaitMovies(DEADLINE);
            List<Socket> slow = new ArrayList<>();
            try {
                long sent = System.nanoTime();
                for (int i = 0; i < SLOW_CLIENTS; i++) {
                    Socket socket = new Socket("127.0.0.1", app.port());
                    socket.getOutputStream().write("GET /movies/ HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\n"
                            .getBytes(StandardCharsets.ISO_8859_1));
                    slow.add(socket);
                }
                // the others are answered meanwhile
                for (int i = 0; i < 20; i++) {
                    assertThat(app.get("/movies/", "application/json").orElseThrow().statusCode()).isEqualTo(200);
                }

                Duration first = awaitClosed(slow.get(0), sent);
                for (Socket socket : slow) {
                    awaitClosed(socket, sent);
                }
                Duration last = Duration.ofNanos(System.nanoTime() - sent);
                System.out.printf("SlowClientsIT: slow clients closed %d to %d ms after their last byte (idle timeout %d ms)%n",
                        first.toMillis(), last.toMillis(), IDLE_TIMEOUT.toMillis());

                assertThat(first).as("the first slow client lived until the idle timeout").isGreaterThanOrEqualTo(
                        IDLE_TIMEOUT.minusMillis(500));
                assertThat(last).as("every slow client was closed soon after it").isLessThan(IDLE_TIMEOUT.plusSeconds(4));
                assertThat(app.get("/movies/", "application/json").orElseThrow().statusCode()).isEqualTo(200);
            } finally {
                for (Socket socket : slow) {
                    socket.close();
                }
            }
        }
    }

    /** Reads until the app closes the connection; how long after {@code sent} that was. */
    private static Duration awaitClosed(Socket socket, long sent) throws IOException {
        socket.setSoTimeout((int) DEADLINE.toMillis());
        InputStream in = socket.getInputStream();
        try {
            while (in.read() >= 0) {
                // whatever the app says before it closes, if anything
            }
        } catch (SocketTimeoutException e) {
            throw new AssertionError("a slow client was still connected after " + DEADLINE.toSeconds() + " s", e);
        } catch (IOException e) {
            // reset by the app: closed as well
        }
        return Duration.ofNanos(System.nanoTime() - sent);
    }
}
