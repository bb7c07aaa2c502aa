#!/usr/bin/env bash
# The fleet on loopback: Redis, three replicas sharing one catalog through it, and nginx in front
# (round robin), all from Debian packages, against a stand-in of the Ghibli API. Prints:
#   - the upstream reads and the catalogs written to Redis per refresh interval of the whole fleet,
#     over BENCH_FLEET_OBSERVE;
#   - how often all three replicas sent the same ETag (a sample every 250 ms);
#   - requests/s through the balancer, and of one replica in shared mode next to one alone
#     (no Redis) with the same flags, interleaved, BENCH_ROUNDS rounds (medians): the request path
#     must not slow down in shared mode.
#
#   ./mvnw -B package -DskipTests                 # the script builds nothing itself
#   apt-get install -y nginx wrk redis-server     # Debian packages
#   bench/fleet.sh
#
# BENCH_JAVA picks the JVM (default java); the replicas run with docker/jvm.options. Short
# settings make a minute tell: movies.refresh-interval BENCH_FLEET_INTERVAL (5s), max-age 7 s.
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-5s}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
INTERVAL=${BENCH_FLEET_INTERVAL:-5}
OBSERVE=${BENCH_FLEET_OBSERVE:-60}
JAR=target/quarkus-app/quarkus-run.jar
JAVA=${BENCH_JAVA:-java}

source bench/lib.sh
[ -f "$JAR" ] || die "no packaged app at $JAR: run ./mvnw -B package -DskipTests first"
for tool in nginx wrk curl python3 redis-server redis-cli "$JAVA"; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y nginx wrk curl redis-server)"
done

start_stand_in_api src/test/resources/ghibliapi

redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --save '' --appendonly no --dir "$work" >"$work/redis.log" 2>&1 &
pids+=($!)
redis_up() { [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ]; }
wait_for redis redis_up

# start_replica NAME PORT MANAGEMENT_PORT [ENV=VALUE...]: the packaged app on PORT (health and metrics on
# MANAGEMENT_PORT: each replica needs its own); its log is $work/NAME.log
start_replica() {
  local name=$1 port=$2 management=$3
  shift 3
  env GHIBLI_API_URL="http://127.0.0.1:$upstream_port" QUARKUS_HTTP_PORT="$port" QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT="$management" QUARKUS_MANAGEMENT_HOST=127.0.0.1 \
    MOVIES_SNAPSHOT_ENABLED=false MOVIES_REFRESH_INTERVAL="${INTERVAL}s" MOVIES_MAX_AGE="$(( INTERVAL + 2 ))s" "$@" \
    "$JAVA" @docker/jvm.options -jar "$JAR" >"$work/$name.log" 2>&1 &
  pids+=($!)
}
ports=()
management_ports=()
for i in 1 2 3; do
  ports+=("$(free_port)")
  management_ports+=("$(free_port)")
  start_replica "replica-$i" "${ports[-1]}" "${management_ports[-1]}" QUARKUS_REDIS_HOSTS="redis://127.0.0.1:$redis_port"
done
# the catalogs the three replicas wrote to Redis so far
publications() {
  for port in "${management_ports[@]}"; do
    curl -s "http://127.0.0.1:$port/q/metrics" | awk '/^catalog_fleet_publications_total/ { print $2 }'
  done | awk '{ sum += $1 } END { print sum + 0 }'
}
for port in "${ports[@]}"; do
  wait_for "the replica on $port" curl -sf -o /dev/null "http://127.0.0.1:$port/movies/"
done

balancer_port=$(free_port)
servers=$(for port in "${ports[@]}"; do echo "    server 127.0.0.1:$port;"; done)
start_nginx balancer "  upstream fleet {
$servers
    keepalive 64;
    keepalive_timeout 50s;
  }
  server {
    listen 127.0.0.1:$balancer_port;
    location / {
      proxy_pass http://fleet;
      proxy_http_version 1.1;
      proxy_set_header Connection \"\";
    }
  }"
balancer="http://127.0.0.1:$balancer_port/movies/"
wait_for nginx curl -sf -o /dev/null "$balancer"

# --- one catalog, one read per interval -----------------------------------------------------
echo "observing the fleet for ${OBSERVE} s (refresh interval ${INTERVAL} s)..." >&2
reads_before=$(grep -c 'GET /films' "$work/upstream.log" || true)
publications_before=$(publications)
samples=0
agree=0
end=$(( $(date +%s) + OBSERVE ))
while [ "$(date +%s)" -lt "$end" ]; do
  tags=$(for port in "${ports[@]}"; do etag_of -H 'Accept: text/html' "http://127.0.0.1:$port/movies/"; done | sort -u | wc -l)
  samples=$(( samples + 1 ))
  [ "$tags" -eq 1 ] && agree=$(( agree + 1 ))
  sleep 0.25
done
reads=$(( $(grep -c 'GET /films' "$work/upstream.log" || true) - reads_before ))
published=$(( $(publications) - publications_before ))
tag_a=$(etag_of -H 'Accept: text/html' "http://127.0.0.1:${ports[0]}/movies/")
revalidated_on_b=$(status_of -H 'Accept: text/html' -H "If-None-Match: $tag_a" "http://127.0.0.1:${ports[1]}/movies/")

# --- throughput -------------------------------------------------------------------------------
# the replica alone starts only now: its own reads of the API must not count as the fleet's
alone_port=$(free_port)
start_replica alone "$alone_port" "$(free_port)"
wait_for "the replica alone" curl -sf -o /dev/null "http://127.0.0.1:$alone_port/movies/"
shared="http://127.0.0.1:${ports[0]}/movies/"
alone="http://127.0.0.1:$alone_port/movies/"
for target in "$shared" "$alone" "$balancer"; do
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" -H 'Accept: text/html' "$target" >/dev/null
done
declare -A results
for round in $(seq 1 "$ROUNDS"); do
  for side in shared alone balancer; do
    case $side in shared) target=$shared ;; alone) target=$alone ;; balancer) target=$balancer ;; esac
    results[$side,$round]=$(measure -H 'Accept: text/html' "$target")
    echo "round $round $side: ${results[$side,$round]}" >&2
  done
done
column_of() { for r in $(seq 1 "$ROUNDS"); do echo "${results[$1,$r]}" | awk -v f="$2" '{ print $f }'; done | median; }

echo
echo "ghibli-movies fleet benchmark: $(nproc) cores, 3 replicas + Redis + nginx round robin, all on loopback"
echo "app: $("$JAVA" -version 2>&1 | head -1), @docker/jvm.options; refresh interval ${INTERVAL} s"
echo "upstream reads of /films in ${OBSERVE} s: $reads ($(awk -v r="$reads" -v o="$OBSERVE" -v i="$INTERVAL" \
  'BEGIN { printf "%.2f", r / (o / i) }') per ${INTERVAL} s interval for the whole fleet; three replicas alone: 3.00)"
echo "catalogs written to Redis in ${OBSERVE} s: $published ($(awk -v r="$published" -v o="$OBSERVE" -v i="$INTERVAL" \
  'BEGIN { printf "%.2f", r / (o / i) }') per interval)"
echo "samples where all three replicas sent the same ETag: $agree of $samples ($(( agree * 100 / samples ))%)"
echo "replica B's answer to replica A's ETag: $revalidated_on_b"
printf '%-34s %12s %9s %9s\n' "page (HTML), wrk -t$THREADS -c$CONNECTIONS" req/s p50 p99
for side in shared alone balancer; do
  case $side in
    shared) label="one replica, shared mode" ;;
    alone) label="one replica alone (no Redis)" ;;
    balancer) label="nginx over the three replicas" ;;
  esac
  printf '%-34s %12.0f %7.2fms %7.2fms\n' "$label" "$(column_of "$side" 1)" "$(column_of "$side" 2)" "$(column_of "$side" 3)"
done
echo "shared / alone: $(awk -v a="$(column_of shared 1)" -v b="$(column_of alone 1)" 'BEGIN { printf "%.2f", a / b }')"
