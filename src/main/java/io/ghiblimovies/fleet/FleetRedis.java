package io.ghiblimovies.fleet;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.logging.Log;
import io.quarkus.redis.datasource.ReactiveRedisDataSource;
import io.quarkus.redis.datasource.RedisDataSource;

/**
 * The connection to the shared store, Redis, when {@code quarkus.redis.hosts} is set; without
 * it, nothing here is created and no connection is ever attempted. Every command goes through
 * {@link #call}, which bounds it by {@code quarkus.redis.timeout} and keeps one state for the whole
 * replica: reachable or not, with one WARN line when Redis is lost and one INFO line when it is back.
 */
@ApplicationScoped
class FleetRedis {

    /** Redis did not answer, or not in time. */
    static final class Unreachable extends RuntimeException {
        Unreachable(Throwable cause) {
            super(cause.getMessage(), cause, false, false);
        }
    }

    private final Optional<RedisDataSource> redis;
    private final String prefix;
    private final AtomicInteger reconnections = new AtomicInteger();
    private volatile boolean reachable = true;

    FleetRedis(@ConfigProperty(name = "quarkus.redis.hosts") Optional<String> hosts, Instance<RedisDataSource> redis,
            MoviesConfig config) {
        this.redis = hosts.filter(value -> !value.isBlank()).map(value -> redis.get());
        this.prefix = config.fleet().keyPrefix() + ":v1:";
        this.redis.ifPresent(ignored -> Log.infof("Sharing the catalog with other replicas through Redis, keys %s*",
                prefix));
    }

    boolean configured() {
        return redis.isPresent();
    }

    boolean reachable() {
        return reachable;
    }

    /** How many times Redis came back after being lost: a subscription older than the last return is dead. */
    int reconnections() {
        return reconnections.get();
    }

    /** The same Redis, for what must not block: the subscription to announcements. */
    ReactiveRedisDataSource reactive() {
        return redis.orElseThrow(() -> new IllegalStateException("no shared store is configured")).getReactive();
    }

    /** A key or channel of ours: {@code <movies.fleet.key-prefix>:v1:<name>}. */
    String key(String name) {
        return prefix + name;
    }

    /**
     * Runs one command (or script) against Redis.
     *
     * @throws Unreachable when Redis fails to answer; the replica then counts as cut off from the fleet
     */
    <T> T call(Function<RedisDataSource, T> command) {
        RedisDataSource source = redis.orElseThrow(() -> new IllegalStateException("no shared store is configured"));
        T answer;
        try {
            answer = command.apply(source);
        } catch (RuntimeException e) {
            // the scripts check what they read, so any failure means Redis cannot be used now:
            // refused, timed out, or in no state to answer (loading, read-only)
            lost(e);
            throw new Unreachable(e);
        }
        answered();
        return answer;
    }

    private void answered() {
        if (!reachable) {
            reachable = true;
            reconnections.incrementAndGet();
            Log.info("The shared store (Redis) answers again; this replica shares the fleet's catalog again");
        }
    }

    private void lost(Throwable e) {
        if (reachable) {
            reachable = false;
            Log.warnf("The shared store (Redis) is unreachable (%s); this replica serves its own catalog and refreshes"
                    + " it alone until Redis is back", rootMessage(e));
        }
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }
}
