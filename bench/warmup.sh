#!/usr/bin/env bash
# The first 30 s of a freshly started app under load: requests/s, second by second, from its first
# 200 on /movies/ on (the page, wrk -t2 -c32 with keep-alive, a real-size catalog).
#
#   ./mvnw -B package -DskipTests && bench/warmup.sh                      # README's run command
#   ./mvnw -B package -DskipTests -Paot \
#     && BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/warmup.sh   # the JVM image's
#
# With a JVM that can write an AOT cache (JDK 25+), the cache is trained first, as the image does
# (BENCH_AOT_CACHE=off measures the same JVM without one).
set -euo pipefail
cd "$(dirname "$0")/.."

THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
DURATION=1s
SECONDS_OBSERVED=${BENCH_WARMUP_SECONDS:-30}
JAR=target/quarkus-app/quarkus-run.jar
JAVA=${BENCH_JAVA:-java}

source bench/lib.sh
[ -f "$JAR" ] || die "no packaged app at $JAR: run ./mvnw -B package -DskipTests first"
for tool in wrk curl python3 "$JAVA"; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y wrk curl)"
done

python3 bench/make-catalog.py "$work/catalog"
start_stand_in_api "$work/catalog"
app_command=("$JAVA" @docker/jvm.options -jar "$JAR")
cache="no AOT cache"
if [ "${BENCH_AOT_CACHE:-on}" != off ] && "$JAVA" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
  AOT_TRAIN_APP_PORT=$(free_port) AOT_TRAIN_API_PORT=$(free_port) AOT_TRAIN_MANAGEMENT_PORT=$(free_port) \
    docker/aot-train.sh "$work/app.aot" "$work/catalog" "${app_command[@]}" >&2
  app_command=("$JAVA" @docker/jvm.options "-XX:AOTCache=$work/app.aot" -jar "$JAR")
  cache="AOT cache trained by docker/aot-train.sh"
fi

app_port=$(free_port)
management_port=$(free_port) # before the clock starts: python3 may be slow to start
app="http://127.0.0.1:$app_port/movies/"
started=$(now_ms)
GHIBLI_API_URL="http://127.0.0.1:$upstream_port" QUARKUS_HTTP_PORT=$app_port QUARKUS_HTTP_HOST=127.0.0.1 \
  QUARKUS_MANAGEMENT_PORT=$management_port QUARKUS_MANAGEMENT_HOST=127.0.0.1 MOVIES_SNAPSHOT_ENABLED=false \
  "${app_command[@]}" >"$work/app.log" 2>&1 &
pids+=($!)
app_ok() { [ "$(curl -s -o /dev/null -w '%{http_code}' "$app" || true)" = 200 ]; }
wait_for "the app" app_ok
first_200_ms=$(( $(now_ms) - started ))

echo "warm-up: $("$JAVA" -version 2>&1 | head -1), $cache; first 200 after ${first_200_ms} ms"
echo "${app_command[*]}"
echo "second  req/s (page, wrk -t$THREADS -c$CONNECTIONS)"
for second in $(seq 1 "$SECONDS_OBSERVED"); do
  printf '%6d  %s\n' "$second" "$(measure -H 'Accept: text/html' "$app" | awk '{ printf "%.0f", $1 }')"
done
