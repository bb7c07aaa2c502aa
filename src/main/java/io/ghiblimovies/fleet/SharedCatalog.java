package io.ghiblimovies.fleet;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import io.ghiblimovies.LogFields;
import io.ghiblimovies.catalog.Catalog;
import io.ghiblimovies.catalog.CatalogFormat;
import io.ghiblimovies.catalog.CatalogRefresher;
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
 * The catalog the replicas share: one Redis hash, {@code {prefix}:v2:<tag>:catalog} (the tag: of the API's URL), with the catalog's
 * {@code version} (its fetch time, in milliseconds by Redis' clock), its {@code body} (the format of
 * the snapshot on disk), and the claim to read the API next ({@code claim}, {@code claimedAt},
 * {@code until}). At each check a replica runs one small script that tells Redis' time, the version
 * and the body's size, and claims the next read once the shared catalog is
 * {@code movies.refresh-interval} old by Redis' clock; it takes a newer catalog than its own.
 * <p>
 * One clock: Redis' {@code TIME}. Versions, ages and claims are judged by it, inside the scripts,
 * and each replica knows Redis' time as an offset from its own monotonic clock, so its wall clock
 * may be minutes off. A claim lasts {@code movies.fleet.lease-ttl} and is renewed while its holder
 * reads, but never past the read's own time bound (ShedLock's {@code lockAtMostFor}); after a failed
 * read it holds the fleet back for the API's retry delay ({@code lockAtLeastFor}). Both bounds are
 * enforced by the scripts, so no claim outlives its purpose whatever a replica does or fails to do.
 * A write compares versions (the fence): an older catalog never replaces a newer one.
 * <p>
 * One instant: a catalog read for the fleet is written with {@code switchAt}, {@code
 * movies.fleet.switch-delay} ahead by Redis' clock. The others, looking every 100 ms while it is
 * read, take it and render it before then, and every replica, its reader included, serves it from
 * that instant by its own reckoning of Redis' time (taken from the check with the shortest round
 * trip): a client behind a balancer never gets an older catalog after a newer one. One that takes it
 * late serves it at once, and counts it.
 * <p>
 * What is read back is untrusted: its type and size are checked in Redis before it is transferred,
 * and anything that is not a catalog of this format, from this {@code ghibli.api.url}, whose
 * version is its fetch time and not in the future, is logged once and ignored; the next claim and
 * write replace it. Any Redis trouble makes this replica act alone until it passes ({@link Turn#ALONE}).
 */
@ApplicationScoped
class SharedCatalog implements Fleet {

    /**
     * Redis' time, the value's kind, its version (if short enough to be one), the body's size, what
     * became of the claim, when the catalog is to be served ('switchAt', ms by Redis' clock, '' if
     * at once) and when a claim in force ends ('' if none). The claim: 'fresh' (the catalog is younger than ARGV[2] ms and is not ARGV[5], a
     * version this replica refused), 'taken' (a claim is in force: one that has not ended and never
     * lasts more than ARGV[4] ms after it was made, whatever its fields say), 'held' (the same, held
     * after its read failed), 'due' (ARGV[1] is empty: this replica may not read) or 'claimed' for
     * token ARGV[1], for ARGV[3] ms. A value of another type is garbage, and goes with the claim. A
     * claim made where there was no value expires with the value's ARGV[6] ms.
     */
    static final String CHECK = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local kind = redis.call('TYPE', KEYS[1]).ok
            local function field(name)
              if kind ~= 'hash' or redis.call('HSTRLEN', KEYS[1], name) > 20 then return nil end
              return redis.call('HGET', KEYS[1], name)
            end
            local raw = field('version')
            local answer = {time[1], time[2], kind, raw or '', 0, 'fresh', field('switchAt') or '', ''}
            if kind == 'hash' then answer[5] = redis.call('HSTRLEN', KEYS[1], 'body') end
            local version = tonumber(raw)
            if version and raw ~= ARGV[5] and version <= now and now - version < tonumber(ARGV[2]) then return answer end
            local claimed, ends = tonumber(field('claimedAt')), tonumber(field('until'))
            answer[6] = 'taken'
            if claimed and ends and claimed <= now and now < ends and ends <= claimed + tonumber(ARGV[4]) then
              if field('held') then answer[6] = 'held' end
              answer[8] = string.format('%.0f', ends)
              return answer
            end
            answer[6] = 'due'
            if ARGV[1] == '' then return answer end
            if kind ~= 'hash' and kind ~= 'none' then redis.call('UNLINK', KEYS[1]) end
            redis.call('HSET', KEYS[1], 'claim', ARGV[1], 'claimedAt', string.format('%.0f', now),
                'until', string.format('%.0f', now + tonumber(ARGV[3])))
            redis.call('HDEL', KEYS[1], 'held')
            if redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[6]) end
            answer[6] = 'claimed'
            return answer""";

    /** The body ('' if there is none), if the version is still ARGV[1] and the body no larger than ARGV[2] bytes. */
    static final String FETCH = """
            if redis.call('TYPE', KEYS[1]).ok ~= 'hash' or redis.call('HSTRLEN', KEYS[1], 'version') > 20
                or redis.call('HGET', KEYS[1], 'version') ~= ARGV[1]
                or redis.call('HSTRLEN', KEYS[1], 'body') > tonumber(ARGV[2]) then
              return false
            end
            return redis.call('HGET', KEYS[1], 'body') or ''""";

    /**
     * Extends the claim of token ARGV[1] to ARGV[3] ms after now (ARGV[2] 'now': a renewal) or after
     * the claim was made ('claim': held after a failure, which marks it 'held'), never past ARGV[4] ms
     * after it was made, and never to less than it was: a renewal that lands late shortens nothing.
     * A held claim is not renewed.
     */
    static final String HOLD = """
            if redis.call('TYPE', KEYS[1]).ok ~= 'hash' or redis.call('HSTRLEN', KEYS[1], 'claim') > 200
                or redis.call('HGET', KEYS[1], 'claim') ~= ARGV[1] then return 0 end
            if ARGV[2] == 'now' and redis.call('HEXISTS', KEYS[1], 'held') == 1 then return 0 end
            local claimed = tonumber(redis.call('HGET', KEYS[1], 'claimedAt'))
            if not claimed then return 0 end
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            local from = now
            if ARGV[2] == 'claim' then from = claimed end
            local ends = math.min(from + tonumber(ARGV[3]), claimed + tonumber(ARGV[4]))
            local current = tonumber(redis.call('HGET', KEYS[1], 'until'))
            if current and current > ends and current <= claimed + tonumber(ARGV[4]) then ends = current end
            if ends <= now then return 0 end
            redis.call('HSET', KEYS[1], 'until', string.format('%.0f', ends))
            if ARGV[2] == 'claim' then redis.call('HSET', KEYS[1], 'held', '1') end
            return 1""";

    /**
     * Writes version ARGV[1] with body ARGV[2], to be served ARGV[5] ms from now by Redis' clock
     * ('switchAt'; ARGV[5] '': as soon as it is taken), unless it is in the future by Redis' clock, or the
     * catalog held is as new (and is not ARGV[3], a version this replica refused). Built aside
     * (KEYS[2]) and renamed over KEYS[1]: a full Redis refuses the write and leaves the catalog held
     * whole (a script's first write is the one checked against maxmemory, so nothing is deleted
     * before it). The value expires after ARGV[4] ms unless written again.
     */
    static final String WRITE = """
            local time = redis.call('TIME')
            local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
            if tonumber(ARGV[1]) > now then return {'future', ''} end
            if redis.call('TYPE', KEYS[1]).ok == 'hash' and redis.call('HSTRLEN', KEYS[1], 'version') <= 20 then
              local raw = redis.call('HGET', KEYS[1], 'version')
              local held = tonumber(raw)
              if held and raw ~= ARGV[3] and held <= now and held >= tonumber(ARGV[1]) then return {'older', ''} end
            end
            if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('UNLINK', KEYS[2]) end
            local switchAt = ''
            if ARGV[5] ~= '' then switchAt = string.format('%.0f', now + tonumber(ARGV[5])) end
            redis.call('HSET', KEYS[2], 'version', ARGV[1], 'body', ARGV[2], 'switchAt', switchAt)
            redis.call('RENAME', KEYS[2], KEYS[1])
            redis.call('PEXPIRE', KEYS[1], ARGV[4])
            return {'written', switchAt}""";

    /** A shared catalog nobody writes again (the fleet is gone) leaves Redis after this. */
    private static final Duration EXPIRY = Duration.ofDays(7);

    /** How often to look while another replica reads (a claim in force, never longer than its bound). */
    private static final Duration QUICK_CHECK = Duration.ofMillis(100);

    /** Redis' time is taken from a check whose round trip is shorter than this; slower ones would skew it. */
    private static final long CLOCK_SAMPLE_NANOS = Duration.ofMillis(50).toNanos();

    /**
     * Redis' time is taken again this long after the last from a check nearly as quick (twice the
     * round trip, or a millisecond more), and from any quick enough check ten times this long after.
     */
    private static final long CLOCK_RENEWAL_NANOS = Duration.ofSeconds(30).toNanos();

    /**
     * What a check saw: Redis' time ({@code micros}, µs; {@code now}, ms) at {@code nanos} on this
     * process' monotonic clock, told within {@code roundTripNanos}.
     */
    private record Check(long micros, long nanos, long roundTripNanos, String kind, String version, long bodyBytes,
            String claim, String switchAt, String claimEnds) {

        long now() {
            return Math.floorDiv(micros, 1000);
        }

        /** When a catalog of this version was fetched, on this process' monotonic clock (ages counted up to 30 days). */
        long fetchedNanos(long version) {
            return nanos - Math.max(0, Math.min(now() - version, CatalogRefresher.OLDEST.toMillis())) * 1_000_000;
        }

        /** Whether another replica reads the API now: a claim in force, not held after a failure. */
        boolean reading() {
            return claim.equals("taken");
        }

        /** Whether a claim is in force: another replica reads, or holds the fleet back after a failure. */
        boolean claimInForce() {
            return claim.equals("taken") || claim.equals("held");
        }
    }

    private final FleetRedis redis;
    private final CatalogFormat format;
    private final CatalogStore store;
    private final Vertx vertx;
    private final GhibliClient client;
    private final Optional<Counter> publications;
    private final Optional<Counter> lateSwitches;
    private final String key;
    private final String holder = ManagementFactory.getRuntimeMXBean().getName(); // pid@host, for an operator
    private final long dueMillis;
    private final long ttlMillis;
    private final long atMostMillis;
    private final long atLeastMillis;
    private final Duration checkInterval;
    private final long switchDelayMillis;
    /** Redis' time at a moment of this process' monotonic clock, once a check told it. */
    private volatile Check clock;
    /** A version this replica refused ("" for none): passed to the scripts, which treat it as absent. */
    private String refused = "";
    private String lastRefusal;
    private String claim;
    private volatile long renewal = -1;
    private long lastShareOfMine;
    private OptionalLong dueAtNanos = OptionalLong.empty();
    /** Whether to look again every {@link #QUICK_CHECK}: another replica reads, or the catalog is just due. */
    private boolean quick;

    SharedCatalog(FleetRedis redis, CatalogFormat format, CatalogStore store, MoviesConfig config, GhibliClient client,
            Vertx vertx, MeterRegistry registry) {
        this.redis = redis;
        this.format = format;
        this.store = store;
        this.vertx = vertx;
        this.client = client;
        this.key = redis.key(format.sourceTag() + ":catalog");
        this.dueMillis = config.refreshInterval().toMillis();
        this.ttlMillis = config.fleet().leaseTtl().toMillis();
        // the holder may take a body, read, and write: each bounded
        this.atMostMillis = client.readBound().plus(redis.timeout().multipliedBy(2)).toMillis() + ttlMillis;
        this.atLeastMillis = client.retryDelay().toMillis();
        this.checkInterval = config.fleet().checkInterval();
        this.switchDelayMillis = config.fleet().switchDelay().toMillis();
        this.publications = Optional.of(registry).filter(ignored -> redis.configured())
                .map(meters -> Counter.builder("catalog.fleet.publications")
                        .description("Catalogs this replica wrote to the shared store (Redis)").register(meters));
        this.lateSwitches = Optional.of(registry).filter(ignored -> redis.configured())
                .map(meters -> Counter.builder("catalog.fleet.switches.late")
                        .description("Catalogs of the fleet this replica took after the instant the fleet serves them from"
                                + " (movies.fleet.switch-delay too short for this fleet)")
                        .register(meters));
        if (redis.configured()) {
            Gauge.builder("catalog.fleet.store.reachable", redis, r -> r.answers() ? 1 : 0)
                    .description("1 while the shared store (Redis) answers, 0 while this replica is cut off from it")
                    .register(registry);
            Gauge.builder("catalog.fleet.alone", redis, r -> r.troubled() ? 1 : 0)
                    .description("1 while this replica serves its own catalog and reads the API itself: the shared store"
                            + " (Redis) is in trouble of any kind (no answer, TLS, credentials, full, read-only, a refusal)")
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
        return sharing() ? redis.describe() : "none";
    }

    @Override
    public Instant now() {
        Check known = clock;
        if (known == null) {
            return Instant.ofEpochMilli(System.currentTimeMillis());
        }
        long micros = known.micros() + (System.nanoTime() - known.nanos()) / 1000;
        return Instant.ofEpochSecond(Math.floorDiv(micros, 1_000_000), Math.floorMod(micros, 1_000_000) * 1000L);
    }

    /** The moment of this process' monotonic clock when Redis' clock says {@code millis}, as best known. */
    private long nanosAt(long millis) {
        Check known = clock;
        return known == null ? System.nanoTime() + (millis - System.currentTimeMillis()) * 1_000_000
                : known.nanos() + (millis * 1000 - known.micros()) * 1000;
    }

    @Override
    public Duration nextCheck() {
        long now = System.nanoTime();
        if (quick) {
            return QUICK_CHECK;
        }
        if (dueAtNanos.isEmpty()) {
            return checkInterval;
        }
        long untilDue = dueAtNanos.getAsLong() - now;
        if (untilDue <= 0) {
            return QUICK_CHECK; // due, or a hold ended, while this check ran: one claims at once, and this replica must see it
        }
        // every replica looks when the catalog turns due or a hold ends: one claims, the others look again soon
        return untilDue < checkInterval.toNanos() ? Duration.ofNanos(untilDue) : checkInterval;
    }

    @Override
    public Turn sync(boolean mayRead) {
        if (!sharing()) {
            return Turn.ALONE;
        }
        dueAtNanos = OptionalLong.empty();
        String token = mayRead ? holder + ":" + UUID.randomUUID() : "";
        boolean claimed = false;
        try {
            Check check = check(token);
            claimed = check.claim().equals("claimed");
            if (claimed) {
                claim = token;
                redis.writesWork();
                startRenewing(token);
            }
            long version = usableVersion(check);
            HeldCatalog mine = store.latest();
            long myVersion = mine == null ? -1 : mine.catalog().fetchedAt().toEpochMilli();
            // a newer one is taken even when this replica is to read: a new replica has something to serve at once
            if (version >= 0 && version != myVersion
                    && (mine == null || check.fetchedNanos(version) - mine.fetchedNanos() > 0) && !take(check, version)) {
                version = -1; // refused: absent, for the next claim and write
            }
            if (version >= 0) {
                dueAtNanos = OptionalLong.of(check.fetchedNanos(version) + dueMillis * 1_000_000);
            }
            if (check.claim().equals("held")) {
                dueAtNanos = millis(check.claimEnds()).stream().map(this::nanosAt).findFirst(); // every replica looks when it ends
            }
            // look every 100 ms while another replica reads, to take what it reads before the fleet serves
            // it, and while the catalog is due but unclaimed (another replica claims it at once); also once
            // it is due, or a hold ended, by this replica's reckoning but not yet by Redis' (nextCheck)
            quick = check.reading() || check.claim().equals("due");
            // not while another replica reads or holds the fleet back: a write would end its claim
            if (!claimed && !check.claimInForce() && mine != null && myVersion != version
                    && (version < 0 || check.fetchedNanos(version) < mine.fetchedNanos())) {
                shareMine(mine);
            }
            return claimed ? Turn.FOR_FLEET : Turn.WAIT;
        } catch (Problem e) {
            quick = quick && !redis.troubled(); // a single failure ends no quick looks: a switch may be near
            // once is no trouble yet (FleetRedis names it from the second failure in a row): acting alone
            // now would serve what this replica reads before the fleet's switch
            return claimed ? Turn.FOR_FLEET : redis.troubled() ? Turn.ALONE : Turn.WAIT;
        }
    }

    @Override
    public OptionalLong share(Catalog catalog, boolean forFleet) {
        if (!sharing()) {
            return OptionalLong.of(System.nanoTime());
        }
        stopRenewing();
        claim = null;
        long servedFrom;
        try {
            Written written = write(catalog, forFleet ? Long.toString(switchDelayMillis) : "");
            if (written.outcome().equals("older")) {
                return OptionalLong.empty(); // the fleet's is newer: taken at the next check
            }
            // 'future': this replica's reckoning of Redis' time is off, and its catalog is not shared
            servedFrom = millis(written.switchAt()).stream().map(this::nanosAt).findFirst().orElseGet(System::nanoTime);
        } catch (Problem e) {
            // named by FleetRedis. The write may have landed: never before the instant it would have set,
            // unless Redis is in trouble (then this replica acts alone)
            servedFrom = System.nanoTime() + (forFleet && !redis.troubled() ? switchDelayMillis * 1_000_000 : 0);
        }
        if (store.latest() == null) {
            awaitNanos(servedFrom); // nothing served here yet: not a moment before the others
        }
        return OptionalLong.of(servedFrom);
    }

    /** A number of milliseconds Redis wrote, if it is one. */
    private static OptionalLong millis(String raw) {
        try {
            return raw.isEmpty() ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(raw));
        } catch (NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    @Override
    public void readFailed() {
        stopRenewing();
        String token = claim;
        claim = null;
        if (token != null) {
            try {
                redis.call(Call.WRITE, source -> source.execute("EVAL", HOLD, "1", key, token, "claim",
                        Long.toString(atLeastMillis), Long.toString(Math.max(atMostMillis, atLeastMillis))),
                        answer -> answer.toLong() == 1);
            } catch (Problem e) {
                // the claim lapses by itself, lease-ttl after its last renewal
            }
        }
    }

    private Check check(String token) throws Problem {
        long sent = System.nanoTime();
        Response answer = redis.call(Call.CHECK, source -> source.execute("EVAL", CHECK, "1", key, token, Long.toString(dueMillis),
                Long.toString(ttlMillis), Long.toString(Math.max(atMostMillis, atLeastMillis)), refused,
                Long.toString(EXPIRY.toMillis())), reply -> reply.get(5).toString().equals("claimed"));
        long received = System.nanoTime();
        long roundTrip = received - sent;
        Check check = new Check(Long.parseLong(answer.get(0).toString()) * 1_000_000 + Long.parseLong(answer.get(1).toString()),
                sent + roundTrip / 2, roundTrip, answer.get(2).toString(), answer.get(3).toString(), answer.get(4).toLong(),
                answer.get(5).toString(), answer.get(6).toString(), answer.get(7).toString());
        Check known = clock;
        // Redis' time is taken from the most precise check (the shortest round trip), renewed now and then
        // from one nearly as precise, and from any once Redis' clock is not where it was (a failover, a step)
        if (known == null || roundTrip <= known.roundTripNanos()
                || received - known.nanos() > CLOCK_RENEWAL_NANOS
                        && roundTrip <= Math.max(2 * known.roundTripNanos(), known.roundTripNanos() + 1_000_000)
                || received - known.nanos() > 10 * CLOCK_RENEWAL_NANOS && roundTrip < CLOCK_SAMPLE_NANOS
                || Math.abs(known.micros() + (check.nanos() - known.nanos()) / 1000 - check.micros())
                        > (roundTrip + known.roundTripNanos()) / 2000 + 1000) {
            clock = check;
        }
        return check;
    }

    /** The shared catalog's version, or -1 when there is none this replica can use. */
    private long usableVersion(Check check) {
        String raw = check.version();
        if (!check.kind().equals("hash")) {
            refuse("", "not-a-hash", check.kind().equals("none") ? null : "it is a Redis " + check.kind() + ", not a hash");
        } else if (!raw.isEmpty() && !raw.equals(refused)) { // empty: only a claim so far
            try {
                long version = Long.parseLong(raw);
                if (version < CatalogFormat.EARLIEST.toEpochMilli()) {
                    refuse(raw, "bad-version", "its version " + raw + " is no time a catalog was fetched at");
                } else if (version > check.now()) {
                    refuse(raw, "future", "it was fetched in the future, at " + Instant.ofEpochMilli(version) + ", by Redis' clock ("
                            + Instant.ofEpochMilli(check.now()) + ")");
                } else {
                    return version;
                }
            } catch (NumberFormatException e) {
                refuse(raw, "bad-version", "its version '" + raw + "' is not a number");
            }
        }
        return -1;
    }

    /**
     * Takes the shared catalog of {@code version}, if it is good.
     *
     * @return false if it was refused
     * @throws Problem when Redis does not send it: this replica then acts alone
     */
    private boolean take(Check check, long version) throws Problem {
        String raw = check.version();
        if (check.bodyBytes() > CatalogFormat.MAX_BYTES) {
            refuse(raw, "too-large", "it is " + check.bodyBytes() + " bytes, more than the " + CatalogFormat.MAX_BYTES
                    + " a catalog may take");
            return false;
        }
        Response body = redis.call(Call.FETCH, source -> source.execute("EVAL", FETCH, "1", key, raw,
                Long.toString(CatalogFormat.MAX_BYTES)), answer -> false);
        if (body == null) {
            return true; // replaced since the check: the next one looks again
        }
        try {
            Catalog catalog = format.read(body.toBytes());
            if (catalog.fetchedAt().toEpochMilli() != version) {
                throw new CatalogFormat.Refused("its version " + version + " is not its fetch time " + catalog.fetchedAt());
            }
            long servedFrom = servedFrom(check);
            boolean serving = store.latest() != null;
            if (!serving) {
                // nothing served here yet: not a moment before the others, whose catalog it replaces
                awaitNanos(servedFrom);
            }
            if (store.publish(catalog, Origin.SHARED, check.fetchedNanos(version), servedFrom)) {
                long late = System.nanoTime() - servedFrom;
                if (late > 0 && serving && millis(check.switchAt()).isPresent()) {
                    lateSwitches.ifPresent(Counter::increment);
                }
                Log.debugf("Took the fleet's catalog fetched %s%s", catalog.fetchedAt(),
                        late > 0 && serving ? ", " + late / 1_000_000 + " ms after the fleet serves it" : "");
            }
            redis.writesWork(); // another replica wrote it
            return true;
        } catch (CatalogFormat.Refused e) {
            refuse(raw, "unreadable", e.getMessage());
        } catch (RuntimeException e) {
            refuse(raw, "unreadable", "it cannot be used");
        }
        return false;
    }

    /**
     * From when to serve a catalog taken from the fleet: the instant the fleet serves it from, at once
     * if that has passed or none is told; never later than {@code movies.fleet.switch-delay} after
     * this check, whatever Redis holds.
     */
    private long servedFrom(Check check) {
        OptionalLong switchAt = millis(check.switchAt());
        return switchAt.isEmpty() ? check.nanos()
                : nanosAt(Math.max(check.now() - 1, Math.min(switchAt.getAsLong(), check.now() + switchDelayMillis + 1)));
    }

    /** Waits until {@code nanos} of this process' monotonic clock (at most the switch delay and a millisecond). */
    private static void awaitNanos(long nanos) {
        for (long left = nanos - System.nanoTime(); left > 0 && !Thread.currentThread().isInterrupted();
                left = nanos - System.nanoTime()) {
            LockSupport.parkNanos(left);
        }
    }

    /**
     * Shares this replica's catalog when the shared one is older (or none, or refused) and this one is
     * not due yet: after Redis came back, empty or behind. While Redis is in trouble, once an interval.
     */
    private void shareMine(HeldCatalog mine) throws Problem {
        long now = System.nanoTime();
        if (mine.age(now).toMillis() < dueMillis && (!redis.troubled() || now - lastShareOfMine > dueMillis * 1_000_000)) {
            lastShareOfMine = now;
            write(mine.catalog(), ""); // already served here: the others take it at once
        }
    }

    /** What a write came to: 'written', 'older' or 'future', and when the fleet serves it ('' for at once). */
    private record Written(String outcome, String switchAt) {
    }

    /** Writes {@code catalog}, to be served {@code switchDelay} ms after the write ('': as soon as it is taken). */
    private Written write(Catalog catalog, String switchDelay) throws Problem {
        String body = new String(format.write(catalog), StandardCharsets.UTF_8);
        String version = Long.toString(catalog.fetchedAt().toEpochMilli());
        Response answer = redis.call(Call.WRITE, source -> source.execute("EVAL", WRITE, "2", key, key + ":next", version,
                body, refused, Long.toString(EXPIRY.toMillis()), switchDelay),
                reply -> reply.get(0).toString().equals("written"));
        String outcome = answer.get(0).toString();
        Log.debugf("Sharing the catalog fetched %s: %s", catalog.fetchedAt(), outcome);
        if (outcome.equals("written")) {
            publications.ifPresent(Counter::increment);
        } else if (outcome.equals("future")) {
            clock = null; // this replica's idea of Redis' time is off: taken again at the next check
            try (LogFields fields = LogFields.of("shared-catalog-refused", "trouble", "future",
                    "fetchedAt", catalog.fetchedAt())) {
                Log.warnf("Redis refused the catalog fetched %s: later than its own clock; this replica takes its time"
                        + " again", catalog.fetchedAt());
            }
        }
        return new Written(outcome, answer.size() > 1 ? answer.get(1).toString() : "");
    }

    /**
     * Renews the claim every third of its life while the refresh thread reads and the read moves on,
     * on a Vert.x timer (the reactive client: no thread waits). A read whose request has had no answer
     * for a claim's life is stuck: it is not renewed, and the claim lapses, so that another replica
     * reads instead of the whole fleet waiting out the read's bound. It ends by itself when the script
     * says the claim is no longer ours or past its bound, and here once that bound has passed: a
     * renewal cannot outlive the read.
     */
    private void startRenewing(String token) {
        long started = System.nanoTime();
        String ttl = Long.toString(ttlMillis);
        String atMost = Long.toString(atMostMillis);
        renewal = vertx.setPeriodic(Math.max(ttlMillis / 3, 100), timer -> {
            long now = System.nanoTime();
            if (now - started > atMostMillis * 1_000_000) {
                vertx.cancelTimer(timer);
                return;
            }
            if (now - Math.max(started, client.movedNanos()) > ttlMillis * 1_000_000) {
                return; // stuck: the claim lapses unless the read moves on again first
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
        long timer = renewal;
        renewal = -1;
        if (timer >= 0) {
            vertx.cancelTimer(timer);
        }
    }

    /**
     * Remembers a shared value refused, and logs it once ({@code why} null: nothing to refuse), its
     * {@code kind} as the line's trouble.
     */
    private void refuse(String raw, String kind, String why) {
        refused = raw;
        if (why != null && !Objects.equals(raw + "|" + why, lastRefusal)) {
            lastRefusal = raw + "|" + why;
            try (LogFields fields = LogFields.of("shared-catalog-ignored", "trouble", kind)) {
                Log.warnf("Ignoring the shared catalog %s in Redis: %s; the next catalog shared replaces it", key, why);
            }
        }
    }
}
