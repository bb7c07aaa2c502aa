package io.ghiblimovies.fleet;

import static io.ghiblimovies.fleet.FleetIT.DEADLINE;
import static io.ghiblimovies.fleet.FleetIT.INTERVAL;
import static io.ghiblimovies.fleet.FleetIT.MAX_AGE;
import static io.ghiblimovies.fleet.FleetIT.assertOneTimeline;
import static io.ghiblimovies.fleet.FleetIT.changeReachesEveryReplica;
import static io.ghiblimovies.testing.GhibliApiStubs.FILMS;
import static io.ghiblimovies.testing.GhibliApiStubs.requested;
import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import io.ghiblimovies.testing.AppProcess;
import io.ghiblimovies.testing.FakeClock;
import io.ghiblimovies.testing.FakeGhibliApi;
import io.ghiblimovies.testing.RedisServer;
import io.ghiblimovies.testing.Replicas;

/**
 * Three packaged replicas whose wall clocks disagree by minutes (one 5 min ahead, one 5 min behind,
 * one right; libfaketime), sharing one Redis: they judge versions and ages by Redis' clock, so they
 * serve one catalog, read the API and publish about once per interval, and never tell a
 * {@code fetchedAt} in the future.
 */
class ClockSkewIT {

    @RegisterExtension
    final FakeGhibliApi ghibliApi = new FakeGhibliApi();
    private RedisServer redis;
    private Replicas fleet;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
        fleet = new Replicas("clocks", FleetIT.settings(ghibliApi, redis.url()), Map.of());
    }

    @AfterEach
    void stopEverything() {
        fleet.close();
        redis.close();
    }

    @Test
    void replicasWhoseClocksDisagreeByMinutesServeOneCatalogAndNeverOneFromTheFuture() {
        List<AppProcess> replicas = List.of(fleet.start(FakeClock.offBy(300)), fleet.start(FakeClock.offBy(-300)),
                fleet.start(Map.of()));
        replicas.forEach(replica -> replica.awaitMovies(DEADLINE));
        fleet.awaitOneCatalog(DEADLINE);
        double publicationsBefore = publications(replicas);
        ghibliApi.resetRequests();

        Replicas.Watch watch = fleet.watchFor(Duration.ofSeconds(16));
        double seconds = watch.seconds();
        int reads = ghibliApi.findAll(requested(FILMS)).size();
        double published = publications(replicas) - publicationsBefore;
        Replicas.Switches switches = watch.switches();
        Duration change = changeReachesEveryReplica(ghibliApi, fleet, "clocks");
        watch.assertEveryAnswerWasGood();

        System.out.printf("ClockSkewIT: %d answers, 0 not 200 and none from the future; %d reads and %.0f publications"
                + " in %.1f s (%.1f and %.1f per interval); %s; a change everywhere in %d ms%n",
                watch.answers(), reads, published, seconds, reads / (seconds / INTERVAL.toSeconds()),
                published / (seconds / INTERVAL.toSeconds()), switches, change.toMillis());
        int intervals = (int) Math.ceil(seconds / INTERVAL.toSeconds());
        assertThat(reads).as("reads of /films in %.1f s", seconds).isBetween(intervals / 2, intervals + 1);
        assertThat(published).as("publications in %.1f s", seconds).isLessThanOrEqualTo(intervals + 1);
        assertOneTimeline(switches, seconds, "ClockSkewIT");
        assertThat(change).isLessThan(MAX_AGE);
        for (AppProcess replica : replicas) {
            assertThat(replica.output()).doesNotContain("Ignoring the shared catalog").doesNotContain("WARN")
                    .doesNotContain("ERROR");
        }
    }

    private static double publications(List<AppProcess> replicas) {
        return replicas.stream().mapToDouble(replica -> replica.metric("catalog_fleet_publications_total")).sum();
    }
}
