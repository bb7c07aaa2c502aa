#!/usr/bin/env bash
# Trains the JVM's ahead-of-time cache for ghibli-movies (JDK 25+, JEP 483/514/515): starts the app
# once against a stand-in Ghibli API that serves the given fixtures, sends it every kind of request
# it answers, and stops it. As it exits, the JVM writes CACHE: the classes it loaded, already parsed
# and linked. Started with -XX:AOTCache=CACHE, the same app gets its first 200 on /movies/ in
# about half the time (README, "Performance").
#
#   docker/aot-train.sh CACHE FIXTURES JAVA [JVM OPTIONS...] -jar JAR
#
# JAVA and what follows it must be exactly the command that will run with the cache, as the cache
# records the class path; the script adds -XX:AOTCacheOutput=CACHE. FIXTURES is a folder with
# films.json, people.json and species.json, as GET /films, /people and /species return them.
# It needs only that JVM and curl: the stand-in is the JDK's own file server (jdk.httpserver).
# Everything listens on 127.0.0.1: the app on AOT_TRAIN_APP_PORT (18080), its management interface
# on AOT_TRAIN_MANAGEMENT_PORT (18082), the stand-in API on AOT_TRAIN_API_PORT (18081).
# docker/Dockerfile.jvm runs it while building the image, bench/run.sh and AotCacheIT here.
set -euo pipefail

[ $# -ge 5 ] || { sed -n '2,15p' "$0" >&2; exit 2; }
cache=$1
fixtures=$2
java=$3
shift 3
app_port=${AOT_TRAIN_APP_PORT:-18080}
api_port=${AOT_TRAIN_API_PORT:-18081}
management_port=${AOT_TRAIN_MANAGEMENT_PORT:-18082}
rounds=${AOT_TRAIN_ROUNDS:-10}

fail() { echo "aot-train: $*" >&2; exit 1; }
"$java" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput ' \
  || fail "$java cannot write an AOT cache (-XX:AOTCacheOutput needs JDK 25 or later)"

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# --- the stand-in Ghibli API: the fixtures at /films, /people and /species --------------------
mkdir "$work/api"
for list in films people species; do
  [ -f "$fixtures/$list.json" ] || fail "no $fixtures/$list.json"
  cp "$fixtures/$list.json" "$work/api/$list"
done
"$java" -m jdk.httpserver -b 127.0.0.1 -p "$api_port" -d "$work/api" -o none >"$work/api.log" 2>&1 &
pids+=($!)

# --- the app, recording -------------------------------------------------------------------------
# Without method profiles (-AOTRecordTraining): replayed, the profiles of this short run led the JIT
# to code that served /movies/ about 15% slower under load (30-32k against 35-38k req/s on 2 cores,
# also after 500 rounds sent 16 at a time), while the startup gain comes from the classes alone.
GHIBLI_API_URL="http://127.0.0.1:$api_port" QUARKUS_HTTP_HOST=127.0.0.1 QUARKUS_HTTP_PORT=$app_port \
  QUARKUS_MANAGEMENT_HOST=127.0.0.1 QUARKUS_MANAGEMENT_PORT=$management_port QUARKUS_SHUTDOWN_DELAY=0s \
  MOVIES_SNAPSHOT_ENABLED=false "$java" "-XX:AOTCacheOutput=$cache" \
  -XX:+UnlockDiagnosticVMOptions -XX:-AOTRecordTraining "$@" >"$work/app.log" 2>&1 &
app=$!
pids+=($app)

app_url="http://127.0.0.1:$app_port"
management_url="http://127.0.0.1:$management_port"
deadline=$(( $(date +%s) + 60 ))
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$app_url/movies/" || true)" = 200 ]; do
  kill -0 "$app" 2>/dev/null || { cat "$work/app.log" >&2; fail "the app stopped before it served /movies/"; }
  [ "$(date +%s)" -lt "$deadline" ] || { cat "$work/app.log" >&2; fail "no 200 on /movies/ within 60 s"; }
  sleep 0.1
done

# What users and operators send, so that the cache holds every class serving it takes: the page's
# four variants a few times over, the rest once. One curl per batch, over keep-alive.
etag=$(curl -sI -H 'Accept: text/html' "$app_url/movies/" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
page=()
for _ in $(seq "$rounds"); do
  page+=(-H 'Accept: text/html' "$app_url/movies/" --next
         -H 'Accept: application/json' "$app_url/movies/" --next
         -H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$app_url/movies/" --next
         -H 'Accept: text/html' -H "If-None-Match: $etag" "$app_url/movies/" --next)
done
curl -s "${page[@]}" "$app_url/movies" >/dev/null
curl -s -I "$app_url/movies/" --next "$app_url/" --next "$management_url/q/health/ready" \
  --next "$management_url/q/health/live" --next "$management_url/q/metrics" --next "$app_url/assets/movies.css" \
  --next "$app_url/assets/movies.js" --next "$app_url/assets/favicon.svg" --next "$app_url/nothing-here" \
  --next -H 'Accept: image/png' "$app_url/movies/" --next -X POST "$app_url/movies/" >/dev/null

# --- stop: the JVM writes the cache on its way out ---------------------------------------------
kill -TERM "$app"
wait "$app" || true
[ -s "$cache" ] || { cat "$work/app.log" >&2; fail "the JVM wrote no AOT cache at $cache"; }
echo "aot-train: wrote $cache ($(du -h "$cache" | cut -f1)) after $(( rounds * 4 + 12 )) requests"
