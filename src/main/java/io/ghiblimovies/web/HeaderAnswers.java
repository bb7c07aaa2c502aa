package io.ghiblimovies.web;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * What a request header's value means, worked out once per distinct value: browsers and clients
 * send a handful of {@code Accept} and {@code Accept-Encoding} values, so a request with a value
 * seen before costs one lookup. Only the first {@value #AT_MOST} distinct values of at most
 * {@value #LONGEST} characters are remembered; others (a client sending a new one each time) are
 * worked out each time, so that the memory this takes stays bounded. A {@code null} answer is never
 * remembered.
 */
final class HeaderAnswers<V> {

    static final int AT_MOST = 256;
    static final int LONGEST = 1024;

    private final ConcurrentHashMap<String, V> seen = new ConcurrentHashMap<>();
    private final Function<String, V> workOut;

    HeaderAnswers(Function<String, V> workOut) {
        this.workOut = workOut;
    }

    /** The answer for {@code value} (not null), remembered or worked out. */
    V answer(String value) {
        V known = seen.get(value);
        if (known != null) {
            return known;
        }
        V answer = workOut.apply(value);
        if (answer != null && seen.size() < AT_MOST && value.length() <= LONGEST) {
            seen.put(value, answer);
        }
        return answer;
    }
}
