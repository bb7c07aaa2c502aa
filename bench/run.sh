#!/usr/bin/env bash
# Benchmark: /movies/ served by the packaged app versus nginx serving the very same bytes.
#
#   ./mvnw -B package -DskipTests -Paot          # the script builds nothing itself
#   apt-get install -y nginx wrk                 # Debian packages
#   BENCH_JAVA=/usr/lib/jvm/temurin-25-jdk-amd64/bin/java bench/run.sh
#   BENCH_CONNECTIONS="32 1000 4000" bench/run.sh # several numbers of open connections, one run
#
# Starts a stand-in of the Ghibli API (python3's static server over a catalog the size and shape of
# the real one, 22 films and 57 people, written by bench/make-catalog.py; BENCH_FIXTURES names
# another folder, src/test/resources/ghibliapi for the 6-film test fixtures), the app
# as the JVM image runs it (BENCH_JAVA, default java, with docker/jvm.options; when that JVM can
# write an AOT cache, JDK 25+, the cache is first trained by docker/aot-train.sh, as the image
# build does, and the app starts from it; BENCH_AOT_CACHE=off skips it), and nginx serving the bytes the app returned
# (gzip_static for the .gz copies). Then runs wrk against both, after an unmeasured warm-up of
# BENCH_WARMUP per case, interleaved, BENCH_ROUNDS rounds of BENCH_DURATION per case, and prints
# requests/s, p50/p99 latency and the app/nginx ratios per case (median of the rounds), the app's
# resident memory after the run, and the time from process start to the first 200 on /movies/.
#
# BENCH_CONNECTIONS is a list: every number of open connections is measured in the same run, each
# case at each number in every round. Many connections need file descriptors: the script raises its
# own limit to the hard one and stops when that is below twice the largest number plus 1,024 (raise
# it with ulimit -Hn or LimitNOFILE=); nginx gets as many worker_connections and descriptors,
# and the kernel's somaxconn as its listen backlog, as the app has.
#
# BENCH_CANDIDATES measures other set-ups of the app side by side in the same run: a list separated
# by ';' of name=arguments, each argument either a JVM flag (after docker/jvm.options, so a
# collector other than its Serial needs -XX:-UseSerialGC first) or VAR=value for the app's
# environment, e.g.
#   BENCH_CANDIDATES='app=;parallel=-XX:-UseSerialGC -XX:+UseParallelGC;epoll=QUARKUS_VERTX_PREFER_NATIVE_TRANSPORT=true'
# Each candidate is started (and its AOT cache trained) once and idles while another is measured;
# the default is one, "app", README's command.
#
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
CONNECTION_COUNTS=(${BENCH_CONNECTIONS:-32})
CANDIDATES=${BENCH_CANDIDATES:-app=}
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
most=$(printf '%s\n' "${CONNECTION_COUNTS[@]}" | sort -n | tail -1)
descriptors=$(( 2 * most + 1024 ))
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true
[ "$(ulimit -n)" = unlimited ] || [ "$(ulimit -n)" -ge "$descriptors" ] \
  || die "$most connections need $descriptors file descriptors, the limit is $(ulimit -n) (raise ulimit -Hn)"

names=()
declare -A app_of app_pid_of app_command_of first_200_of app_etag_of app_gzip_etag_of
IFS=';' read -ra candidate_list <<<"$CANDIDATES"
for candidate in "${candidate_list[@]}"; do
  name=${candidate%%=*}
  read -ra arguments <<<"${candidate#*=}"
  APP_FLAGS=() environment=()
  for argument in "${arguments[@]}"; do
    if [[ $argument == -* ]]; then APP_FLAGS+=("$argument"); else environment+=("$argument"); fi
  done
  start_app "$fixtures" MOVIES_REFRESH_INTERVAL=1h MOVIES_MAX_AGE=1h "${environment[@]}"
  names+=("$name") app_of[$name]=$app app_pid_of[$name]=$app_pid
  app_command_of[$name]="${environment[*]} ${app_command[*]}"
  # each candidate has its own tags: its page says since when it has held these films (changedAt)
  app_etag_of[$name]=$(etag_of -H 'Accept: text/html' "$app")
  app_gzip_etag_of[$name]=$(etag_of -H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$app")
  first_200_of[$name]=$first_200_ms
done
app=${app_of[${names[0]}]}

# --- nginx with the app's bytes -----------------------------------------------------------
mkdir -p "$work/www"
curl -sf -H 'Accept: text/html' "$app" -o "$work/www/movies.html"
curl -sf -H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$app" -o "$work/www/movies.html.gz"
curl -sf -H 'Accept: application/json' "$app" -o "$work/www/movies.json"
curl -sf -H 'Accept: application/json' -H 'Accept-Encoding: gzip' "$app" -o "$work/www/movies.json.gz"
nginx_port=$(free_port)
# nginx's listen backlog is 511 unless told; Netty's (the app's) is the kernel's somaxconn: the same
# queue for both, or nginx refuses a burst of thousands of connections that the app accepts
backlog=$(cat /proc/sys/net/core/somaxconn 2>/dev/null || echo 4096)
NGINX_CONNECTIONS=$(( most + 1024 )) start_nginx nginx "  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  gzip_static on;
  gzip_vary on;
  server {
    listen 127.0.0.1:$nginx_port backlog=$backlog;
    root $work/www;
    location = /movies.html { default_type \"text/html;charset=UTF-8\"; }
    location = /movies.json { default_type \"application/json\"; }
  }"
wait_for nginx curl -sf -o /dev/null "http://127.0.0.1:$nginx_port/movies.json"
web="http://127.0.0.1:$nginx_port"
cmp -s <(curl -s -H 'Accept: text/html' "$app") <(curl -s "$web/movies.html") || die "nginx does not serve the app's bytes"

web_etag=$(etag_of "$web/movies.html")
web_gzip_etag=$(etag_of -H 'Accept-Encoding: gzip' "$web/movies.html")

# --- wrk ----------------------------------------------------------------------------------
cases=(html json html-gzip revalidate-304 revalidate-304-gzip)
declare -A results
BROWSER_ACCEPT='text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8'
# sets args: the curl/wrk arguments of CASE against SIDE (a candidate's name, or nginx)
arguments_of() {
  local case=$1 side=$2 url tag gzip_tag
  if [ "$side" = nginx ]; then
    url=$web/movies.html tag=$web_etag gzip_tag=$web_gzip_etag
    [ "$case" = json ] && url=$web/movies.json
    case $case in
      html)           args=("$url") ;;
      json)           args=("$url") ;;
      html-gzip)      args=(-H 'Accept-Encoding: gzip' "$url") ;;
      revalidate-304) args=(-H "If-None-Match: $tag" "$url") ;;
      revalidate-304-gzip)
                      args=(-H "Accept: $BROWSER_ACCEPT" -H 'Accept-Encoding: gzip, deflate, br, zstd'
                            -H "If-None-Match: $gzip_tag" "$url") ;;
    esac
    return
  fi
  url=${app_of[$side]} tag=${app_etag_of[$side]} gzip_tag=${app_gzip_etag_of[$side]}
  case $case in
      html)           args=(-H 'Accept: text/html' "$url") ;;
      json)           args=(-H 'Accept: application/json' "$url") ;;
      html-gzip)      args=(-H 'Accept: text/html' -H 'Accept-Encoding: gzip' "$url") ;;
      revalidate-304) args=(-H 'Accept: text/html' -H "If-None-Match: $tag" "$url") ;;
      # what a browser that holds the page sends: its own Accept, gzip, and the tag of the gzip copy
      revalidate-304-gzip)
                      args=(-H "Accept: $BROWSER_ACCEPT" -H 'Accept-Encoding: gzip, deflate, br, zstd'
                            -H "If-None-Match: $gzip_tag" "$url") ;;
  esac
}
sides=("${names[@]}" nginx)
# every candidate serves as many bytes (the same catalog; only its times differ)
for name in "${names[@]}"; do
  [ "$(curl -s -H 'Accept: text/html' "${app_of[$name]}" | wc -c)" = "$(stat -c %s "$work/www/movies.html")" ] \
    || die "candidate $name does not serve a page of the size the first one did"
done
# the 304 cases must measure 304s: each server answers the very requests sent with 304
for case in revalidate-304 revalidate-304-gzip; do
  for side in "${sides[@]}"; do
    arguments_of "$case" "$side"
    [ "$(status_of "${args[@]}")" = 304 ] || die "$side does not answer $case with 304"
  done
done
# the JVM compiles its hot code in the first seconds: warm every server up, unmeasured, at each
# number of connections (an event loop's buffers and a connection's state grow with them)
for connections in "${CONNECTION_COUNTS[@]}"; do
  for case in "${cases[@]}"; do
    for side in "${sides[@]}"; do
      arguments_of "$case" "$side"
      wrk -t"$THREADS" -c"$connections" -d"$WARMUP" "${args[@]}" >/dev/null
    done
  done
done
for round in $(seq 1 "$ROUNDS"); do
  for connections in "${CONNECTION_COUNTS[@]}"; do
    for case in "${cases[@]}"; do
      line="round $round, $connections connections, $case:"
      for side in "${sides[@]}"; do
        arguments_of "$case" "$side"
        results[$connections,$case,$side,$round]=$(CONNECTIONS=$connections measure "${args[@]}")
        line+=" $side ${results[$connections,$case,$side,$round]} |"
      done
      echo "$line" >&2
    done
  done
done
for name in "${names[@]}"; do
  [ "$(etag_of -H 'Accept: text/html' "${app_of[$name]}")" = "${app_etag_of[$name]}" ] \
    || die "$name's page changed during the run: the 304 cases measured 200s"
done

column_of() {
  local connections=$1 case=$2 side=$3 field=$4
  for r in $(seq 1 "$ROUNDS"); do echo "${results[$connections,$case,$side,$r]}" | awk -v f="$field" '{ print $f }'; done | median
}
errors_of() {
  local connections=$1 side=$2 case r
  for case in "${cases[@]}"; do
    for r in $(seq 1 "$ROUNDS"); do echo "${results[$connections,$case,$side,$r]}" | cut -d' ' -f4-; done
  done | { grep -v '^-$' || true; } | sort -u | tr '\n' ' '
}

echo
echo "ghibli-movies benchmark: $(nproc) cores, wrk -t$THREADS -d$DURATION, $ROUNDS interleaved rounds (medians)"
echo "java: $("$JAVA" -version 2>&1 | head -1), $packaging, $aot"
for name in "${names[@]}"; do
  echo "$name: ${app_command_of[$name]}"
done
echo "catalog: $(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1] + "/films.json"))), "films,", len(json.load(open(sys.argv[1] + "/people.json"))), "people")' "$fixtures");" \
  "page $(stat -c %s "$work/www/movies.html") B ($(stat -c %s "$work/www/movies.html.gz") B gzip)," \
  "JSON $(stat -c %s "$work/www/movies.json") B ($(stat -c %s "$work/www/movies.json.gz") B gzip)"
for connections in "${CONNECTION_COUNTS[@]}"; do
  echo
  echo "$connections connections"
  printf '%-20s %-12s %10s %10s %7s %9s %9s %9s\n' case server req/s ratio p50 p99 p99-ratio
  for case in "${cases[@]}"; do
    w=$(column_of "$connections" "$case" nginx 1); w99=$(column_of "$connections" "$case" nginx 3)
    for side in "${sides[@]}"; do
      a=$(column_of "$connections" "$case" "$side" 1); a99=$(column_of "$connections" "$case" "$side" 3)
      printf '%-20s %-12s %10.0f %7.2f %7.2fms %7.2fms %7.2f\n' "$case" "$side" "$a" "$(echo "$a $w" | awk '{ print $1 / $2 }')" \
        "$(column_of "$connections" "$case" "$side" 2)" "$a99" "$(echo "$a99 $w99" | awk '{ print $1 / $2 }')"
    done
  done
  for side in "${sides[@]}"; do
    errors=$(errors_of "$connections" "$side")
    [ -z "$errors" ] || echo "$side, errors or non-2xx/3xx answers: $errors"
  done
done
echo
for name in "${names[@]}"; do
  echo "$name: resident memory after the run $(awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/${app_pid_of[$name]}/status") MB," \
    "process start to first 200 on /movies/ ${first_200_of[$name]} ms"
done
