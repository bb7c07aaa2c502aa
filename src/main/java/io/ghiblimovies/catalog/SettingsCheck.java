package io.ghiblimovies.catalog;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

import io.ghiblimovies.ghibliapi.GhibliApiConfig;
import io.ghiblimovies.ghibliapi.GhibliClient;
import io.quarkus.redis.runtime.client.config.RedisConfig;
import io.quarkus.redis.runtime.client.config.TlsConfig;
import io.quarkus.restclient.config.RestClientsConfig;
import io.smallrye.config.ConfigValidationException;
import io.smallrye.config.ConfigValidationException.Problem;
import io.smallrye.config.ConfigValidator;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.smallrye.config.SmallRyeConfigBuilderCustomizer;

/**
 * Refuses settings that make no sense while the configuration is read, before anything else runs
 * (no banner, no job, no port opened), with one line per offending setting that names it.
 * Values of the wrong type ({@code movies.max-age=soon}) are refused by the configuration itself,
 * also naming the setting.
 * <p>
 * Quarkus hands each configuration mapping to this validator as it builds the runtime
 * configuration: registered through {@link Registration}, a {@code SmallRyeConfigBuilderCustomizer}
 * listed in {@code META-INF/services}.
 */
public class SettingsCheck implements ConfigValidator {

    /** The longest {@code movies.fleet.switch-delay}: a replica with nothing served yet waits for it, and so may a stop. */
    static final Duration LONGEST_SWITCH_DELAY = Duration.ofSeconds(5);

    /** The TLS registry's configuration for Redis that application.properties sets up (its name check: HTTPS). */
    static final String TLS_CONFIGURATION = "redis";

    /** The REST client's name for the Ghibli API ({@code configKey}), as users write its settings. */
    static final String CLIENT = "ghibli-api";

    /** Puts the check into the configuration Quarkus builds at startup. */
    public static class Registration implements SmallRyeConfigBuilderCustomizer {
        @Override
        public void configBuilder(SmallRyeConfigBuilder builder) {
            builder.withValidator(new SettingsCheck());
        }
    }

    @Override
    public void validateMapping(Class<?> mapping, String prefix, Object settings) {
        List<Problem> problems = new ArrayList<>();
        if (settings instanceof MoviesConfig movies) {
            check(movies, problems);
        } else if (settings instanceof GhibliApiConfig api) {
            check(api, problems);
        } else if (settings instanceof RestClientsConfig clients) {
            check(clients, problems);
        } else if (settings instanceof RedisConfig redis) {
            check(redis, problems);
        }
        if (!problems.isEmpty()) {
            throw new ConfigValidationException(problems.toArray(Problem[]::new));
        }
    }

    private static void check(MoviesConfig config, List<Problem> problems) {
        positive(problems, "movies.refresh-interval", config.refreshInterval());
        positive(problems, "movies.max-age", config.maxAge());
        notNegative(problems, "movies.startup-wait", config.startupWait());
        notNegative(problems, "movies.refresh-wait", config.refreshWait());
        notNegative(problems, "movies.stale-if-error", config.staleIfError());
        if (config.fleet().checkInterval().compareTo(Duration.ofSeconds(1)) < 0) {
            problems.add(new Problem("movies.fleet.check-interval is " + written(config.fleet().checkInterval())
                    + ": it must be 1s or more"));
        }
        positive(problems, "movies.fleet.lease-ttl", config.fleet().leaseTtl());
        notNegative(problems, "movies.fleet.switch-delay", config.fleet().switchDelay());
        if (config.fleet().switchDelay().compareTo(LONGEST_SWITCH_DELAY) > 0) {
            problems.add(new Problem("movies.fleet.switch-delay is " + written(config.fleet().switchDelay())
                    + ": it must be " + written(LONGEST_SWITCH_DELAY) + " or less (a replica waits for it"
                    + " before it serves its first catalog, and a stop waits for that)"));
        }
        if (config.fleet().keyPrefix().isBlank() || config.fleet().keyPrefix().contains(" ")) {
            problems.add(new Problem("movies.fleet.key-prefix is '" + config.fleet().keyPrefix()
                    + "': it must be a word without spaces, such as ghibli-movies"));
        }
        if (config.maxAge().compareTo(config.refreshInterval()) < 0) {
            problems.add(new Problem("movies.max-age (" + written(config.maxAge())
                    + ") is shorter than movies.refresh-interval (" + written(config.refreshInterval())
                    + "): every catalog would turn stale before the next refresh"));
        }
    }

    private static void check(GhibliApiConfig config, List<Problem> problems) {
        Optional<String> url = config.url().map(String::trim).filter(value -> !value.isEmpty());
        if (url.isEmpty()) {
            problems.add(new Problem("ghibli.api.url (GHIBLI_API_URL) is empty: it must be the API's http:// or https:// URL"));
            return;
        }
        String urlProblem = urlProblem(url.get());
        if (urlProblem != null) {
            problems.add(new Problem("ghibli.api.url (GHIBLI_API_URL) is '" + url.get() + "': " + urlProblem));
        }
    }

    private static void check(RestClientsConfig config, List<Problem> problems) {
        // Quarkus files a client's settings under its interface's name, whatever its configKey
        RestClientsConfig.RestClientConfig client = config.clients().get(GhibliClient.API_INTERFACE);
        if (client == null) {
            return;
        }
        client.connectTimeout().ifPresent(millis -> positive(problems, "quarkus.rest-client." + CLIENT + ".connect-timeout",
                millis));
        client.readTimeout().ifPresent(millis -> positive(problems, "quarkus.rest-client." + CLIENT + ".read-timeout", millis));
    }

    /** The shared store's settings: each a URL Redis can be reached at, and a timeout above zero. */
    private static void check(RedisConfig config, List<Problem> problems) {
        config.clients().forEach((name, client) -> {
            String prefix = RedisConfig.isDefaultClient(name) ? "quarkus.redis." : "quarkus.redis.\"" + name + "\".";
            client.hosts().ifPresent(hosts -> hosts.forEach(uri -> {
                String problem = redisUrlProblem(uri);
                if (problem != null) {
                    problems.add(new Problem(prefix + "hosts is '" + withoutPassword(uri) + "': " + problem));
                }
            }));
            positive(problems, prefix + "timeout", client.timeout());
            String tls = client.tlsConfigurationName().orElse(TLS_CONFIGURATION);
            String registry = "Quarkus' TLS registry: " + prefix + "tls-configuration-name=" + tls + " (QUARKUS_REDIS_TLS_"
                    + "CONFIGURATION_NAME), and the server's CA, unless the JVM trusts it, as quarkus.tls." + tls
                    + ".trust-store.pem.certs (QUARKUS_TLS_" + tls.toUpperCase(Locale.ROOT).replace('-', '_')
                    + "_TRUST_STORE_PEM_CERTS): docs/fleet.md, Redis over TLS";
            if (olderTlsSettings(client.tls())) {
                problems.add(new Problem(prefix + "tls.* is set: Redis' TLS settings are read from " + registry));
            } else if (!tls.equals(TLS_CONFIGURATION)) {
                problems.add(new Problem(prefix + "tls-configuration-name is '" + tls + "': it must be "
                        + TLS_CONFIGURATION + ", the configuration application.properties sets up (hostnames"
                        + " verified); Redis' CA goes in quarkus.tls." + TLS_CONFIGURATION + ".trust-store.pem.certs"
                        + " (QUARKUS_TLS_REDIS_TRUST_STORE_PEM_CERTS): docs/fleet.md, Redis over TLS"));
            } else if (client.tlsConfigurationName().isEmpty() && client.hosts().orElse(Set.of()).stream()
                    .anyMatch(uri -> "rediss".equalsIgnoreCase(uri.getScheme()))) {
                problems.add(new Problem(prefix + "hosts is a rediss:// URL, and " + prefix + "tls-configuration-name is"
                        + " not set: without it the server's name goes unchecked. Set " + registry));
            }
        });
    }

    /** Whether any of the Redis client's own TLS settings, which the TLS registry replaces, is set. */
    private static boolean olderTlsSettings(TlsConfig tls) {
        return tls.enabled() || tls.trustAll() || !"NONE".equalsIgnoreCase(tls.hostnameVerificationAlgorithm())
                || tls.trustCertificatePem().enabled() || tls.trustCertificatePem().certs().isPresent()
                || tls.trustCertificateJks().enabled() || tls.trustCertificateJks().path().isPresent()
                || tls.trustCertificateJks().password().isPresent()
                || tls.trustCertificatePfx().enabled() || tls.trustCertificatePfx().path().isPresent()
                || tls.trustCertificatePfx().password().isPresent()
                || tls.keyCertificatePem().enabled() || tls.keyCertificatePem().certs().isPresent()
                || tls.keyCertificatePem().keys().isPresent()
                || tls.keyCertificateJks().enabled() || tls.keyCertificateJks().path().isPresent()
                || tls.keyCertificateJks().password().isPresent()
                || tls.keyCertificatePfx().enabled() || tls.keyCertificatePfx().path().isPresent()
                || tls.keyCertificatePfx().password().isPresent();
    }

    private static String redisUrlProblem(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("unix")) {
            return uri.getPath() == null || uri.getPath().isBlank() ? "it has no socket path" : null;
        }
        if (!scheme.equals("redis") && !scheme.equals("rediss")) {
            return "it must be a URL such as redis://redis:6379 (rediss:// for TLS)";
        }
        if (uri.getHost() == null || uri.getHost().isBlank()) {
            return "it has no host: it must be a URL such as redis://redis:6379";
        }
        return null;
    }

    /** A URL as it may be shown: whatever comes before an {@code @} (a user, a password) is never repeated. */
    private static String withoutPassword(URI uri) {
        String text = uri.toString();
        int at = text.lastIndexOf('@');
        if (at < 0) {
            return text;
        }
        int start = text.indexOf("://");
        start = start < 0 ? text.indexOf(':') + 1 : start + 3;
        return text.substring(0, start) + "***" + text.substring(at);
    }

    private static String urlProblem(String value) {
        try {
            URI uri = new URI(value);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https")) {
                return "it must be an http:// or https:// URL";
            }
            if (uri.getHost() == null || uri.getHost().isBlank()) {
                return "it has no host";
            }
            return null;
        } catch (Exception e) {
            return "it is not a URL (" + e.getMessage() + ")";
        }
    }

    private static void positive(List<Problem> problems, String key, long millis) {
        if (millis <= 0) {
            problems.add(new Problem(key + " is " + millis + " (ms): it must be longer than zero"));
        }
    }

    private static void positive(List<Problem> problems, String key, Duration value) {
        if (value.isNegative() || value.isZero()) {
            problems.add(new Problem(key + " is " + written(value) + ": it must be longer than zero"));
        }
    }

    private static void notNegative(List<Problem> problems, String key, Duration value) {
        if (value.isNegative()) {
            problems.add(new Problem(key + " is " + written(value) + ": it must not be negative"));
        }
    }

    /** A duration as users write it: {@code 50s}, {@code 1m30s}, {@code 0.5s}. */
    private static String written(Duration value) {
        return value.toString().substring(2).toLowerCase(Locale.ROOT);
    }
}
