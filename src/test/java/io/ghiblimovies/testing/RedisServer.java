package io.ghiblimovies.testing;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLSocketFactory;


/**
 * A real Redis from Debian's {@code redis-server} package, started by the test on a free loopback
 * port, with nothing saved to disk: killed and restarted, it comes back empty, as a Redis without
 * persistence does. Without {@code redis-server} the tests that need it are skipped, except in CI
 * ({@code CI=true}), where that is a failure. Its log goes to {@code target/redis/}.
 * <p>
 * {@link #command} speaks Redis' protocol over a socket, so that a test can read and spoil what
 * the replicas share without a client library of its own.
 */
public final class RedisServer implements AutoCloseable {

    private static final Path BINARY = Path.of(System.getProperty("redis.binary", "/usr/bin/redis-server"));

    private final int port;
    private final List<String> arguments;
    /** For a Redis that speaks TLS only: sockets that trust its certificate; null for plain TCP. */
    private final SSLSocketFactory tls;
    private Process process;
    private volatile String user;
    private volatile String password;

    private RedisServer(int port, List<String> arguments, SSLSocketFactory tls) {
        this.port = port;
        this.arguments = List.copyOf(arguments);
        this.tls = tls;
    }

    /** Starts a Redis on a free port, or skips the test when there is none to start (fails in CI). */
    public static RedisServer start() {
        return start(List.of());
    }

    /** Starts a Redis on a free port with these arguments of {@code redis-server} too. */
    public static RedisServer start(List<String> arguments) {
        return start(GhibliApiWireMock.freePort(), arguments);
    }

    /** Starts a Redis on {@code port} with these arguments of {@code redis-server} too. */
    public static RedisServer start(int port, List<String> arguments) {
        requireBinary(BINARY);
        RedisServer server = new RedisServer(port, arguments, null);
        server.launch();
        return server;
    }

    /**
     * Starts a Redis that speaks TLS only, on a free port, with the certificate and key given (signed
     * by {@code authority}), asking clients for no certificate of their own.
     */
    public static RedisServer startTls(Certificates authority, Path[] certificateAndKey) {
        return startTls(GhibliApiWireMock.freePort(), authority, certificateAndKey);
    }

    /** As {@link #startTls(Certificates, Path[])}, on {@code port}. */
    public static RedisServer startTls(int port, Certificates authority, Path[] certificateAndKey) {
        requireBinary(BINARY);
        RedisServer server = new RedisServer(port, List.of("--port", "0", "--tls-port", Integer.toString(port),
                "--tls-cert-file", certificateAndKey[0].toAbsolutePath().toString(),
                "--tls-key-file", certificateAndKey[1].toAbsolutePath().toString(),
                "--tls-ca-cert-file", authority.certificate().toAbsolutePath().toString(),
                "--tls-auth-clients", "no"), authority.sockets());
        server.launch();
        return server;
    }

    /** Skips the test when {@code binary} is missing (fails it in CI). */
    static void requireBinary(Path binary) {
        DebianPackages.require(Files.isExecutable(binary), "Redis tests",
                "no " + binary + " (apt-get install redis-server redis-sentinel)");
    }

    /** The loopback port it listens on. */
    public int port() {
        return port;
    }

    /**
     * {@code redis://127.0.0.1:<port>}, as {@code QUARKUS_REDIS_HOSTS} takes it; for a Redis that speaks
     * TLS, {@code rediss://localhost:<port>}, the name its certificate is made for.
     */
    public String url() {
        return tls == null ? "redis://127.0.0.1:" + port : "rediss://localhost:" + port;
    }

    /** Kills Redis at once (SIGKILL), as a crash would. */
    public void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Starts Redis again on the same port: empty, without a password. */
    public void restart() {
        user = null;
        password = null;
        launch();
    }

    /**
     * One command, its answer as text: a simple or bulk string, an integer, {@code null} for nil,
     * an array as its elements one per line.
     */
    public String command(String... words) {
        return commandAt(port, tls, user, password, words);
    }

    /** One command to whatever speaks Redis' protocol on {@code port} (a sentinel), as {@link #command}. */
    public static String commandAt(int port, String... words) {
        return commandAt(port, null, null, null, words);
    }

    private static String commandAt(int port, SSLSocketFactory tls, String user, String secret, String... words) {
        try (Socket socket = tls == null ? new Socket("127.0.0.1", port) : tls.createSocket("localhost", port)) {
            // a wait, not a bound: building a 60 MB value in a script took over 5 s on a loaded machine
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            BufferedInputStream in = new BufferedInputStream(socket.getInputStream());
            if (secret != null) {
                out.write(user == null ? request("AUTH", secret) : request("AUTH", user, secret));
                reply(in);
            }
            out.write(request(words));
            out.flush();
            return reply(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Makes Redis ask every new connection for {@code secret} ({@code null}: for none again);
     * connections already made keep working, as in Redis itself.
     */
    public void requirePassword(String secret) {
        command("CONFIG", "SET", "requirepass", secret == null ? "" : secret);
        user = null;
        password = secret;
    }

    /**
     * Adds an ACL user with this password, who may run any command on the fleet's keys
     * ({@code {ghibli-movies}:*}), and takes every key away from the default user: a client that does
     * not log in as this user reads and writes nothing of the fleet's. This Redis' own commands log in as it.
     */
    public void addAclUserAlone(String name, String secret) {
        command("ACL", "SETUSER", name, "on", ">" + secret, "~{ghibli-movies}:*", "&*", "+@all");
        command("ACL", "SETUSER", "default", "resetkeys");
        user = name;
        password = secret;
    }

    private static byte[] request(String... words) {
        ByteArrayOutputStream request = new ByteArrayOutputStream();
        request.writeBytes(("*" + words.length + "\r\n").getBytes(StandardCharsets.UTF_8));
        for (String word : words) {
            byte[] bytes = word.getBytes(StandardCharsets.UTF_8);
            request.writeBytes(("$" + bytes.length + "\r\n").getBytes(StandardCharsets.UTF_8));
            request.writeBytes(bytes);
            request.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        }
        return request.toByteArray();
    }

    private static String reply(InputStream in) throws IOException {
        String line = line(in);
        char kind = line.charAt(0);
        String rest = line.substring(1);
        switch (kind) {
            case '+', ':':
                return rest;
            case '-':
                throw new IllegalStateException("Redis: " + rest);
            case '$': {
                int length = Integer.parseInt(rest);
                if (length < 0) {
                    return null;
                }
                String value = new String(in.readNBytes(length), StandardCharsets.UTF_8);
                line(in);
                return value;
            }
            case '*': {
                int count = Integer.parseInt(rest);
                List<String> items = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    items.add(reply(in));
                }
                return String.join("\n", items);
            }
            default:
                throw new IllegalStateException("Not a Redis reply: " + line);
        }
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream line = new ByteArrayOutputStream();
        int previous = -1;
        for (int next = in.read(); next >= 0; next = in.read()) {
            if (previous == '\r' && next == '\n') {
                byte[] bytes = line.toByteArray();
                return new String(bytes, 0, bytes.length - 1, StandardCharsets.UTF_8);
            }
            line.write(next);
            previous = next;
        }
        throw new IOException("Redis closed the connection");
    }

    private void launch() {
        try {
            Path log = Path.of("target", "redis", "redis-" + port + "-" + System.nanoTime() + ".log");
            Files.createDirectories(log.getParent());
            // a folder of its own: a replica's full sync writes a dump there, which another node would load
            Path folder = Files.createDirectories(log.getParent().resolve("data-" + port + "-" + System.nanoTime()));
            List<String> command = new ArrayList<>(List.of(BINARY.toString(), "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--protected-mode", "yes",
                    "--dir", folder.toAbsolutePath().toString()));
            command.addAll(arguments);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        long started = System.nanoTime();
        long deadline = started + Duration.ofSeconds(10).toNanos();
        while (true) {
            try {
                if ("PONG".equals(command("PING"))) {
                    System.out.printf("RedisServer: answered in %d ms%n", (System.nanoTime() - started) / 1_000_000);
                    return;
                }
            } catch (UncheckedIOException e) {
                if (System.nanoTime() > deadline || !process.isAlive()) {
                    throw new IllegalStateException("redis-server did not start on port " + port, e);
                }
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            kill();
        }
    }
}
