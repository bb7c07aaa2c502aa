package io.ghiblimovies.web;

import jakarta.inject.Singleton;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * How /movies/ was answered, counted at the cost of one increment: {@code movies_answers_total}
 * by {@code representation} (html, json, none) and {@code status}. Quarkus' HTTP server binder is
 * off: its per-request timer, looked up by tags on every request, cost 15 to 35% of the
 * throughput of a {@code 304} (measured side by side, docs/performance.md).
 */
@Singleton
class MovieAnswers {

    private static final int[] STATUSES = { 200, 304, 406, 414, 503 };

    /** [representation ordinal, or the last for none][status index] */
    private final Counter[][] counters = new Counter[Representation.values().length + 1][STATUSES.length];

    MovieAnswers(MeterRegistry registry) {
        for (int kind = 0; kind < counters.length; kind++) {
            String representation = kind < Representation.values().length
                    ? Representation.values()[kind].name().toLowerCase(java.util.Locale.ROOT) : "none";
            for (int i = 0; i < STATUSES.length; i++) {
                counters[kind][i] = Counter.builder("movies.answers")
                        .description("Answers of /movies/ by representation and status")
                        .tag("representation", representation)
                        .tag("status", Integer.toString(STATUSES[i]))
                        .register(registry);
            }
        }
    }

    /** One answer with {@code status}, of {@code representation} (null when none was chosen). */
    void count(Representation representation, int status) {
        int kind = representation == null ? counters.length - 1 : representation.ordinal();
        for (int i = 0; i < STATUSES.length; i++) {
            if (STATUSES[i] == status) {
                counters[kind][i].increment();
                return;
            }
        }
    }
}
