# Varnish 7 as a shared cache in front of the replicas of docker/compose-fleet.yaml, as a CDN would
# stand there (docs/cdn.md). It follows what /movies/ says in Cache-Control:
#   - max-age: a copy is fresh until the service has a newer catalog (the service sends no Age; Varnish
#     would subtract one from max-age, nginx would not);
#   - stale-while-revalidate: Varnish's grace, past max-age, while it fetches anew in the background;
#     Varnish reads it from Cache-Control itself;
#   - stale-if-error: here, how long a copy is kept and served while no replica is healthy.
# Tested by SharedCacheIT with Debian's Varnish 7.1.
vcl 4.1;

import directors;
import std;

# a replica is healthy while it answers /movies/ (a catalog to serve)
probe movies {
    .request = "GET /movies/ HTTP/1.1"
        "Host: ghibli-movies"
        "Accept: application/json"
        "Connection: close";
    .interval = 2s;
    .timeout = 1s;
    .window = 3;
    .threshold = 2;
}

backend replica_1 { .host = "replica-1"; .port = "8080"; .probe = movies; }
backend replica_2 { .host = "replica-2"; .port = "8080"; .probe = movies; }
backend replica_3 { .host = "replica-3"; .port = "8080"; .probe = movies; }

sub vcl_init {
    new fleet = directors.round_robin();
    fleet.add_backend(replica_1);
    fleet.add_backend(replica_2);
    fleet.add_backend(replica_3);
}

sub vcl_recv {
    set req.backend_hint = fleet.backend();
    if (req.url !~ "^/movies/?(\?.*)?$") {
        return (pass);
    }
    # the service ignores the query string; a page for browsers, JSON for everything else
    set req.url = regsub(req.url, "\?.*$", "");
    if (req.http.Accept ~ "text/html") {
        set req.http.Accept = "text/html";
    } else {
        set req.http.Accept = "application/json";
    }
    unset req.http.Cookie;
    # While a replica is healthy, a copy past max-age is served for 10 s at most while Varnish asks
    # again: the service's stale-while-revalidate (movies.max-age minus movies.refresh-interval; say
    # the same here if you change them). While none is, for as long as stale-if-error allowed.
    if (std.healthy(req.backend_hint)) {
        set req.grace = 10s;
    }
    return (hash);
}

sub vcl_hash {
    hash_data(req.url);
    hash_data(req.http.Accept);
    # Accept-Encoding: Varnish keeps the gzip copy and unzips it for clients that do not take gzip
}

sub vcl_backend_response {
    if (bereq.url ~ "^/movies" && beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(regsub(beresp.http.Cache-Control, "^.*stale-if-error=([0-9]+).*$", "\1s"),
            beresp.grace);
    }
    # the key holds what Vary names, normalized
    unset beresp.http.Vary;
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-Cache-Status = "HIT";
    } else {
        set resp.http.X-Cache-Status = "MISS";
    }
}
