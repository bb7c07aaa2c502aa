package io.ghiblimovies.fleet;

import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.nio.channels.ClosedChannelException;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;
import io.vertx.redis.client.impl.types.ErrorType;

/**
 * The connection to the shared store, Redis, when {@code quarkus.redis.hosts} is set; without it,
 * nothing here is created and no connection is ever attempted. Every command goes through
 * {@link #call}, bounded by {@code quarkus.redis.timeout}.
 * <p>
 * It keeps what Redis does for each kind of call ({@link Call}) as a state named for what it is:
 * no answer in time, unreachable, credentials refused, full, read-only, a command refused. Each
 * state is logged once when it starts and once when it ends, and no line ever carries a command's
 * arguments or a value.
 */
@ApplicationScoped
class FleetRedis {

    /** What a call does, each with a state of its own: a slow link for large replies must not flap the small ones. */
    enum Call {
        /** The small read every check: the clock and the shared catalog's version. */
        POLL("answer", "answers again"),
        /** The read of the shared catalog's body, up to 4 MiB. */
        FETCH("send the shared catalog", "sends the shared catalog again"),
        /** The claim, its renewal, and the write of a catalog. */
        WRITE("accept writes", "accepts writes again");

        final String verb;
        final String recovered;

        Call(String verb, String recovered) {
            this.verb = verb;
            this.recovered = recovered;
        }
    }

    /** What went wrong, named for what it is. */
    enum Trouble {
        SLOW("no answer within quarkus.redis.timeout"),
        UNREACHABLE("unreachable"),
        CREDENTIALS("our credentials are refused"),
        FULL("it is full (maxmemory reached): writes are refused"),
        READ_ONLY("it is a read-only replica"),
        REFUSED("a command is refused");

        final String description;

        Trouble(String description) {
            this.description = description;
        }
    }

    /** A call that failed, with what went wrong and a line fit for a log: no command, no value. */
    static final class Problem extends Exception {
        final Trouble trouble;

        Problem(Trouble trouble, String detail) {
            super(detail, null, false, false);
            this.trouble = trouble;
        }
    }

    private final Optional<RedisDataSource> redis;
    private final String prefix;
    private final Duration timeout;
    private final Problem[] states = new Problem[Call.values().length];
    private final int[] inARow = new int[Call.values().length];

    FleetRedis(@ConfigProperty(name = "quarkus.redis.hosts") Optional<String> hosts,
            @ConfigProperty(name = "quarkus.redis.timeout") Duration timeout, Instance<RedisDataSource> redis,
            MoviesConfig config) {
        // the client made here, on the thread that starts the service: made later on the refresh thread,
        // its creation raced Quarkus' own startup (a ConcurrentModificationException)
        this.redis = hosts.filter(value -> !value.isBlank()).map(value -> redis.get());
        this.redis.ifPresent(RedisDataSource::getReactive);
        // a hash tag: every key of a fleet hashes to one slot of a Redis Cluster
        this.prefix = "{" + config.fleet().keyPrefix() + "}:v2:";
        this.timeout = timeout;
        this.redis.ifPresent(ignored -> Log.infof("Sharing the catalog with other replicas through Redis, keys %s*",
                prefix));
    }

    boolean configured() {
        return redis.isPresent();
    }

    /** A key of ours: {@code {<movies.fleet.key-prefix>}:v2:<name>}. */
    String key(String name) {
        return prefix + name;
    }

    /** The same Redis, for what must not block: the renewal of a claim while the refresh thread reads. */
    ReactiveRedisDataSource reactive() {
        return redis.orElseThrow().getReactive();
    }

    /** Whether the small reads answer: the store counts as reachable. */
    synchronized boolean answers() {
        return states[Call.POLL.ordinal()] == null;
    }

    /** How the store answers, for readiness: {@code answers}, or the first trouble seen. */
    synchronized String state() {
        for (Call call : Call.values()) {
            Problem problem = states[call.ordinal()];
            if (problem != null) {
                return "does not " + call.verb + ": " + problem.getMessage();
            }
        }
        return "answers";
    }

    /** Whether writes were refused or failed at the last try. */
    synchronized boolean writesFailing() {
        return states[Call.WRITE.ordinal()] != null;
    }

    /**
     * Runs one command (or script).
     *
     * @throws Problem when Redis does not answer or refuses it; the state of that kind of call is then logged once
     */
    <T> T call(Call call, Function<RedisDataSource, T> command) throws Problem {
        return call(call, command, answer -> true);
    }

    /**
     * Runs one command (or script) that shows the state of its kind of call only when {@code proves}
     * its answer: a write script that found nothing to write says nothing of whether writes are refused.
     */
    <T> T call(Call call, Function<RedisDataSource, T> command, Predicate<T> proves) throws Problem {
        T answer;
        try {
            answer = command.apply(redis.orElseThrow());
        } catch (RuntimeException e) {
            Problem problem = problem(e);
            changed(call, problem);
            throw problem;
        }
        if (proves.test(answer)) {
            changed(call, null);
        }
        return answer;
    }

    /**
     * A trouble is named when it is seen twice in a row (a single slow answer, as a cold connection's
     * first, is only a debug line), once when it starts and once when it ends, whatever it turns into
     * meanwhile: readiness tells the latest.
     */
    private synchronized void changed(Call call, Problem now) {
        int kind = call.ordinal();
        Problem before = states[kind];
        if (now == null) {
            inARow[kind] = 0;
            states[kind] = null;
            if (before != null) {
                Log.infof("The shared store (Redis) %s; this replica shares the fleet's catalog again", call.recovered);
            }
            return;
        }
        if (++inARow[kind] < 2 && before == null) {
            Log.debugf("The shared store (Redis) did not %s once: %s", call.verb, now.getMessage());
            return;
        }
        states[kind] = now;
        if (before == null) {
            Log.warnf("The shared store (Redis) does not %s: %s; this replica serves its own catalog and reads the"
                    + " API itself when it is due, until it does", call.verb, now.getMessage());
        }
    }

    /** What went wrong, named; the text is ours, or Redis' own error (never a command or a value), cut short. */
    private Problem problem(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ErrorType error) {
                String said = error.getMessage() == null ? "" : error.getMessage();
                String code = said.split(" ", 2)[0].toUpperCase(Locale.ROOT);
                if (code.equals("CONNECTION_CLOSED")) {
                    return new Problem(Trouble.UNREACHABLE, "unreachable (the connection was closed)");
                }
                Trouble trouble = switch (code) {
                    case "OOM" -> Trouble.FULL;
                    case "READONLY" -> Trouble.READ_ONLY;
                    case "NOAUTH", "WRONGPASS" -> Trouble.CREDENTIALS;
                    default -> Trouble.REFUSED;
                };
                return new Problem(trouble, trouble.description + " (Redis says: " + cut(said) + ")");
            }
            if (cause instanceof TimeoutException || cause instanceof io.smallrye.mutiny.TimeoutException) {
                return new Problem(Trouble.SLOW, "no answer within " + timeout.toMillis() + " ms (quarkus.redis.timeout)");
            }
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof UnknownHostException || cause instanceof ClosedChannelException) {
                return new Problem(Trouble.UNREACHABLE, "unreachable (" + cause.getClass().getSimpleName() + ")");
            }
        }
        // an exception of the client's own may quote the command, so only its kind is told
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return new Problem(Trouble.UNREACHABLE, "unreachable or failing (" + root.getClass().getSimpleName() + ")");
    }

    private static String cut(String said) {
        String line = said.lines().findFirst().orElse("");
        return line.length() <= 100 ? line : line.substring(0, 100) + "...";
    }
}
