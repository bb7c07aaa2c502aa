package io.ghiblimovies.web;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

class RepresentationTest {

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
            "text/html|HTML",
            "TEXT/HTML|HTML",
            "text/*|HTML",
            "text/html, application/json|HTML",
            "application/json, text/html|HTML",
            "text/html;q=0.5, application/json;q=0.6|JSON",
            "text/html;level=1;q=0.7, */*;q=0.5|HTML",
            "application/json|JSON",
            "*/*|JSON",
            "application/*|JSON",
            "text/html;q=0, */*|JSON",
            "application/json;q=0, */*|HTML",
    })
    void picksByQualityThenByWhatIsNamed(String accept, Representation expected) {
        assertThat(Representation.forAccept(accept)).isEqualTo(expected);
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = { " ", ";;;", ",,,", ";;;, /, q=x", "text/html;q=abc", "text/html;q=7", "/html" })
    void aMissingOrUnreadableHeaderGetsJson(String accept) {
        assertThat(Representation.forAccept(accept)).isEqualTo(Representation.JSON);
    }

    @ParameterizedTest
    @ValueSource(strings = { "image/png", "text/plain", "text/html;q=0, application/json;q=0", "application/xml" })
    void aClientAcceptingNeitherGetsNothing(String accept) {
        assertThat(Representation.forAccept(accept)).isNull();
    }
}
