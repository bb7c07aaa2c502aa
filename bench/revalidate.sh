#!/usr/bin/env bash
# What a browser tab that revalidates /movies/ every minute costs, in bytes per hour.
#
#   ./mvnw -B package -DskipTests                 # the script builds nothing itself
#   bench/revalidate.sh
#
# Starts a stand-in of the Ghibli API over a catalog the size of the real one (bench/make-catalog.py)
# and the packaged app refreshing every BENCH_REFRESH seconds (5; stale 2 s later), so that an hour of
# refreshes goes by in a few minutes. Then revalidates BENCH_REVALIDATIONS times (20), once every
# refresh interval and a second, as a tab does once a minute across the service's 50 s refreshes,
# with what a browser sends: Accept for a page, Accept-Encoding gzip, and the If-None-Match and
# If-Modified-Since of the last full answer. The catalog never changes meanwhile. Prints the answers
# by status and the bytes they took (status lines, headers and bodies), scaled to 60 revalidations.
set -euo pipefail
cd "$(dirname "$0")/.."

REFRESH=${BENCH_REFRESH:-5}
REVALIDATIONS=${BENCH_REVALIDATIONS:-20}
JAR=target/quarkus-app/quarkus-run.jar
JAVA=${BENCH_JAVA:-java}
THREADS=1 CONNECTIONS=1 DURATION=1s

source bench/lib.sh
[ -f "$JAR" ] || die "no packaged app at $JAR: run ./mvnw -B package -DskipTests first"
for tool in curl python3 "$JAVA"; do
  command -v "$tool" >/dev/null || die "$tool is missing"
done

python3 bench/make-catalog.py "$work/catalog"
start_stand_in_api "$work/catalog"
BENCH_AOT_CACHE=off start_app "$work/catalog" MOVIES_REFRESH_INTERVAL="${REFRESH}s" MOVIES_MAX_AGE="$(( REFRESH + 2 ))s"

# one answer as a browser revalidating asks for it: sets status and bytes, keeps the validators of a 200
etag="" last_modified=""
revalidate() {
  local out conditions=()
  [ -n "$etag" ] && conditions+=(-H "If-None-Match: $etag")
  [ -n "$last_modified" ] && conditions+=(-H "If-Modified-Since: $last_modified")
  out=$(curl -s -o "$work/body" -D "$work/headers" -w '%{http_code} %{size_header} %{size_download}' \
    -H 'Accept: text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' -H 'Accept-Encoding: gzip, deflate, br' \
    "${conditions[@]}" "$app")
  set -- $out
  status=$1
  bytes=$(( $2 + $3 ))
  if [ "$status" = 200 ]; then
    etag=$(tr -d '\r' <"$work/headers" | awk -F': ' 'tolower($1)=="etag"{print $2}')
    last_modified=$(tr -d '\r' <"$work/headers" | awk -F': ' 'tolower($1)=="last-modified"{print $2}')
  fi
}

revalidate
echo "first load: $bytes bytes ($status)"
total=0 full=0 not_modified=0 other=0
for i in $(seq 1 "$REVALIDATIONS"); do
  sleep $(( REFRESH + 1 ))
  revalidate
  total=$(( total + bytes ))
  case $status in 200) full=$(( full + 1 )) ;; 304) not_modified=$(( not_modified + 1 )) ;; *) other=$(( other + 1 )) ;; esac
done

echo "$REVALIDATIONS revalidations, one per refresh interval and a second: $full x 200, $not_modified x 304, $other other; $total bytes"
echo "a tab revalidating every minute for an hour: $(( total * 60 / REVALIDATIONS )) bytes, plus the first load"
