#!/usr/bin/env bash
# Benchmark: /movies/ served by the packaged app versus nginx serving the very same bytes.
#
#   ./mvnw -B package -DskipTests -Paot          # the script builds nothing itself
#   apt-get install -y nginx wrk                 # Debian packages
#   BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/run.sh
#
# Starts a stand-in of the Ghibli API (python3's static server over a catalog the size and shape of
# the real one, 22 films and 57 people, written by bench/make-catalog.py; BENCH_FIXTURES names
# another folder, src/test/resources/ghibliapi for the 6-film test fixtures), the app
# as the JVM image runs it (BENCH_JAVA, default java, with docker/jvm.options; when that JVM can
# write an AOT cache, JDK 25+, the cache is first trained by docker/aot-train.sh, as the image
# build does, and the app starts from it; BENCH_AOT_CACHE=off skips it), and nginx serving the bytes the app returned
# (gzip_static for the .gz copies). Then runs wrk against both, after an unmeasured warm-up of
# BENCH_WARMUP per case, interleaved, BENCH_ROUNDS rounds of BENCH_DURATION per case, and prints
# requests/s, p50/p99 latency and the app/nginx ratio per case (median of the rounds), the app's
# resident memory after the run, and the time from process start to the first 200 on /movies/.
# Everything listens on 127.0.0.1 only. The app refreshes once an hour here, not every 50 s: each
# refresh makes new JSON bytes and tags (the JSON carries fetchedAt), a fetch that fails would turn
# the page stale, and the 304 cases need the tag they send to stay valid for the whole run (the
# script checks that it did).
set -euo pipefail
cd "$(dirname "$0")/.."

ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-5s}
DURATION=${BENCH_DURATION:-10s}
THREADS=${BENCH_THREADS:-2}
CONNECTIONS=${BENCH_CONNECTIONS:-32}
JAR=target/quarkus-app/quarkus-run.jar
JAVA=${BENCH_JAVA:-java}

source bench/lib.sh
[ -f "$JAR" ] || die "no packaged app at $JAR: run ./mvnw -B package -DskipTests -Paot first"
for tool in nginx wrk curl python3 "$JAVA"; do
  command -v "$tool" >/dev/null || die "$tool is missing (apt-get install -y nginx wrk curl)"
done

# --- the stand-in Ghibli API ------------------------------------------------------
fixtures=${BENCH_FIXTURES:-}
if [ -z "$fixtures" ]; then
  fixtures=$work/catalog
  python3 bench/make-catalog.py "$fixtures"
fi
start_stand_in_api "$fixtures"

# --- the app --------------------------------------------------------------------------
# aot-jar puts the app's own jar on the class path; fast-jar leaves it to Quarkus's class loader
if python3 -c 'import sys, zipfile; sys.exit("app/" not in zipfile.ZipFile(sys.argv[1]).read("META-INF/MANIFEST.MF").decode().replace("\r\n ", ""))' "$JAR"; then
  packaging=aot-jar
else
  packaging=fast-jar
fi
start_app "$fixtures" MOVIES_REFRESH_INTERVAL=1h MOVIES_MAX_AGE=1h

# --- nginx with the app's bytes -----------------------------------------------------------
mkdir -p "$work/www"
curl -sf -H 'Accept: text/html' "$app" -o "$work/www/movies.html"
curl -sf -H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$app" -o "$work/www/movies.html.gz"
curl -sf -H 'Accept: application/json' "$app" -o "$work/www/movies.json"
curl -sf -H 'Accept: application/json' -H 'Accept-Encoding: gzip' "$app" -o "$work/www/movies.json.gz"
nginx_port=$(free_port)
start_nginx nginx "  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  gzip_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$nginx_port;
    root $work/www;
    location = /movies.html { default_type \"text/html;charset=UTF-8\"; }
    location = /movies.json { default_type \"application/json\"; }
  }"
wait_for nginx curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/movies.json"
web="http://127.0.0.1:$nginx_port"
cmp -s <(curl -s -H 'Accept: text/html' "$app") <(curl -s "$web/movies.html") || die "nginx does not serve the app's bytes"

app_etag=$(etag_of -H 'Accept: text/html' "$app")
web_etag=$(etag_of "$web/movies.html")
app_gzip_etag=$(etag_of -H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$app")
web_gzip_etag=$(etag_of -H 'Accept-Encoding: gzip' "$web/movies.html")

# --- wrk ----------------------------------------------------------------------------------
cases=(html json html-gzip revalidate-304 revalidate-304-gzip)
declare -A results
BROWSER_ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8'
arguments_of() {
  case $1 in
      html)           app_args=(-H 'Accept: text/html' "$app");  web_args=("$web/movies.html") ;;
      json)           app_args=(-H 'Accept: application/json' "$app"); web_args=("$web/movies.json") ;;
      html-gzip)      app_args=(-H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$app")
                      web_args=(-H 'Accept-Encoding: gzip' "$web/movies.html") ;;
      revalidate-304) app_args=(-H 'Accept: text/html' -H "If-None-Match: $app_etag" "$app")
                      web_args=(-H "If-None-Match: $web_etag" "$web/movies.html") ;;
      # what a browser that holds the page sends: its own Accept, gzip, and the tag of the gzip copy
      revalidate-304-gzip)
                      app_args=(-H "Accept: $BROWSER_ACCEPT" -H 'Accept-Encoding: gzip, deflate, br, zstd'
                                -H "If-None-Match: $app_gzip_etag" "$app")
                      web_args=(-H "Accept: $BROWSER_ACCEPT" -H 'Accept-Encoding: gzip, deflate, br, zstd'
                                -H "If-None-Match: $web_gzip_etag" "$web/movies.html") ;;
  esac
}
# the 304 cases must measure 304s: each server answers the very requests sent with 304
for case in revalidate-304 revalidate-304-gzip; do
  arguments_of "$case"
  [ "$(status_of "${app_args[@]}")" = 304 ] || die "the app does not answer $case with 304"
  [ "$(status_of "${web_args[@]}")" = 304 ] || die "nginx does not answer $case with 304"
done
# the JVM compiles its hot code in the first seconds: warm both servers up, unmeasured
for case in "${cases[@]}"; do
  arguments_of "$case"
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${app_args[@]}" >/dev/null
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "${web_args[@]}" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  for case in "${cases[@]}"; do
    arguments_of "$case"
    results[$case,app,$round]=$(measure "${app_args[@]}")
    results[$case,web,$round]=$(measure "${web_args[@]}")
    echo "round $round $case: app ${results[$case,app,$round]} | nginx ${results[$case,web,$round]}" >&2
  done
done
[ "$(etag_of -H 'Accept: text/html' "$app")" = "$app_etag" ] || die "the page changed during the run: the 304 cases measured 200s"

rss_mb=$(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status")

column_of() { local case=$1 side=$2 field=$3; for r in $(seq 1 "$ROUNDS"); do echo "${results[$case,$side,$r]}" | awk -v f="$field" '{ print $f }'; done | median; }

echo
echo "ghibli-movies benchmark: $(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, $ROUNDS interleaved rounds (medians)"
echo "app: $("$JAVA" -version 2>&1 | head -1), $packaging, $aot"
echo "     ${app_command[*]}"
echo "catalog: $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1] + "/films.json"))), "films,", len(json.load(open(sys.argv[1] + "/people.json"))), "people")' "$fixtures");" \
  "page $(stat -c %s "$work/www/movies.html") B ($(stat -c %s "$work/www/movies.html.gz") B gzip)," \
  "JSON $(stat -c %s "$work/www/movies.json") B ($(stat -c %s "$work/www/movies.json.gz") B gzip)"
printf '%-20s %12s %12s %7s %9s %9s %9s %9s\n' case app-req/s nginx-req/s ratio app-p50 app-p99 ngx-p50 ngx-p99
for case in "${cases[@]}"; do
  a=$(column_of "$case" app 1); w=$(column_of "$case" web 1)
  printf '%-20s %12.0f %12.0f %7.2f %7.2fms %7.2fms %7.2fms %7.2fms\n' "$case" "$a" "$w" "$(echo "$a $w" | awk '{ print $1 / $2 }')" \
    "$(column_of "$case" app 2)" "$(column_of "$case" app 3)" "$(column_of "$case" web 2)" "$(column_of "$case" web 3)"
done
echo "app resident memory after the run: ${rss_mb} MB"
echo "app process start to first 200 on /movies/: ${first_200_ms} ms"
