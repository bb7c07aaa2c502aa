package io.ghiblimovies.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;

class HeaderAnswersTest {

    private final AtomicInteger workedOut = new AtomicInteger();
    private final HeaderAnswers<Integer> lengths = new HeaderAnswers<>(value -> {
        workedOut.incrementAndGet();
        return value.isEmpty() ? null : value.length();
    });

    @Test
    void aValueSeenBeforeIsNotWorkedOutAgain() {
        assertThat(lengths.answer("gzip, br")).isEqualTo(8);
        assertThat(lengths.answer("gzip, br")).isEqualTo(8);

        assertThat(workedOut).hasValue(1);
    }

    @Test
    void pastTheBoundValuesAreStillAnsweredButNoLongerRemembered() {
        for (int i = 0; i < HeaderAnswers.AT_MOST; i++) {
            lengths.answer("value-" + i);
        }
        workedOut.set(0);

        assertThat(lengths.answer("one more")).isEqualTo(8);
        assertThat(lengths.answer("one more")).isEqualTo(8);
        assertThat(lengths.answer("value-0")).isEqualTo(7);

        assertThat(workedOut).as("the new value worked out each time, the remembered one never").hasValue(2);
    }

    @Test
    void longValuesAndNullAnswersAreNeverRemembered() {
        String longValue = "x".repeat(HeaderAnswers.LONGEST + 1);

        assertThat(lengths.answer(longValue)).isEqualTo(HeaderAnswers.LONGEST + 1);
        assertThat(lengths.answer(longValue)).isEqualTo(HeaderAnswers.LONGEST + 1);
        assertThat(lengths.answer("")).isNull();
        assertThat(lengths.answer("")).isNull();

        assertThat(workedOut).hasValue(4);
    }
}
