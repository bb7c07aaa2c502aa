# Shared by bench/run.sh and bench/fleet.sh: work folder and cleanup, waiting, ports, wrk.
# Source it from the repository root after setting THREADS, CONNECTIONS and DURATION.

die() { echo "bench: $*" >&2; exit 2; }

work=$(mktemp -d)
chmod 755 "$work" # nginx's workers run as an unprivileged user
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for conf in "$work"/nginx*/nginx.pid; do
    [ -f "$conf" ] && kill "$(cat "$conf")" 2>/dev/null || true
  done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

# waits until a command succeeds, at most 30 s
wait_for() {
  local what=$1 deadline=$(( $(date +%s) + 30 ))
  shift
  until "$@"; do
    [ "$(date +%s)" -lt "$deadline" ] || die "$what did not come up within 30 s"
    sleep 0.02
  done
}
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
now_ms() { date +%s%3N; }

# starts python3's static server over FIXTURES (films.json, people.json, species.json) as a stand-in
# Ghibli API on a free port; sets upstream_port; its request log is $work/upstream.log
start_stand_in_api() {
  local fixtures=$1
  upstream_port=$(free_port)
  mkdir -p "$work/upstream"
  for list in films people species; do cp "$fixtures/$list.json" "$work/upstream/$list"; done
  python3 -m http.server "$upstream_port" --bind 127.0.0.1 --directory "$work/upstream" >"$work/upstream.log" 2>&1 &
  pids+=($!)
  wait_for "the stand-in Ghibli API" curl -sf -o /dev/null "http://127.0.0.1:$upstream_port/films"
}

# starts the packaged JAR with JAVA and docker/jvm.options against the stand-in API, as the JVM image
# runs it: when JAVA can write an AOT cache (JDK 25+) and BENCH_AOT_CACHE is not "off", the cache is
# trained on FIXTURES by docker/aot-train.sh first and the app starts from it. Extra VAR=value
# arguments go into its environment, the array APP_FLAGS (if set) after docker/jvm.options. Waits for its first 200 on /movies/; sets app (its /movies/
# URL), app_pid, app_command, aot (what was used) and first_200_ms (process start to that 200).
start_app() {
  local fixtures=$1 app_port management_port started cache
  shift
  app_command=("$JAVA" @docker/jvm.options ${APP_FLAGS[@]+"${APP_FLAGS[@]}"} -jar "$JAR")
  aot="no AOT cache"
  if [ "${BENCH_AOT_CACHE:-on}" != off ] && "$JAVA" -XX:+PrintFlagsFinal -version 2>/dev/null | grep -q ' AOTCacheOutput '; then
    echo "training the AOT cache (docker/aot-train.sh)..." >&2
    cache=$(mktemp -p "$work" app-XXXX.aot)
    rm -f "$cache"
    AOT_TRAIN_APP_PORT=$(free_port) AOT_TRAIN_API_PORT=$(free_port) AOT_TRAIN_MANAGEMENT_PORT=$(free_port) \
      docker/aot-train.sh "$cache" "$fixtures" "${app_command[@]}" >&2
    app_command=("$JAVA" @docker/jvm.options ${APP_FLAGS[@]+"${APP_FLAGS[@]}"} "-XX:AOTCache=$cache" -jar "$JAR")
    aot="AOT cache trained by docker/aot-train.sh"
  fi
  app_port=$(free_port)
  management_port=$(free_port) # before the clock starts: python3 may be slow to start
  app="http://127.0.0.1:$app_port/movies/"
  started=$(now_ms)
  env GHIBLI_API_URL="http://127.0.0.1:$upstream_port" QUARKUS_HTTP_PORT="$app_port" QUARKUS_HTTP_HOST=127.0.0.1 \
    QUARKUS_MANAGEMENT_PORT="$management_port" QUARKUS_MANAGEMENT_HOST=127.0.0.1 MOVIES_SNAPSHOT_ENABLED=false \
    "$@" "${app_command[@]}" >"$work/app-$app_port.log" 2>&1 &
  app_pid=$!
  pids+=($app_pid)
  wait_for "the app" app_answers
  first_200_ms=$(( $(now_ms) - started ))
}
app_answers() {
  kill -0 "$app_pid" 2>/dev/null || { cat "$work"/app-*.log; die "the app stopped"; }
  [ "$(status_of "$app")" = 200 ]
}

# starts nginx with the http { } body in CONF under $work/NAME, listening where CONF says
start_nginx() {
  local name=$1 body=$2
  mkdir -p "$work/$name"
  cat >"$work/$name/nginx.conf" <<NGINX
worker_processes auto;
pid $work/$name/nginx.pid;
error_log $work/$name/error.log;
worker_rlimit_nofile $(( 2 * ${NGINX_CONNECTIONS:-1024} ));
events { worker_connections ${NGINX_CONNECTIONS:-1024}; }
http {
  access_log off;
  client_body_temp_path $work/$name;
  proxy_temp_path $work/$name;
  fastcgi_temp_path $work/$name;
  uwsgi_temp_path $work/$name;
  scgi_temp_path $work/$name;
$body
}
NGINX
  nginx -p "$work/$name" -c "$work/$name/nginx.conf"
}

# the HTTP status of a GET with these curl arguments (000 when nothing answers)
status_of() { curl -s -o /dev/null -w '%{http_code}' "$@" || true; }

# the ETag of a GET with these curl arguments
etag_of() { curl -sI "$@" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}'; }

# prints "requests/s p50_ms p99_ms errors" for one wrk run
measure() {
  local out
  out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$@")
  echo "$out" | awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    /Requests\/sec/ { rps = $2 }
    $1 == "50%" { p50 = ms($2) }
    $1 == "99%" { p99 = ms($2) }
    /Socket errors|Non-2xx/ { errors = errors $0 ";" }
    END { printf "%s %.3f %.3f %s\n", rps, p50, p99, (errors == "" ? "-" : errors) }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
