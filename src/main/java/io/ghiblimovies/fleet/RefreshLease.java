package io.ghiblimovies.fleet;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;

import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.logging.Log;

/**
 * The fleet's turn to read the Ghibli API: one key in Redis, set only if absent
 * ({@code SET <prefix>:v1:lease <token> NX PX <ttl>}), renewed every third of its life while its
 * holder reads, and renewed or released only by its holder (a small script compares the token
 * first), after the Redis documentation's pattern for a lock on a single instance. A holder
 * that dies stops renewing, and the lease is gone {@code movies.fleet.lease-ttl} later.
 * <p>
 * The token names its holder ({@code host:pid:random}), for an operator looking into Redis.
 */
@ApplicationScoped
class RefreshLease {

    private static final String RENEW = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
            return 0""";
    private static final String RELEASE = """
            if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
            return 0""";

    /** A lease this replica holds until it releases it. */
    interface Held {
        void release();
    }

    private final FleetRedis redis;
    private final String key;
    private final Duration ttl;
    private final String holder;
    private final ScheduledExecutorService renewals = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "catalog-lease");
        thread.setDaemon(true);
        return thread;
    });

    RefreshLease(FleetRedis redis, MoviesConfig config) {
        this.redis = redis;
        this.key = redis.key("lease");
        this.ttl = config.fleet().leaseTtl();
        this.holder = hostName() + ":" + ProcessHandle.current().pid();
    }

    /**
     * Takes the lease if no one holds it.
     *
     * @return the lease, or empty when another replica holds it
     * @throws FleetRedis.Unreachable when Redis does not answer
     */
    Optional<Held> acquire() {
        String token = holder + ":" + UUID.randomUUID();
        String ttlMillis = Long.toString(ttl.toMillis());
        boolean taken = redis.call(source -> source.execute("SET", key, token, "NX", "PX", ttlMillis) != null);
        if (!taken) {
            return Optional.empty();
        }
        long every = Math.max(ttl.toMillis() / 3, 1);
        ScheduledFuture<?> renewing = renewals.scheduleAtFixedRate(() -> renew(token, ttlMillis), every, every,
                TimeUnit.MILLISECONDS);
        return Optional.of(() -> {
            renewing.cancel(false);
            try {
                redis.call(source -> source.execute("EVAL", RELEASE, "1", key, token));
            } catch (FleetRedis.Unreachable e) {
                // it expires by itself
            }
        });
    }

    private void renew(String token, String ttlMillis) {
        try {
            long renewed = redis.call(source -> source.execute("EVAL", RENEW, "1", key, token, ttlMillis)).toLong();
            if (renewed == 0) {
                Log.debugf("The refresh lease %s expired before it could be renewed", key);
            }
        } catch (FleetRedis.Unreachable e) {
            // the read goes on; the lease expires and the store is skipped until Redis is back
        }
    }

    @PreDestroy
    void stop() {
        renewals.shutdownNow();
    }

    private static String hostName() {
        String name = ManagementFactory.getRuntimeMXBean().getName(); // pid@host
        int at = name.indexOf('@');
        return at < 0 ? "replica" : name.substring(at + 1);
    }
}
