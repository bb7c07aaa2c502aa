package io.ghiblimovies.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.Arrays;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.LockSupport;

/**
 * A TCP proxy between the replicas and a real Redis that injects faults on demand, as a bad
 * network would: every reply late, only large replies late, connections dropped, or a black hole
 * that takes everything and answers nothing. Replies are told apart by reading Redis' protocol
 * (RESP2 and RESP3), so that "large" means one whole reply of that many bytes.
 */
public final class RedisProxy implements AutoCloseable {

    private record Fault(Duration delay, int fromBytes, boolean blackHole) {
        static final Fault NONE = new Fault(Duration.ZERO, Integer.MAX_VALUE, false);
    }

    private final int redisPort;
    private final ServerSocket server;
    private final Set<Socket> sockets = ConcurrentHashMap.newKeySet();
    private volatile Fault fault = Fault.NONE;
    private volatile Thread dropper;

    private RedisProxy(int redisPort) {
        this.redisPort = redisPort;
        try {
            this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread acceptor = new Thread(this::accept, "redis-proxy-" + server.getLocalPort());
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port to the Redis on {@code redisPort}, passing everything as is. */
    public static RedisProxy to(RedisServer redis) {
        return new RedisProxy(redis.port());
    }

    /** {@code redis://127.0.0.1:<port>}, as {@code QUARKUS_REDIS_HOSTS} takes it. */
    public String url() {
        return "redis://127.0.0.1:" + server.getLocalPort();
    }

    /** Passes everything as is, at once. */
    public void heal() {
        fault = Fault.NONE;
        Thread running = dropper;
        dropper = null;
        if (running != null) {
            running.interrupt();
        }
    }

    /** Drops every open connection every {@code period}, a link that keeps breaking, until {@link #heal()}. */
    public void dropConnectionsEvery(Duration period) {
        Thread thread = new Thread(() -> {
            while (dropper == Thread.currentThread()) {
                dropConnections();
                LockSupport.parkNanos(period.toNanos());
            }
        }, "redis-proxy-dropper");
        thread.setDaemon(true);
        dropper = thread;
        thread.start();
    }

    /** Every reply arrives {@code delay} late. */
    public void delayEveryReply(Duration delay) {
        fault = new Fault(delay, 0, false);
    }

    /** Every reply of {@code bytes} or more arrives {@code delay} late; smaller ones on time. */
    public void delayRepliesOf(int bytes, Duration delay) {
        fault = new Fault(delay, bytes, false);
    }

    /** Takes what is sent, answers nothing, keeps connections open. */
    public void blackHole() {
        fault = new Fault(Duration.ZERO, Integer.MAX_VALUE, true);
    }

    /** Closes every open connection at once, as a broken link or a restarting proxy does; new ones are taken. */
    public void dropConnections() {
        sockets.forEach(RedisProxy::closeQuietly);
        sockets.clear();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket redis;
                try {
                    redis = new Socket(InetAddress.getLoopbackAddress(), redisPort);
                } catch (IOException e) {
                    closeQuietly(client); // Redis is down: the connection fails, as it would without a proxy
                    continue;
                }
                sockets.add(client);
                sockets.add(redis);
                pump("requests", client, redis, false);
                pump("replies", redis, client, true);
            } catch (IOException e) {
                return; // closed
            }
        }
    }

    private void pump(String name, Socket from, Socket to, boolean replies) {
        Thread thread = new Thread(() -> {
            try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
                if (replies) {
                    forwardReplies(in, out);
                } else {
                    byte[] buffer = new byte[64 * 1024];
                    for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                        if (!fault.blackHole()) {
                            out.write(buffer, 0, read);
                            out.flush();
                        }
                    }
                }
            } catch (IOException e) {
                // one side closed: close the other
            } finally {
                closeQuietly(from);
                closeQuietly(to);
                sockets.remove(from);
                sockets.remove(to);
            }
        }, "redis-proxy-" + name);
        thread.setDaemon(true);
        thread.start();
    }

    /** Forwards whole replies, each late or dropped as the fault in force says. */
    private void forwardReplies(InputStream in, OutputStream out) throws IOException {
        byte[] pending = new byte[64 * 1024];
        int length = 0;
        while (true) {
            if (length == pending.length) {
                pending = Arrays.copyOf(pending, pending.length * 2);
            }
            int read = in.read(pending, length, pending.length - length);
            if (read < 0) {
                return;
            }
            length += read;
            byte[] bytes = pending;
            int start = 0;
            for (int end = frameEnd(bytes, start, length); end > 0; end = frameEnd(bytes, start, length)) {
                Fault now = fault;
                if (!now.blackHole()) {
                    if (end - start >= now.fromBytes()) {
                        LockSupport.parkNanos(now.delay().toNanos());
                    }
                    out.write(bytes, start, end - start);
                    out.flush();
                }
                start = end;
            }
            System.arraycopy(pending, start, pending, 0, length - start);
            length -= start;
        }
    }

    /** Where the reply that starts at {@code start} ends, or -1 while it is incomplete. */
    static int frameEnd(byte[] bytes, int start, int limit) {
        int lineEnd = lineEnd(bytes, start, limit);
        if (lineEnd < 0) {
            return -1;
        }
        char type = (char) bytes[start];
        String header = new String(bytes, start + 1, lineEnd - start - 1, java.nio.charset.StandardCharsets.US_ASCII);
        int next = lineEnd + 2;
        switch (type) {
            case '$', '=', '!' -> {
                int length = Integer.parseInt(header);
                if (length < 0) {
                    return next;
                }
                return limit >= next + length + 2 ? next + length + 2 : -1;
            }
            case '*', '~', '>', '%', '|' -> {
                int count = Integer.parseInt(header);
                if (type == '%' || type == '|') {
                    count *= 2;
                }
                for (int i = 0; i < count && next > 0; i++) {
                    next = frameEnd(bytes, next, limit);
                }
                if (next > 0 && type == '|') {
                    next = frameEnd(bytes, next, limit); // an attribute comes before the reply it describes
                }
                return next;
            }
            default -> {
                return next; // a line: + - : , # _ (
            }
        }
    }

    private static int lineEnd(byte[] bytes, int from, int limit) {
        for (int i = from; i + 1 < limit; i++) {
            if (bytes[i] == '\r' && bytes[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private static void closeQuietly(Socket socket) {
        try {
            socket.close();
        } catch (IOException e) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (IOException e) {
            // already closed
        }
        dropConnections();
    }
}
