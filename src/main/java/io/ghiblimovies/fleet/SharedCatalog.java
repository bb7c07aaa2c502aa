package io.ghiblimovies.fleet;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.CatalogFormat;
import io.ghiblimovies.catalog.CatalogStore;
import io.ghiblimovies.catalog.Fleet;
import io.ghiblimovies.catalog.HeldCatalog;
import io.ghiblimovies.catalog.MoviesConfig;
import io.ghiblimovies.catalog.Origin;
import io.ghiblimovies.fleet.FleetRedis.Call;
import io.ghiblimovies.fleet.FleetRedis.Problem;
import io.ghiblimovies.ghibliapi.GhibliClient;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.vertx.core.Vertx;
import io.vertx.mutiny.redis.client.Response;

/**
 * The catalog the replicas share: one Redis hash, {@code {prefix}:v2:catalog}, with the catalog's
 * {@code version} (its fetch time, in milliseconds by Redis' clock), its {@code body} (the format of
 * the snapshot on disk), and the claim to read the API next ({@code claim}, {@code claimedAt},
 * {@code until}). Every check, each replica runs one small read-only script (Redis' time, the
 * version, the body's size), takes a newer catalog, and, once the shared one is
 * {@code movies.refresh-interval} old by Redis' clock, claims the next read.
 * <p>
 * One clock: Redis' {@code TIME}. Versions, ages and claims are judged by it, inside the scripts,
 * and each replica knows Redis' time as an offset from its own monotonic clock, so its wall clock
 * may be minutes off. A claim lasts {@code movies.fleet.lease-ttl} and is renewed while its holder
 * reads, but never past the read's own time bound (ShedLock's {@code lockAtMostFor}); after a failed
 * read it holds the fleet back for the API's retry delay ({@code lockAtLeastFor}). Both are enforced
 * by the scripts, so no claim outlives its purpose whatever a replica does or fails to do. A write
 * compares versions (the fence): an older catalog never replaces a newer one.
 * <p>
 * What is read back is untrusted: its type and size are checked in Redis before it is transferred,
 * and anything that is not a catalog of this format, from this {@code ghibli.api.url}, whose
 * version is its fetch time and not in the future, is logged once and ignored; the next claim and
 * write replace it. Any Redis trouble makes this replica act alone until it passes ({@link Turn#ALONE}).
 */
@ApplicationScoped
class SharedCatalog implements Fleet {

    /** Redis' time, the shared value's kind, its version (if short enough to be one), the body's size. */
    private static final String POLL = """
            local time = redis.call('TIME')
            local kind = redis.call('TYPE', KEYS[1]).ok
            if kind ~= 'hash' then return {time[1], time[2], kind, '', 0} end
            local version = ''
            if redis.call('HSTRLEN', KEYS[1], 'version') <= 20 then version = redis.call('HGET', KEYS[1], 'version') or '' end
            return {time[1], time[2], kind, version, redis.call('HSTRLEN', KEYS[1], 'body')}""";

    /** The body, if the version is still ARGV[1] and the body no larger than ARGV[2] bytes. */
    private static final String FETCH = """
            if redis.call('TYPE', KEYS[1]).ok ~= 'hash' or redis.call('HSTRLEN', KEYS[1], 'version') > 20
                or redis.call('HGET', KEYS[1], 'version') ~= ARGV[1]
                or redis.call('HSTRLEN', KEYS[1], 'body') > tonumber(ARGV[2]) then
              return false
            end
            return redis.call('HGET', KEYS[1], 'body')""";

    /**
     * Claims the next read for token ARGV[1], unless the catalog is younger than ARGV[2] ms (and is
     * not ARGV[5], a version this replica refused), or a claim is in force: one that has not ended
     * and never lasts longer than ARGV[4] ms after it was made, whatever its fields say. A value of
     * another type is garbage, and goes.
     */
    private static final String CLAIM = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local kind = redis.call('TYPE', KEYS[1]).ok
            if kind ~= 'hash' and kind ~= 'none' then redis.call('UNLINK', KEYS[1]) kind = 'none' end
            local function field(name)
              if kind ~= 'hash' or redis.call('HSTRLEN', KEYS[1], name) > 20 then return nil end
              return redis.call('HGET', KEYS[1], name)
            end
            local raw = field('version')
            local version = tonumber(raw)
            if version and raw ~= ARGV[5] and version <= now and now - version < tonumber(ARGV[2]) then return 'fresh' end
            local claimed, ends = tonumber(field('claimedAt')), tonumber(field('until'))
            if claimed and ends and claimed <= now and now < ends and ends <= claimed + tonumber(ARGV[4]) then
              return 'taken'
            end
            redis.call('HSET', KEYS[1], 'claim', ARGV[1], 'claimedAt', string.format('%.0f', now),
                'until', string.format('%.0f', now + tonumber(ARGV[3])))
            return 'claimed'""";

    /**
     * Extends the claim of token ARGV[1] to ARGV[3] ms after now (ARGV[2] 'now': a renewal) or after
     * the claim was made ('claim': held after a failure), never past ARGV[4] ms after it was made.
     */
    private static final String HOLD = """
            if redis.call('TYPE', KEYS[1]).ok ~= 'hash' or redis.call('HSTRLEN', KEYS[1], 'claim') > 200
                or redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
            local claimed = tonumber(redis.call('HGET', KEYS[1], 'claimedAt'))
            if not claimed then return 0 end
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local from = now
            if ARGV[2] == 'claim' then from = claimed end
            local ends = math.min(from + tonumber(ARGV[3]), claimed + tonumber(ARGV[4]))
            if ends <= now then return 0 end
            redis.call('HSET', KEYS[1], 'until', string.format('%.0f', ends))
            return 1""";

    /**
     * Writes version ARGV[1] with body ARGV[2], unless it is in the future by Redis' clock, or the
     * catalog held is as new (and is not ARGV[3], a version this replica refused). Built aside
     * (KEYS[2]) and renamed over KEYS[1]: a full Redis refuses the write and leaves the catalog held
     * whole (the first write of a script is the one checked against maxmemory, so nothing is deleted
     * before it). The value expires after ARGV[4] ms unless written again.
     */
    private static final String WRITE = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            if tonumber(ARGV[1]) > now then return 'future' end
            if redis.call('TYPE', KEYS[1]).ok == 'hash' and redis.call('HSTRLEN', KEYS[1], 'version') <= 20 then
              local raw = redis.call('HGET', KEYS[1], 'version')
              local held = tonumber(raw)
              if held and raw ~= ARGV[3] and held <= now and held >= tonumber(ARGV[1]) then return 'older' end
            end
            if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('UNLINK', KEYS[2]) end
            redis.call('HSET', KEYS[2], 'version', ARGV[1], 'body', ARGV[2])
            redis.call('RENAME', KEYS[2], KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return 'written'""";

    /** A shared catalog nobody writes again (the fleet is gone) leaves Redis after this. */
    private static final Duration EXPIRY = Duration.ofDays(7);

    /** How often to look while another replica reads, for at most a claim's life. */
    private static final Duration QUICK_CHECK = Duration.ofMillis(100);

    /** Redis' time is taken from a poll whose round trip is shorter than this; slower ones would skew it. */
    private static final long CLOCK_SAMPLE_NANOS = Duration.ofMillis(50).toNanos();

    /** What a poll saw: Redis' time ({@code now}, ms) at {@code nanos} on this process' monotonic clock. */
    private record Poll(long now, long nanos, String kind, String version, long bodyBytes) {

        /** When a catalog of this version was fetched, on this process' monotonic clock. */
        long fetchedNanos(long version) {
            return nanos - (now - version) * 1_000_000;
        }
    }

    /** Redis' time ({@code millis}) at {@code nanos} on this process' monotonic clock. */
    private record Clock(long millis, long nanos) {
    }

    private final FleetRedis redis;
    private final CatalogFormat format;
    private final CatalogStore store;
    private final Vertx vertx;
    private final String key;
    private final String scratch;
    private final String holder;
    private final long dueMillis;
    private final long ttlMillis;
    private final long atMostMillis;
    private final long atLeastMillis;
    private final Duration checkInterval;
    private final Optional<Counter> publications;
    private volatile Clock clock;
    /** When the shared catalog turns due, on the monotonic clock, if known. */
    private OptionalLong dueAtNanos = OptionalLong.empty();
    /** Until when to look every {@link #QUICK_CHECK} (another replica reads), if it does. */
    private OptionalLong quickUntilNanos = OptionalLong.empty();
    /** A version this replica refused ("" for none): passed to the scripts, which treat it as absent. */
    private String refused = "";
    private String lastRefusal;
    private String claim;
    private long renewal = -1;
    private long lastShareOfMine;

    SharedCatalog(FleetRedis redis, CatalogFormat format, CatalogStore store, MoviesConfig config, GhibliClient client,
            Vertx vertx, MeterRegistry registry) {
        this.redis = redis;
        this.format = format;
        this.store = store;
        this.vertx = vertx;
        this.key = redis.key("catalog");
        this.scratch = redis.key("catalog:next");
        this.holder = ManagementFactory.getRuntimeMXBean().getName(); // pid@host, for an operator looking into Redis
        this.dueMillis = config.refreshInterval().toMillis();
        this.ttlMillis = config.fleet().leaseTtl().toMillis();
        this.atMostMillis = client.readBound().toMillis() + ttlMillis;
        this.atLeastMillis = client.retryDelay().toMillis();
        this.checkInterval = config.fleet().checkInterval();
        this.publications = redis.configured() ? Optional.of(Counter.builder("catalog.fleet.publications")
                .description("Catalogs this replica wrote to the shared store (Redis)").register(registry))
                : Optional.empty();
        if (redis.configured()) {
            Gauge.builder("catalog.fleet.store.reachable", redis, r -> r.answers() ? 1 : 0)
                    .description("1 while the shared store (Redis) answers, 0 while this replica is cut off from it")
                    .register(registry);
        }
    }

    void stop(@Observes ShutdownEvent event) {
        stopRenewing();
    }

    @Override
    public boolean sharing() {
        return redis.configured();
    }

    @Override
    public boolean reachable() {
        return !sharing() || redis.answers();
    }

    @Override
    public String state() {
        return sharing() ? redis.state() : "none";
    }

    @Override
    public Instant now() {
        Clock known = clock;
        return Instant.ofEpochMilli(known == null ? System.currentTimeMillis()
                : known.millis() + (System.nanoTime() - known.nanos()) / 1_000_000);
    }

    @Override
    public Duration nextCheck() {
        long now = System.nanoTime();
        if (quickUntilNanos.isPresent() && now - quickUntilNanos.getAsLong() < 0) {
            return QUICK_CHECK;
        }
        long untilDue = dueAtNanos.orElse(now) - now;
        if (untilDue > 0 && untilDue < checkInterval.toNanos()) {
            // all replicas look when it turns due: one claims, the others look again quickly
            return Duration.ofNanos(untilDue).plusMillis(ThreadLocalRandom.current().nextInt(20));
        }
        return checkInterval;
    }

    @Override
    public Turn sync(boolean mayRead) {
        if (!sharing()) {
            return Turn.ALONE;
        }
        dueAtNanos = OptionalLong.empty();
        try {
            Poll poll = poll();
            long version = usableVersion(poll);
            HeldCatalog mine = store.latest();
            long myVersion = mine == null ? -1 : mine.catalog().fetchedAt().toEpochMilli();
            if (version >= 0 && version != myVersion
                    && (mine == null || poll.fetchedNanos(version) - mine.fetchedNanos() > 0) && !take(poll, version)) {
                version = -1; // refused: absent, for the claim and the write
            }
            if (mine != null && myVersion != version && (version < 0 || poll.fetchedNanos(version) < mine.fetchedNanos())
                    && shareMine(mine, poll)) {
                return Turn.WAIT;
            }
            if (version >= 0) {
                dueAtNanos = OptionalLong.of(poll.fetchedNanos(version) + dueMillis * 1_000_000);
            }
            if (version >= 0 && poll.now() - version < dueMillis || !mayRead) {
                quickUntilNanos = OptionalLong.empty();
                return Turn.WAIT;
            }
            return claim() ? Turn.FOR_FLEET : Turn.WAIT;
        } catch (Problem e) {
            quickUntilNanos = OptionalLong.empty();
            return Turn.ALONE;
        }
    }

    @Override
    public void share(Catalog catalog) {
        if (!sharing()) {
            return;
        }
        stopRenewing();
        claim = null;
        try {
            write(catalog);
        } catch (Problem e) {
            // logged once by FleetRedis; the claim lapses by itself
        }
    }

    @Override
    public void readFailed() {
        stopRenewing();
        String token = claim;
        claim = null;
        if (token == null) {
            return;
        }
        try {
            redis.call(Call.WRITE, source -> source.execute("EVAL", HOLD, "1", key, token, "claim",
                    Long.toString(atLeastMillis), Long.toString(atLeastMillis)), answer -> answer.toLong() == 1);
        } catch (Problem e) {
            // the claim lapses by itself, lease-ttl after its last renewal
        }
    }

    private Poll poll() throws Problem {
        long sent = System.nanoTime();
        Response answer = redis.call(Call.POLL, source -> source.execute("EVAL", POLL, "1", key));
        long received = System.nanoTime();
        long now = Long.parseLong(answer.get(0).toString()) * 1000 + Long.parseLong(answer.get(1).toString()) / 1000;
        long nanos = sent + (received - sent) / 2;
        if (clock == null || received - sent < CLOCK_SAMPLE_NANOS) {
            clock = new Clock(now, nanos);
        }
        return new Poll(now, nanos, answer.get(2).toString(), answer.get(3).toString(), answer.get(4).toLong());
    }

    /** The shared catalog's version, or -1 when there is none this replica can use. */
    private long usableVersion(Poll poll) {
        if (poll.kind().equals("none")) {
            refused = "";
            return -1;
        }
        if (!poll.kind().equals("hash")) {
            refuse("", "it is a Redis " + poll.kind() + ", not a hash");
            return -1;
        }
        String raw = poll.version();
        if (raw.isEmpty() || raw.equals(refused)) {
            return -1; // only a claim so far, or a version refused already
        }
        long version;
        try {
            version = Long.parseLong(raw);
        } catch (NumberFormatException e) {
            refuse(raw, "its version '" + raw + "' is not a number");
            return -1;
        }
        if (version > poll.now()) {
            refuse(raw, "it was fetched in the future, at " + Instant.ofEpochMilli(version) + ", by Redis' clock ("
                    + Instant.ofEpochMilli(poll.now()) + ")");
            return -1;
        }
        return version;
    }

    /**
     * Takes the shared catalog of {@code version}, if it is good.
     *
     * @return false if it was refused
     * @throws Problem when Redis does not send it: this replica then acts alone
     */
    private boolean take(Poll poll, long version) throws Problem {
        String raw = poll.version();
        if (poll.bodyBytes() > CatalogFormat.MAX_BYTES) {
            refuse(raw, "it is " + poll.bodyBytes() + " bytes, more than the " + CatalogFormat.MAX_BYTES
                    + " a catalog may take");
            return false;
        }
        Response body = redis.call(Call.FETCH, source -> source.execute("EVAL", FETCH, "1", key, raw,
                Long.toString(CatalogFormat.MAX_BYTES)));
        if (body == null) {
            return true; // replaced since the poll: the next check looks again
        }
        Catalog catalog;
        try {
            catalog = format.read(body.toBytes());
        } catch (CatalogFormat.Refused e) {
            refuse(raw, e.getMessage());
            return false;
        }
        if (catalog.fetchedAt().toEpochMilli() != version) {
            refuse(raw, "its version " + version + " is not its fetch time " + catalog.fetchedAt());
            return false;
        }
        if (store.publish(catalog, Origin.SHARED, poll.fetchedNanos(version))) {
            Log.debugf("Took the fleet's catalog fetched %s", catalog.fetchedAt());
        }
        return true;
    }

    /**
     * Shares this replica's catalog when the shared one is older (or none, or refused) and this one is
     * not due yet: after Redis came back, empty or behind. While writes fail, tried once an interval.
     *
     * @return whether the shared catalog is now this replica's
     */
    private boolean shareMine(HeldCatalog mine, Poll poll) throws Problem {
        long nowNanos = System.nanoTime();
        if (mine.age(nowNanos).toMillis() >= dueMillis
                || redis.writesFailing() && nowNanos - lastShareOfMine < dueMillis * 1_000_000) {
            return false;
        }
        lastShareOfMine = nowNanos;
        return write(mine.catalog());
    }

    /** @return whether the catalog is now the shared one */
    private boolean write(Catalog catalog) throws Problem {
        String body = new String(format.write(catalog), StandardCharsets.UTF_8);
        String version = Long.toString(catalog.fetchedAt().toEpochMilli());
        String outcome = redis.call(Call.WRITE, source -> source.execute("EVAL", WRITE, "2", key, scratch, version,
                body, refused, Long.toString(EXPIRY.toMillis())), answer -> answer.toString().equals("written")).toString();
        Log.debugf("Sharing the catalog fetched %s: %s", catalog.fetchedAt(), outcome);
        if (!outcome.equals("written")) {
            return false;
        }
        publications.ifPresent(Counter::increment);
        return true;
    }

    private boolean claim() throws Problem {
        String token = holder + ":" + UUID.randomUUID();
        String outcome = redis.call(Call.WRITE, source -> source.execute("EVAL", CLAIM, "1", key, token,
                Long.toString(dueMillis), Long.toString(ttlMillis), Long.toString(Math.max(atMostMillis, atLeastMillis)),
                refused), answer -> answer.toString().equals("claimed")).toString();
        if (outcome.equals("taken")) {
            // once per claim seen: a hold after a failed read is not looked at every 100 ms
            if (quickUntilNanos.isEmpty()) {
                quickUntilNanos = OptionalLong.of(System.nanoTime() + ttlMillis * 1_000_000);
            }
            return false;
        }
        // 'fresh': a catalog was written since the poll, to be taken at once
        quickUntilNanos = outcome.equals("fresh") ? OptionalLong.of(System.nanoTime() + QUICK_CHECK.toNanos())
                : OptionalLong.empty();
        if (!outcome.equals("claimed")) {
            return false;
        }
        claim = token;
        startRenewing(token);
        return true;
    }

    /**
     * Renews the claim every third of its life while the refresh thread reads, on a Vert.x timer (the
     * reactive client: no thread waits). It ends by itself when the script says the claim is no longer
     * ours or past its bound, and here once that bound has passed: a renewal cannot outlive the read.
     */
    private void startRenewing(String token) {
        long started = System.nanoTime();
        String ttl = Long.toString(ttlMillis);
        String atMost = Long.toString(atMostMillis);
        renewal = vertx.setPeriodic(Math.max(ttlMillis / 3, 100), timer -> {
            if (System.nanoTime() - started > atMostMillis * 1_000_000) {
                vertx.cancelTimer(timer);
                return;
            }
            redis.reactive().execute("EVAL", HOLD, "1", key, token, "now", ttl, atMost)
                    .ifNoItem().after(Duration.ofMillis(ttlMillis)).fail()
                    .subscribe().with(answer -> {
                        if (answer == null || answer.toLong() == 0) {
                            vertx.cancelTimer(timer);
                        }
                    }, failure -> Log.debugf("Cannot renew the claim to read the API: %s", failure.getClass().getSimpleName()));
        });
    }

    private void stopRenewing() {
        if (renewal >= 0) {
            vertx.cancelTimer(renewal);
            renewal = -1;
        }
    }

    /** Remembers a shared value refused, and logs it once, so that the next catalog shared replaces it. */
    private void refuse(String raw, String why) {
        refused = raw;
        String said = raw + "|" + why;
        if (!Objects.equals(said, lastRefusal)) {
            lastRefusal = said;
            Log.warnf("Ignoring the shared catalog %s in Redis: %s; the next catalog shared replaces it", key, why);
        }
    }
}
