package io.ghiblimovies.fleet;

import java.security.cert.CertPathBuilderException;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import java.util.function.Predicate;

import javax.net.ssl.SSLHandshakeException;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ghiblimovies.LogFields;
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
 * It names what Redis does for what it is: no answer in time, unreachable, credentials refused,
 * full, read-only, a command refused. A kind of call ({@link Call}) is in trouble once it failed
 * twice in a row (one slow answer, as a cold connection's first, is only a debug line) and until it
 * works again; the trouble is logged once when the first kind of call falls into it (and once more
 * if it turns into a trouble of settings, TLS or credentials) and once when the last kind of call is
 * out of it, and no line ever carries a command's arguments or a value.
 */
@ApplicationScoped
class FleetRedis {

    /** The kinds of call, each failing or working on its own: large replies may be late while small ones are not. */
    enum Call {
        CHECK, FETCH, WRITE
    }

    /** What went wrong, named. */
    enum Trouble {
        SLOW("does not answer within %s ms (quarkus.redis.timeout)"),
        UNREACHABLE("is unreachable (%s)"),
        TLS("cannot be spoken to over TLS: %s"),
        CREDENTIALS("refuses our credentials (Redis says: %s)"),
        FULL("refuses writes: it is full, maxmemory reached (Redis says: %s)"),
        READ_ONLY("refuses writes: it is a read-only replica (Redis says: %s)"),
        REFUSED("refuses a command (Redis says: %s)");

        final String description;

        Trouble(String description) {
            this.description = description;
        }
    }

    /** A call that failed, with what went wrong and a line fit for a log: no command, no value. */
    static final class Problem extends Exception {
        final Trouble trouble;

        Problem(Trouble trouble, String detail) {
            super(String.format(trouble.description, detail), null, false, false);
            this.trouble = trouble;
        }
    }

    /** Troubles that only a change of settings mends: told even when another trouble came first. */
    private static final Set<Trouble> SETTINGS = EnumSet.of(Trouble.TLS, Trouble.CREDENTIALS);

    private final Optional<RedisDataSource> redis;
    private final String prefix;
    private final Duration timeout;
    /** The TLS registry's configuration Redis' TLS settings are read from, named in the lines that tell a TLS trouble. */
    private final String tlsName;
    /** Each kind of call's trouble, named once it failed twice in a row, until it works again. */
    private final Problem[] troubles = new Problem[Call.values().length];
    private final int[] inARow = new int[Call.values().length];
    /** The kinds of trouble logged since the store was last in none. */
    private final Set<Trouble> toldThisStreak = EnumSet.noneOf(Trouble.class);

    FleetRedis(@ConfigProperty(name = "quarkus.redis.hosts") Optional<String> hosts,
            @ConfigProperty(name = "quarkus.redis.timeout") Duration timeout, Instance<RedisDataSource> redis,
            @ConfigProperty(name = "quarkus.redis.tls-configuration-name") Optional<String> tlsName, MoviesConfig config) {
        // the client made here, on the thread that starts the service: made later on the refresh thread,
        // its creation raced Quarkus' own startup (a ConcurrentModificationException)
        this.redis = hosts.filter(value -> !value.isBlank()).map(value -> redis.get());
        this.redis.ifPresent(RedisDataSource::getReactive);
        // a hash tag: every key of a fleet hashes to one slot of a Redis Cluster
        this.prefix = "{" + config.fleet().keyPrefix() + "}:v2:";
        this.timeout = timeout;
        this.tlsName = tlsName.orElse("<name>");
        if (this.redis.isPresent()) {
            try (LogFields fields = LogFields.of("sharing")) {
                Log.infof("Sharing the catalog with other replicas through Redis, keys %s*", prefix);
            }
        }
    }

    boolean configured() {
        return redis.isPresent();
    }

    /** A key of ours: {@code {<movies.fleet.key-prefix>}:v2:<name>}. */
    String key(String name) {
        return prefix + name;
    }

    Duration timeout() {
        return timeout;
    }

    /** The same Redis, for what must not block: the renewal of a claim while the refresh thread reads. */
    ReactiveRedisDataSource reactive() {
        return redis.orElseThrow().getReactive();
    }

    /** Whether Redis answers the check every replica makes (it may still refuse writes). */
    synchronized boolean answers() {
        Problem check = troubles[Call.CHECK.ordinal()];
        return check == null || check.trouble != Trouble.SLOW && check.trouble != Trouble.UNREACHABLE
                && check.trouble != Trouble.TLS;
    }

    /** Whether Redis is in any trouble now. */
    synchronized boolean troubled() {
        return first() != null;
    }

    /** How the store answers, for readiness: {@code answers}, or a trouble seen. */
    synchronized String describe() {
        Problem problem = first();
        return problem == null ? "answers" : problem.getMessage();
    }

    private Problem first() {
        for (Problem problem : troubles) {
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    /**
     * Runs one command (or script). Any answer shows that this kind of call works; a write that found
     * nothing to write ({@code wrote} false) says nothing of whether writes are refused.
     *
     * @throws Problem when Redis does not answer or refuses it
     */
    <T> T call(Call call, Function<RedisDataSource, T> command, Predicate<T> wrote) throws Problem {
        T answer;
        try {
            answer = command.apply(redis.orElseThrow());
        } catch (RuntimeException e) {
            Problem problem = problem(e);
            failed(call, problem);
            throw problem;
        }
        inARow[call.ordinal()] = 0;
        if (call != Call.WRITE || wrote.test(answer)) {
            worked(call);
        }
        return answer;
    }

    /** Another replica's write was seen: Redis accepts writes. */
    void writesWork() {
        worked(Call.WRITE);
    }

    private synchronized void worked(Call call) {
        boolean before = first() != null;
        troubles[call.ordinal()] = null;
        if (before && first() == null) {
            try (LogFields fields = LogFields.of("store-back")) {
                Log.info("The shared store (Redis) answers and accepts writes again; this replica shares the fleet's"
                        + " catalog again");
            }
        }
    }

    private synchronized void failed(Call call, Problem now) {
        if (++inARow[call.ordinal()] < 2 && troubles[call.ordinal()] == null) {
            Log.debugf("The shared store (Redis) %s, once", now.getMessage());
            return;
        }
        boolean started = first() == null;
        if (started) {
            toldThisStreak.clear();
        }
        // one line when the trouble starts, and one more if it turns into a trouble of settings, which
        // only an operator mends (Redis unreachable while a pod starts, then its certificate not
        // trusted): at most one line a kind until Redis is back; a link that is now slow, now closed,
        // adds none
        if (started ? toldThisStreak.add(now.trouble) : SETTINGS.contains(now.trouble) && toldThisStreak.add(now.trouble)) {
            try (LogFields fields = LogFields.of("store-trouble", "trouble", now.trouble.name().toLowerCase(Locale.ROOT))) {
                Log.warnf("The shared store (Redis) %s; this replica serves its own catalog and reads the API itself"
                        + " when it is due, until Redis is back", now.getMessage());
            }
        }
        troubles[call.ordinal()] = now; // readiness tells the latest
    }

    /** What went wrong, named; the text is ours, or Redis' own error (never a command or a value), cut short. */
    private Problem problem(Throwable e) {
        Optional<String> tls = tlsTrouble(e);
        if (tls.isPresent()) {
            return new Problem(Trouble.TLS, tls.get());
        }
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof ErrorType error) {
                String said = error.getMessage() == null ? "" : error.getMessage().lines().findFirst().orElse("");
                Trouble trouble = switch (said.split(" ", 2)[0].toUpperCase(Locale.ROOT)) {
                    case "CONNECTION_CLOSED" -> Trouble.UNREACHABLE; // the client's own word, not Redis'
                    case "OOM" -> Trouble.FULL;
                    case "READONLY" -> Trouble.READ_ONLY;
                    case "NOAUTH", "WRONGPASS" -> Trouble.CREDENTIALS;
                    default -> Trouble.REFUSED;
                };
                return new Problem(trouble, cutShort(said));
            }
            if (cause instanceof TimeoutException || cause instanceof io.smallrye.mutiny.TimeoutException) {
                return new Problem(Trouble.SLOW, Long.toString(timeout.toMillis()));
            }
            if (cause.getCause() == null || cause.getCause() == cause) {
                // a connection refused, reset or closed: an exception of the client may quote the command, so only its kind is told
                return new Problem(Trouble.UNREACHABLE, cause.getClass().getSimpleName());
            }
        }
        return new Problem(Trouble.UNREACHABLE, e.getClass().getSimpleName());
    }

    /**
     * What keeps TLS from working, when that is what failed: the server's certificate not trusted or
     * not made for the host, or a setting the client needs. Said with the setting to look at; never
     * with the URL (it may hold a password).
     */
    private Optional<String> tlsTrouble(Throwable e) {
        String handshake = null;
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            String message = cause.getMessage() == null ? "" : cause.getMessage();
            if (message.startsWith("Missing hostname verification algorithm")) {
                return Optional.of("no hostname verification algorithm is set"
                        + " (quarkus.tls." + tlsName + ".hostname-verification-algorithm=HTTPS)");
            }
            if (message.startsWith("Unknown identification algorithm")) {
                return Optional.of("the Redis client knows no hostname verification algorithm " + message.substring(
                        message.lastIndexOf(' ') + 1) + " (quarkus.tls." + tlsName + ".hostname-verification-algorithm=HTTPS)");
            }
            if (cause instanceof CertificateException && (message.startsWith("No subject alternative")
                    || message.startsWith("No name matching"))) {
                return Optional.of("the server's certificate does not match the host in quarkus.redis.hosts ("
                        + message.lines().findFirst().orElse("") + ")");
            }
            if (cause instanceof CertPathBuilderException || cause instanceof CertPathValidatorException) {
                return Optional.of("the server's certificate is not trusted"
                        + " (its CA is not in quarkus.tls." + tlsName + ".trust-store.pem.certs)");
            }
            if (handshake == null && cause instanceof SSLHandshakeException) {
                handshake = cause.getClass().getSimpleName() + (message.isEmpty() ? ""
                        : ": " + message.lines().findFirst().orElse(""));
            }
        }
        // a handshake refused for another reason (a protocol or cipher the server does not take, a client
        // certificate it asks for); a TLS connection merely closed (Redis restarted) is not a TLS trouble
        return Optional.ofNullable(handshake).map(what -> "the TLS handshake failed (" + cutShort(what) + ")");
    }

    /** Another's words as a log line takes them: 100 characters at most. */
    private static String cutShort(String said) {
        return said.length() <= 100 ? said : said.substring(0, 100) + "...";
    }
}
