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
start_app "$work/catalog"

echo "warm-up: $("$JAVA" -version 2>&1 | head -1), $aot; first 200 after ${first_200_ms} ms"
echo "${app_command[*]}"
echo "second  req/s (page, wrk -t$THREADS -c$CONNECTIONS)"
for second in $(seq 1 "$SECONDS_OBSERVED"); do
  printf '%6d  %s\n' "$second" "$(measure -H 'Accept: text/html' "$app" | awk '{ printf "%.0f", $1 }')"
done
