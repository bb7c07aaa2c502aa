package io.ghiblimovies.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;


/**
 * Debian's nginx in front of packaged instances, on a free loopback port: as a balancer (round
 * robin, keep-alive to the instances, and nginx's own retry of a request on the next instance
 * when one refuses or drops the connection), or as the shared cache docker/nginx-cache.conf describes. Without nginx the tests that need it are skipped,
 * except in CI ({@code CI=true}), where that is a failure. Its files go to {@code target/nginx-<port>/}.
 * <p>
 * Its workers run as the user who runs the tests: started by root, nginx would run them as
 * {@code nobody}, who cannot reach a clone in a private folder ({@code mktemp -d}, a home folder of
 * mode 700) to write its cache and temporary files there, so root's config says {@code user root};
 * started by another user, nginx runs them as that user anyway.
 */
public final class Nginx implements AutoCloseable {

    private static final Path BINARY = Path.of(System.getProperty("nginx.binary", "/usr/sbin/nginx"));

    private final int port;
    private final Path prefix;

    private Nginx(int port, Path prefix) {
        this.port = port;
        this.prefix = prefix;
    }

    /** nginx balancing over the instances listening on {@code ports} (loopback). */
    public static Nginx roundRobin(int... ports) {
        StringBuilder servers = new StringBuilder();
        for (int upstream : ports) {
            servers.append("    server 127.0.0.1:").append(upstream).append(";\n");
        }
        return start((port, prefix) -> """
                  upstream instances {
                %1$s    keepalive 16;
                    keepalive_timeout 50s;
                  }
                  server {
                    listen 127.0.0.1:%2$d;
                    location / {
                      proxy_pass http://instances;
                      proxy_http_version 1.1;
                      proxy_set_header Connection "";
                    }
                  }
                """.formatted(servers, port));
    }

    /**
     * nginx as the shared cache {@code docker/nginx-cache.conf} describes, in front of the instances
     * listening on {@code ports} (loopback) instead of the compose file's replicas.
     */
    public static Nginx cache(int... ports) {
        return start((port, prefix) -> {
            String shipped = read(Path.of("docker", "nginx-cache.conf"));
            StringBuilder servers = new StringBuilder();
            for (int upstream : ports) {
                servers.append("    server 127.0.0.1:").append(upstream).append(";\n");
            }
            String config = shipped.replaceAll("(?m)^    server replica-\\d:8080;\n", "")
                    .replace("upstream ghibli_movies {\n", "upstream ghibli_movies {\n" + servers)
                    .replace("listen 8080;", "listen 127.0.0.1:" + port + ";")
                    .replace("/var/cache/nginx/ghibli-movies", prefix.resolve("cache").toString());
            if (config.equals(shipped)) {
                throw new IllegalStateException("docker/nginx-cache.conf no longer has the lines this test replaces");
            }
            return config;
        });
    }

    /** nginx on a free port, with the {@code http { }} body {@code body} makes for that port and its folder. */
    private static Nginx start(BiFunction<Integer, Path, String> body) {
        DebianPackages.require(Files.isExecutable(BINARY), "nginx tests", "no nginx at " + BINARY + " (apt-get install nginx)");
        int port = GhibliApiWireMock.freePort();
        Path prefix = Path.of("target", "nginx-" + port).toAbsolutePath();
        String config = """
                %3$s
                worker_processes 1;
                pid %1$s/nginx.pid;
                error_log %1$s/error.log;
                events { worker_connections 1024; }
                http {
                  # what a failed request needs to be explained: how long it took, and each upstream tried
                  log_format timed '$remote_addr [$time_local] "$request" $status $body_bytes_sent $request_time'
                                   ' upstream $upstream_addr $upstream_status $upstream_response_time';
                  access_log %1$s/access.log timed;
                  client_body_temp_path %1$s;
                  proxy_temp_path %1$s;
                  fastcgi_temp_path %1$s;
                  uwsgi_temp_path %1$s;
                  scgi_temp_path %1$s;
                %2$s
                }
                """.formatted(prefix, body.apply(port, prefix), "root".equals(System.getProperty("user.name")) ? "user root;" : "");
        try {
            Files.createDirectories(prefix);
            Files.writeString(prefix.resolve("nginx.conf"), config);
            long started = System.nanoTime();
            Process start = new ProcessBuilder(BINARY.toString(), "-p", prefix.toString(), "-c",
                    prefix.resolve("nginx.conf").toString()).redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("start.log").toFile()).start();
            if (!start.waitFor(10, TimeUnit.SECONDS) || start.exitValue() != 0) {
                throw new IllegalStateException("nginx did not start: " + Files.readString(prefix.resolve("start.log")));
            }
            System.out.printf("Nginx: started in %d ms%n", (System.nanoTime() - started) / 1_000_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        return new Nginx(port, prefix);
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            Process stop = new ProcessBuilder(BINARY.toString(), "-p", prefix.toString(), "-c",
                    prefix.resolve("nginx.conf").toString(), "-s", "stop").redirectErrorStream(true)
                    .redirectOutput(prefix.resolve("stop.log").toFile()).start();
            stop.waitFor(Duration.ofSeconds(10).toSeconds(), TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
