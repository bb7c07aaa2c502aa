package io.ghiblimovies.fleet;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Optional;

import jakarta.inject.Singleton;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.ghiblimovies.catalog.MoviesConfig;
import io.quarkus.redis.client.RedisOptionsCustomizer;
import io.vertx.redis.client.RedisOptions;

/**
 * Redis' ACL user ({@code movies.fleet.redis-user}) with its password ({@code quarkus.redis.password}),
 * each a setting of its own, so that the password comes from a Secret and no URL holds it. The Redis
 * client takes a user only from a URL ({@code redis://user:password@host}), and a user with no
 * password there as a password; the URLs it connects to are made so here, in memory, never logged.
 * Without a user, Quarkus sends the password alone, for the default user ({@code requirepass}).
 */
@Singleton
class RedisCredentials implements RedisOptionsCustomizer {

    private final Optional<String> user;
    private final Optional<String> password;

    RedisCredentials(MoviesConfig config, @ConfigProperty(name = "quarkus.redis.password") Optional<String> password) {
        this.user = config.fleet().redisUser().filter(name -> !name.isBlank());
        this.password = password;
    }

    @Override
    public void customize(String clientName, RedisOptions options) {
        if (user.isEmpty()) {
            return;
        }
        String userInfo = encoded(user.get()) + ":" + encoded(password.orElse(""));
        options.setEndpoints(options.getEndpoints().stream().map(endpoint -> {
            int start = endpoint.indexOf("://") + 3;
            int at = endpoint.indexOf('@', start);
            return endpoint.substring(0, start) + userInfo + "@" + endpoint.substring(at < 0 ? start : at + 1);
        }).toList());
    }

    private static String encoded(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
