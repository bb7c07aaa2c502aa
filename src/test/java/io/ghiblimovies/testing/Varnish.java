package io.ghiblimovies.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import org.awaitility.Awaitility;

/**
 * Debian's Varnish as the shared cache {@code docker/varnish.vcl} describes, in front of packaged
 * instances on loopback instead of the compose file's replicas, on a free port. Without Varnish the
 * tests that need it are skipped, except in CI ({@code CI=true}). Its files go to {@code target/varnish-<port>/}.
 * <p>
 * It runs without a jail ({@code -j none}): all of it as the user who runs the tests. Started by root
 * with its default jail, varnishd reads the VCL and its work folder as its own unprivileged users,
 * who cannot reach a clone in a private folder ({@code mktemp -d}, a home folder of mode 700).
 */
public final class Varnish implements AutoCloseable {

    private static final Path BINARY = Path.of(System.getProperty("varnishd.binary", "/usr/sbin/varnishd"));

    private final int port;
    private final Process process;

    private Varnish(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Varnish in front of the instances on {@code ports}: the VCL's three replicas, taken in turn from them. */
    public static Varnish cache(int... ports) {
        DebianPackages.require(Files.isExecutable(BINARY), "Varnish tests",
                "no varnishd at " + BINARY + " (apt-get install varnish)");
        String shipped = Nginx.read(Path.of("docker", "varnish.vcl"));
        String vcl = shipped;
        for (int i = 1; i <= 3; i++) {
            vcl = vcl.replace("{ .host = \"replica-" + i + "\"; .port = \"8080\";",
                    "{ .host = \"127.0.0.1\"; .port = \"" + ports[(i - 1) % ports.length] + "\";");
        }
        if (vcl.equals(shipped)) {
            throw new IllegalStateException("docker/varnish.vcl no longer has the lines this test replaces");
        }
        int port = GhibliApiWireMock.freePort();
        Path folder = Path.of("target", "varnish-" + port).toAbsolutePath();
        try {
            Files.createDirectories(folder);
            Path file = folder.resolve("default.vcl");
            Files.writeString(file, vcl);
            Process process = new ProcessBuilder(BINARY.toString(), "-F", "-j", "none", "-n", folder.resolve("work").toString(),
                    "-a", "127.0.0.1:" + port, "-f", file.toString(), "-s", "malloc,64m")
                    .redirectErrorStream(true).redirectOutput(folder.resolve("varnish.log").toFile()).start();
            Varnish varnish = new Varnish(port, process);
            long started = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> {
                if (!process.isAlive()) {
                    throw new IllegalStateException("varnishd stopped: " + Files.readString(folder.resolve("varnish.log")));
                }
                return Files.readString(folder.resolve("varnish.log")).contains("Child launched OK");
            });
            System.out.printf("Varnish: child launched in %d ms%n", (System.nanoTime() - started) / 1_000_000);
            return varnish;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        Servers.stop(process);
    }
}
