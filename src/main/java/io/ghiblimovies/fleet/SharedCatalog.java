package io.ghiblimovies.fleet;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.CatalogFormat;
import io.ghiblimovies.catalog.Fleet;
import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.logging.Log;
import io.vertx.mutiny.redis.client.Response;

/**
 * The catalog the replicas share, in Redis: one hash, {@code <prefix>:v1:catalog}, with the
 * catalog's {@code version} (its fetch time in epoch milliseconds) and its {@code body} (the
 * format of the snapshot on disk). Writing it is one script that compares versions, so that it is
 * never overwritten by an older catalog whatever the races, and that announces each new catalog
 * on the channel {@code <prefix>:v1:published}.
 * <p>
 * What is read back is untrusted: anything that is not a catalog of this format with films, from
 * this {@code ghibli.api.url}, whose version matches its fetch time and which was not fetched in
 * the future, is logged once and ignored, and the next catalog shared replaces it.
 */
@ApplicationScoped
class SharedCatalog implements Fleet {

    /** Clocks of replicas disagree a little; a catalog fetched further ahead than this is refused. */
    static final Duration CLOCK_TOLERANCE = Duration.ofMinutes(1);

    /** {@code {kind}} or {@code {kind, version}} or {@code {kind, version, body}}. */
    private static final String READ = """
            local kind = redis.call('TYPE', KEYS[1]).ok
            if kind ~= 'hash' then return {kind} end
            local version = redis.call('HGET', KEYS[1], 'version') or ''
            if ARGV[1] == 'body' then return {kind, version, redis.call('HGET', KEYS[1], 'body') or ''} end
            return {kind, version}""";

    /**
     * Writes the catalog unless the one stored is newer or as new (and is not the entry found
     * invalid, ARGV[3]), then announces it. Anything else under the key is replaced.
     */
    private static final String WRITE = """
            if redis.call('TYPE', KEYS[1]).ok == 'hash' then
              local current = redis.call('HGET', KEYS[1], 'version')
              local number = tonumber(current)
              if number and current ~= ARGV[3] and number >= tonumber(ARGV[1]) then return 0 end
            end
            redis.call('DEL', KEYS[1])
            redis.call('HSET', KEYS[1], 'version', ARGV[1], 'body', ARGV[2])
            redis.call('PUBLISH', KEYS[2], ARGV[1])
            return 1""";

    /** What the store holds under the catalog key. */
    record Entry(String rawVersion, long version, Catalog catalog, String refusal) {

        static final Entry NONE = new Entry(null, -1, null, null);

        static Entry refused(String rawVersion, String why) {
            return new Entry(rawVersion, -1, null, why);
        }

        boolean none() {
            return rawVersion == null;
        }

        boolean usable() {
            return !none() && refusal == null;
        }
    }

    private final FleetRedis redis;
    private final RefreshLease lease;
    private final CatalogFormat format;
    private final Duration refreshInterval;
    private final String key;
    private final String channel;
    private volatile String lastRefused;
    private volatile String invalidVersion = "";

    SharedCatalog(FleetRedis redis, RefreshLease lease, CatalogFormat format, MoviesConfig config) {
        this.redis = redis;
        this.lease = lease;
        this.format = format;
        this.refreshInterval = config.refreshInterval();
        this.key = redis.key("catalog");
        this.channel = redis.key("published");
    }

    @Override
    public boolean sharing() {
        return redis.configured();
    }

    @Override
    public boolean reachable() {
        return redis.reachable();
    }

    String channel() {
        return channel;
    }

    @Override
    public Optional<Catalog> latest() {
        if (!sharing()) {
            return Optional.empty();
        }
        try {
            Entry entry = read(true);
            return entry.usable() ? Optional.of(entry.catalog()) : Optional.empty();
        } catch (FleetRedis.Unreachable e) {
            return Optional.empty();
        }
    }

    @Override
    public RefreshClaim claimRefresh() {
        if (!sharing()) {
            return RefreshClaim.of(Turn.ALONE);
        }
        try {
            Optional<RefreshLease.Held> held = lease.acquire();
            if (held.isEmpty()) {
                return RefreshClaim.of(Turn.TAKEN);
            }
            // a replica may have shared a catalog between our last look and this turn
            Entry entry = read(true);
            if (entry.usable() && Duration.ofMillis(System.currentTimeMillis() - entry.version())
                    .compareTo(refreshInterval) < 0) {
                held.get().release();
                return RefreshClaim.of(Turn.TAKEN);
            }
            return new RefreshClaim() {
                @Override
                public Turn turn() {
                    return Turn.FOR_FLEET;
                }

                @Override
                public void close() {
                    held.get().release();
                }
            };
        } catch (FleetRedis.Unreachable e) {
            return RefreshClaim.of(Turn.ALONE);
        }
    }

    @Override
    public void share(Catalog catalog) {
        if (!sharing()) {
            return;
        }
        String body = new String(format.write(catalog), StandardCharsets.UTF_8);
        String version = Long.toString(catalog.fetchedAt().toEpochMilli());
        try {
            long written = redis.call(source -> source.execute("EVAL", WRITE, "2", key, channel, version, body,
                    invalidVersion)).toLong();
            Log.debugf(written == 1 ? "Shared the catalog fetched %s" : "Kept the catalog fetched %s to this replica:"
                    + " the shared store holds a newer one", catalog.fetchedAt());
        } catch (FleetRedis.Unreachable e) {
            // logged once by FleetRedis; shared again once Redis is back (FleetSync)
        }
    }

    /**
     * What the store holds, checked; with {@code withBody} false only its version is read.
     *
     * @throws FleetRedis.Unreachable when Redis does not answer
     */
    Entry read(boolean withBody) {
        Response answer = redis.call(source -> source.execute("EVAL", READ, "1", key, withBody ? "body" : "version"));
        String kind = answer.get(0).toString();
        if (kind.equals("none")) {
            invalidVersion = "";
            return Entry.NONE;
        }
        if (!kind.equals("hash")) {
            return refuse(Entry.refused("", "it is a Redis " + kind + ", not a hash"));
        }
        String rawVersion = answer.get(1).toString();
        long version;
        try {
            version = Long.parseLong(rawVersion);
        } catch (NumberFormatException e) {
            return refuse(Entry.refused(rawVersion, "its version '" + abbreviated(rawVersion) + "' is not a number"));
        }
        if (version > System.currentTimeMillis() + CLOCK_TOLERANCE.toMillis()) {
            return refuse(Entry.refused(rawVersion, "it was fetched in the future, at " + Instant.ofEpochMilli(version)));
        }
        if (!withBody) {
            return new Entry(rawVersion, version, null, null);
        }
        Catalog catalog;
        try {
            catalog = format.read(answer.get(2).toString().getBytes(StandardCharsets.UTF_8));
        } catch (CatalogFormat.Refused e) {
            return refuse(Entry.refused(rawVersion, e.getMessage()));
        }
        if (catalog.fetchedAt().toEpochMilli() != version) {
            return refuse(Entry.refused(rawVersion, "its version " + version + " is not its fetch time "
                    + catalog.fetchedAt()));
        }
        return new Entry(rawVersion, version, catalog, null);
    }

    /** Logs a refused entry once, and remembers it, so that the next catalog shared replaces it. */
    private Entry refuse(Entry entry) {
        invalidVersion = entry.rawVersion();
        String said = entry.rawVersion() + "|" + entry.refusal();
        if (!Objects.equals(said, lastRefused)) {
            lastRefused = said;
            Log.warnf("Ignoring the shared catalog %s in Redis: %s; the next catalog shared replaces it", key,
                    entry.refusal());
        }
        return entry;
    }

    private static String abbreviated(String value) {
        return value.length() <= 40 ? value : value.substring(0, 40) + "...";
    }
}
