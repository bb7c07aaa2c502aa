package io.ghiblimovies.fleet;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.ghiblimovies.testing.RedisServer;

/**
 * The claim to read the API, at its edges, as the replicas' own scripts ({@link SharedCatalog})
 * run them in a real Redis: what a command that lands late, or a replica that dies, leaves behind
 * for the others.
 */
class ClaimIT {

    private static final String KEY = "{ghibli-movies}:v2:0123abcd:catalog";
    private static final long DUE = 2_000;
    private static final long TTL = 1_000;
    private static final long AT_MOST = 20_000;
    private static final long EXPIRY = Duration.ofDays(7).toMillis();

    private RedisServer redis;

    @BeforeEach
    void startRedis() {
        redis = RedisServer.start();
    }

    @AfterEach
    void stopRedis() {
        redis.close();
    }

    /**
     * A read fails, and its replica holds the fleet back for the API's retry delay; a renewal sent
     * while the read still ran lands after that hold. It shortens nothing: the others still wait out
     * the hold, and do not try a failing API early.
     */
    @Test
    void aRenewalThatLandsAfterAFailedReadsHoldShortensNothing() {
        assertThat(check("replica-a")).isEqualTo("claimed");
        assertThat(hold("replica-a", "claim", 5_000)).as("held after the failure").isEqualTo("1");
        String heldUntil = redis.command("HGET", KEY, "until");

        assertThat(hold("replica-a", "now", TTL)).as("the renewal that lands late").isEqualTo("0");

        assertThat(redis.command("HGET", KEY, "until")).as("the end of the hold").isEqualTo(heldUntil);
        assertThat(check("replica-b")).as("what another replica's check finds").isEqualTo("held");
    }

    /** A renewal moves the end of a claim on, never back, whatever order the renewals land in. */
    @Test
    void aRenewalNeverBringsTheEndOfAClaimForward() {
        assertThat(check("replica-a")).isEqualTo("claimed");
        assertThat(hold("replica-a", "now", 5_000)).isEqualTo("1");
        long until = Long.parseLong(redis.command("HGET", KEY, "until"));

        assertThat(hold("replica-a", "now", TTL)).isEqualTo("1");

        assertThat(Long.parseLong(redis.command("HGET", KEY, "until"))).isEqualTo(until);
        assertThat(check("replica-b")).isEqualTo("taken");
    }

    /**
     * The first replica of a new fleet claims the first read where nothing was shared yet. If it dies
     * then, and no replica ever comes back, the claim leaves Redis as a shared catalog would, instead
     * of staying for ever.
     */
    @Test
    void aClaimMadeWhereNothingWasSharedLeavesRedisInTime() {
        assertThat(check("replica-a")).isEqualTo("claimed");

        long ttl = Long.parseLong(redis.command("PTTL", KEY));
        assertThat(ttl).as("ms until the claim leaves Redis (-1: never)").isPositive().isLessThanOrEqualTo(EXPIRY);
    }

    /** The claim's state as the check of {@code token} leaves it: claimed, taken, held, fresh or due. */
    private String check(String token) {
        List<String> answer = redis.command("EVAL", SharedCatalog.CHECK, "1", KEY, token, Long.toString(DUE),
                Long.toString(TTL), Long.toString(AT_MOST), "", Long.toString(EXPIRY)).lines().toList();
        return answer.get(5);
    }

    /**
     * Holds the claim of {@code token}, never past its bound: {@code mode} 'now' renews it for
     * {@code millis}, 'claim' holds it for {@code millis} after it was made, after a failed read.
     */
    private String hold(String token, String mode, long millis) {
        return redis.command("EVAL", SharedCatalog.HOLD, "1", KEY, token, mode, Long.toString(millis),
                Long.toString(AT_MOST));
    }
}
