package io.ghiblimovies.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Predicate;

import io.restassured.path.json.JsonPath;

/**
 * Packaged replicas of the app, started with README's JVM flags ({@code docker/jvm.options}: a
 * 96 MB heap that exits on an OutOfMemoryError) and common settings, as one fleet; and what a
 * balancer in front of them would see ({@link Watch}).
 */
public final class Replicas implements AutoCloseable {

    /** README's run command's JVM flags, as the container image uses them. */
    public static final List<String> README_JVM_FLAGS = readmeJvmFlags();

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Map<String, String> settings;
    private final Map<String, String> properties;
    private final List<AppProcess> all = new CopyOnWriteArrayList<>();

    /** Replicas named {@code name-a}, {@code name-b}... with these environment variables and system properties. */
    public Replicas(String name, Map<String, String> settings, Map<String, String> properties) {
        this.name = name;
        this.settings = Map.copyOf(settings);
        this.properties = Map.copyOf(properties);
    }

    /** Starts {@code count} replicas and waits until each answers 200. */
    public List<AppProcess> start(int count) {
        List<AppProcess> started = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            started.add(start(Map.of()));
        }
        started.forEach(replica -> replica.awaitMovies(AppProcess.DEADLINE));
        return started;
    }

    /** Starts one more replica, with these environment variables on top of the common ones; does not wait. */
    public AppProcess start(Map<String, String> more) {
        Map<String, String> environment = new HashMap<>(settings);
        environment.putAll(more);
        AppProcess replica = AppProcess.start(name + "-" + (char) ('a' + all.size()), environment, properties,
                README_JVM_FLAGS);
        all.add(replica);
        return replica;
    }

    public List<AppProcess> all() {
        return List.copyOf(all);
    }

    /** The replicas still running. */
    public List<AppProcess> alive() {
        return all.stream().filter(AppProcess::isAlive).toList();
    }

    /** Waits until every live replica sends the same ETag: one catalog for the fleet. */
    public void awaitOneCatalog(Duration deadline) {
        await().atMost(deadline).until(() -> alive().stream().map(replica -> etag(replica)).distinct().count() == 1);
    }

    /**
     * Waits until every live replica's JSON passes {@code test}.
     *
     * @return how long that took
     */
    public Duration awaitEverywhere(Predicate<JsonPath> test, Duration deadline) {
        long start = System.nanoTime();
        await().atMost(deadline).pollInterval(Duration.ofMillis(50)).until(() -> alive().stream().allMatch(replica -> {
            Optional<HttpResponse<String>> answer = replica.get("/movies/", "application/json");
            return answer.isPresent() && answer.get().statusCode() == 200 && test.test(JsonPath.from(answer.get().body()));
        }));
        return Duration.ofNanos(System.nanoTime() - start);
    }

    /** The ETag of a replica's JSON, or "none" while it gives no 200. */
    public static String etag(AppProcess replica) {
        return replica.get("/movies/", "application/json").filter(answer -> answer.statusCode() == 200)
                .flatMap(answer -> answer.headers().firstValue("ETag")).orElse("none");
    }

    /** Starts watching every replica as a balancer would: a JSON request to each, every 100 ms. */
    public Watch watch() {
        return new Watch();
    }

    /**
     * Watches the fleet ({@link #watch()}) for {@code length} and returns the watch, still running;
     * {@link Watch#seconds()} tells how long it had run by then, to turn counts into rates.
     */
    public Watch watchFor(Duration length) {
        Watch watch = new Watch();
        await().pollDelay(length).atMost(length.plusSeconds(10)).until(() -> true);
        watch.seconds = (System.nanoTime() - watch.start) / 1e9;
        return watch;
    }

    @Override
    public void close() {
        all.forEach(AppProcess::close);
    }

    /**
     * What users of the fleet got while it was watched: every answer, those that were not 200, those
     * that could not be had (a replica gone), those that told a {@code fetchedAt} in the future; and,
     * from the {@code fetchedAt} of every answer, how the fleet moved from one catalog to the next.
     */
    public final class Watch implements AutoCloseable {

        private final AtomicBoolean running = new AtomicBoolean(true);
        private final List<String> problems = new CopyOnWriteArrayList<>();
        private final List<Answer> timeline = new CopyOnWriteArrayList<>();
        private final Thread thread;
        private final long start = System.nanoTime();
        private double seconds;
        private volatile int answers;

        private Watch() {
            thread = new Thread(this::run, "fleet-watch");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (running.get()) {
                for (AppProcess replica : all) {
                    sample(replica);
                }
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(100));
            }
        }

        private void sample(AppProcess replica) {
            HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + replica.port() + "/movies/"))
                    .header("Accept", "application/json").timeout(Duration.ofSeconds(5)).build();
            long sent = System.nanoTime();
            try {
                HttpResponse<String> answer = HTTP.send(request, HttpResponse.BodyHandlers.ofString());
                long answered = sent + (System.nanoTime() - sent) / 2; // somewhere between, as near as it can be told
                answers++;
                if (answer.statusCode() != 200) {
                    problems.add(replica.port() + " answered " + answer.statusCode());
                    return;
                }
                JsonPath json = JsonPath.from(answer.body());
                Instant fetchedAt = Instant.parse(json.getString("fetchedAt"));
                if (fetchedAt.isAfter(Instant.now().plusMillis(500))) {
                    problems.add(replica.port() + " told fetchedAt " + fetchedAt + " at " + Instant.now());
                }
                if (json.getList("movies").size() != GhibliApiStubs.FIXTURE_TITLES_IN_ORDER.size()) {
                    problems.add(replica.port() + " sent " + json.getList("movies").size() + " films");
                }
                timeline.add(new Answer(answered, fetchedAt));
            } catch (IOException e) {
                problems.add(replica.port() + " gave no answer: " + e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }

        /** Stops watching and checks that every answer was a 200 with every film and no fetchedAt in the future. */
        public void assertEveryAnswerWasGood() {
            close();
            assertThat(answers).as("answers seen").isGreaterThan(0);
            assertThat(problems).as("bad answers among %d", answers).isEmpty();
        }

        /**
         * How the fleet moved to each catalog that appeared while it was watched, from the answers so
         * far: for each, the time from the first answer that carried it to the last answer, from any
         * replica, that still carried an older one (0 when none did). What a client behind a balancer
         * sees as the switch; measured every 100 ms per replica, so to about a tenth of a second.
         */
        public Switches switches() {
            return Switches.of(List.copyOf(timeline));
        }

        public int answers() {
            return answers;
        }

        /** How long {@link #watchFor} watched before it returned. */
        public double seconds() {
            return seconds;
        }

        @Override
        public void close() {
            running.set(false);
            try {
                thread.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /**
     * One 200: when it was answered ({@link System#nanoTime()}) and a time that tells its catalog
     * (its {@code fetchedAt}, or its {@code changedAt}: later is newer).
     */
    public record Answer(long nanos, Instant catalog) {
    }

    /**
     * The fleet's moves from one catalog to the next ({@link Watch#switches()}).
     *
     * @param answers the 200s they were read from
     * @param spreads for each new catalog, how long older ones were still served after it was first, shortest first
     * @param backInTime answers, taken in the order they arrived, that carried a catalog older than one before them
     */
    public record Switches(int answers, List<Duration> spreads, int backInTime) {

        /** From answers in the order they arrived, as one client behind a balancer gets them. */
        public static Switches of(List<Answer> seen) {
            List<Instant> catalogs = seen.stream().map(Answer::catalog).distinct().sorted().toList();
            List<Duration> spreads = new ArrayList<>();
            for (Instant catalog : catalogs.subList(Math.min(1, catalogs.size()), catalogs.size())) {
                long first = seen.stream().filter(answer -> answer.catalog().equals(catalog)).mapToLong(Answer::nanos)
                        .min().orElseThrow();
                long lastOlder = seen.stream().filter(answer -> answer.catalog().isBefore(catalog))
                        .mapToLong(Answer::nanos).max().orElseThrow();
                spreads.add(Duration.ofNanos(Math.max(0, lastOlder - first)));
            }
            Instant newest = Instant.MIN;
            int backInTime = 0;
            for (Answer answer : seen) {
                if (answer.catalog().isBefore(newest)) {
                    backInTime++;
                }
                newest = answer.catalog().isAfter(newest) ? answer.catalog() : newest;
            }
            return new Switches(seen.size(), spreads.stream().sorted().toList(), backInTime);
        }

        public Duration median() {
            return spreads.isEmpty() ? Duration.ZERO : spreads.get(spreads.size() / 2);
        }

        public Duration longest() {
            return spreads.isEmpty() ? Duration.ZERO : spreads.get(spreads.size() - 1);
        }

        @Override
        public String toString() {
            return "%d new catalogs, served side by side with an older one for %d ms at the median and %d ms at most;"
                    .formatted(spreads.size(), median().toMillis(), longest().toMillis())
                    + " %d of %d answers older than one before them".formatted(backInTime, answers);
        }
    }

    private static List<String> readmeJvmFlags() {
        try {
            return Files.readAllLines(Path.of("docker", "jvm.options")).stream().map(String::trim)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
