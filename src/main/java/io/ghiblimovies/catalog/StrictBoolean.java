package io.ghiblimovies.catalog;

import java.util.Locale;

import org.eclipse.microprofile.config.spi.Converter;

/**
 * {@code true} or {@code false} (also {@code yes}/{@code no}, {@code on}/{@code off}, {@code 1}/{@code 0}),
 * and nothing else: the configuration's own converter reads any other word, {@code maybe} say, as false.
 */
public class StrictBoolean implements Converter<Boolean> {

    @Override
    public Boolean convert(String value) {
        switch (value.trim().toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1":
                return Boolean.TRUE;
            case "false", "no", "off", "0":
                return Boolean.FALSE;
            default:
                throw new IllegalArgumentException("'" + value + "' is neither true nor false");
        }
    }
}
