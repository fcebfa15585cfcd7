#!/usr/bin/env bash
# Load benchmark: wrk against (1) nginx directly, (2) nginx as a reverse proxy, (3) ActorMesh as a reverse proxy,
# all on 127.0.0.1, all fronting the same nginx upstream. See README.md next to this file.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"

# Tunables (environment overrides).
ROUNDS="${ROUNDS:-3}"
DURATION="${DURATION:-10s}"
WARMUP="${WARMUP:-5s}"
CONNECTIONS="${CONNECTIONS:-64}"
THREADS="${THREADS:-1}"
READY_TIMEOUT_S="${READY_TIMEOUT_S:-30}"
# BASELINE_REV=<git revision>: also build ActorMesh at that revision and measure it as target "baseline", interleaved
# with the others, to show what a change cost or saved side by side.
BASELINE_REV="${BASELINE_REV:-}"

UPSTREAM_PORT=18080
NGINX_PROXY_PORT=18081
ACTORMESH_PORT=18082
# A second listener on the same node with an access log, to measure what observability costs per request.
ACTORMESH_LOG_PORT=18083
ADMIN_PORT=19901
BASELINE_PORT=18084
BASELINE_ADMIN_PORT=19902

log() { printf '[bench %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"

# ---------------------------------------------------------------- 1. tools
need_install=()
command -v wrk   >/dev/null 2>&1 || need_install+=(wrk)
command -v nginx >/dev/null 2>&1 || need_install+=(nginx)
if ((${#need_install[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing ${need_install[*]} and not root; install them or rerun as root"
    log "installing ${need_install[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq wrk nginx >/dev/null
fi
for t in wrk nginx dotnet curl python3 getconf; do
    command -v "$t" >/dev/null 2>&1 || die "required tool '$t' not found"
done
NGINX_BIN="$(command -v nginx)"
CLK_TCK="$(getconf CLK_TCK)"

# ---------------------------------------------------------------- process bookkeeping / cleanup
WORK="$(mktemp -d -t actormesh-bench.XXXXXX)"
UPSTREAM_PID=""
PROXY_PID=""
ACTORMESH_PID=""
BASELINE_PID=""
WRK_PID=""

stop_pid() { # stop_pid PID SIGNAL  -> signal, wait up to 5 s, then SIGKILL
    local pid="$1" sig="$2" i
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 50; i++)); do
        kill -0 "$pid" 2>/dev/null || break
        sleep 0.1
    done
    if kill -0 "$pid" 2>/dev/null; then
        log "pid $pid ignored SIG$sig for 5 s; sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

stop_nginx() { # stop_nginx MASTER_PID -> graceful QUIT of master; then make sure its workers are gone too
    local master="$1" workers w
    [[ -n "$master" ]] || return 0
    workers="$(pgrep -P "$master" 2>/dev/null || true)"
    stop_pid "$master" QUIT
    for w in $workers; do
        if kill -0 "$w" 2>/dev/null; then kill -KILL "$w" 2>/dev/null || true; fi
    done
}

cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    stop_pid "$WRK_PID" TERM
    stop_pid "$ACTORMESH_PID" TERM
    stop_pid "$BASELINE_PID" TERM
    stop_nginx "$PROXY_PID"
    stop_nginx "$UPSTREAM_PID"
    rm -rf "$WORK"
    exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---------------------------------------------------------------- helpers
port_free() { # true when nothing accepts on 127.0.0.1:PORT
    ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

wait_http_200() { # wait_http_200 URL PID NAME  (bounded by READY_TIMEOUT_S)
    local url="$1" pid="$2" name="$3" i
    for ((i = 0; i < READY_TIMEOUT_S * 2; i++)); do
        kill -0 "$pid" 2>/dev/null || return 1
        if curl -sf -o /dev/null --max-time 2 "$url"; then
            log "$name answers 200 on $url"
            return 0
        fi
        sleep 0.5
    done
    return 1
}

cpu_ticks() { # cpu_ticks PID... -> sum of utime+stime (fields 14,15) in clock ticks; missing pids count 0
    local pid stat rest sum=0 f
    for pid in "$@"; do
        stat="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
        rest="${stat##*) }"          # drop "pid (comm) ", comm may contain spaces/parentheses
        read -r -a f <<<"$rest"      # f[0] is field 3 (state) -> field N is f[N-3]
        sum=$((sum + f[11] + f[12]))
    done
    echo "$sum"
}

host_busy_ticks() { # busy jiffies of the whole host: user+nice+system+irq+softirq+steal (USER_HZ = CLK_TCK)
    awk '/^cpu /{ print $2 + $3 + $4 + $7 + $8 + $9; exit }' /proc/stat
}

children_cpu_ticks() { # ticks from the last `times >"$WORK/times.txt"`, which must run in the main shell
    # (`times` inside $(...) would report the subshell's own children, not wrk's)
    awk -v hz="$CLK_TCK" 'NR == 2 {
        t = 0
        for (i = 1; i <= 2; i++) { split($i, a, /[ms]/); t += a[1] * 60 + a[2] }
        printf "%d\n", t * hz + 0.5 }' "$WORK/times.txt"
}

pids_for() { # pids_for TARGET -> pids whose CPU is charged to that target
    case "$1" in
        direct)    echo "$UPSTREAM_PID" $(pgrep -P "$UPSTREAM_PID" 2>/dev/null || true) ;;
        nginx)     echo "$PROXY_PID" $(pgrep -P "$PROXY_PID" 2>/dev/null || true) ;;
        actormesh|actormesh-log) echo "$ACTORMESH_PID" ;;
        baseline) echo "$BASELINE_PID" ;;
    esac
}

url_for() {
    case "$1" in
        direct)    echo "http://127.0.0.1:$UPSTREAM_PORT/" ;;
        nginx)     echo "http://127.0.0.1:$NGINX_PROXY_PORT/" ;;
        actormesh) echo "http://127.0.0.1:$ACTORMESH_PORT/" ;;
        actormesh-log) echo "http://127.0.0.1:$ACTORMESH_LOG_PORT/" ;;
        baseline) echo "http://127.0.0.1:$BASELINE_PORT/" ;;
    esac
}

run_wrk() { # run_wrk OUTFILE ARGS... (wrk runs as a tracked child so the trap can stop it)
    local out="$1"; shift
    wrk "$@" >"$out" 2>&1 &
    WRK_PID=$!
    local rc=0
    wait "$WRK_PID" || rc=$?
    WRK_PID=""
    return "$rc"
}

# ---------------------------------------------------------------- preflight
for p in $UPSTREAM_PORT $NGINX_PROXY_PORT $ACTORMESH_PORT $ACTORMESH_LOG_PORT $ADMIN_PORT $BASELINE_PORT $BASELINE_ADMIN_PORT; do
    port_free "$p" || die "127.0.0.1:$p is already in use; stop whatever listens there first"
done

# ---------------------------------------------------------------- 2. build
log "publishing ActorMesh.Node (Release) to $WORK/node"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
dotnet publish "$REPO/src/ActorMesh.Node/ActorMesh.Node.csproj" -c Release -o "$WORK/node" -v q >"$WORK/publish.log" 2>&1 \
    || { tail -n 40 "$WORK/publish.log" >&2; die "dotnet publish failed"; }
[[ -f "$WORK/node/actormesh.dll" ]] || die "publish produced no actormesh.dll"

# ---------------------------------------------------------------- 3. nginx upstream
mkdir -p "$WORK/nginx-upstream" "$WORK/nginx-proxy"
cat >"$WORK/nginx-upstream.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $WORK/nginx-upstream/nginx.pid;
error_log $WORK/nginx-upstream/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    default_type text/plain;
    keepalive_requests 100000;
    keepalive_timeout 65s;
    client_body_temp_path $WORK/nginx-upstream/client_body;
    proxy_temp_path       $WORK/nginx-upstream/proxy;
    fastcgi_temp_path     $WORK/nginx-upstream/fastcgi;
    uwsgi_temp_path       $WORK/nginx-upstream/uwsgi;
    scgi_temp_path        $WORK/nginx-upstream/scgi;
    server {
        listen 127.0.0.1:$UPSTREAM_PORT;
        location / { return 200 "hello, world\n"; }
    }
}
EOF

# ---------------------------------------------------------------- 4. nginx reverse proxy
cat >"$WORK/nginx-proxy.conf" <<EOF
daemon off;
master_process on;
worker_processes 1;
pid $WORK/nginx-proxy/nginx.pid;
error_log $WORK/nginx-proxy/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 100000;
    keepalive_timeout 65s;
    client_body_temp_path $WORK/nginx-proxy/client_body;
    proxy_temp_path       $WORK/nginx-proxy/proxy;
    fastcgi_temp_path     $WORK/nginx-proxy/fastcgi;
    uwsgi_temp_path       $WORK/nginx-proxy/uwsgi;
    scgi_temp_path        $WORK/nginx-proxy/scgi;
    upstream bench_upstream {
        server 127.0.0.1:$UPSTREAM_PORT;
        keepalive 64;
        keepalive_requests 100000;
    }
    server {
        listen 127.0.0.1:$NGINX_PROXY_PORT;
        location / {
            proxy_pass http://bench_upstream;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
        }
    }
}
EOF

log "starting nginx upstream on 127.0.0.1:$UPSTREAM_PORT"
"$NGINX_BIN" -p "$WORK/nginx-upstream/" -e "$WORK/nginx-upstream/error.log" -c "$WORK/nginx-upstream.conf" &
UPSTREAM_PID=$!
wait_http_200 "http://127.0.0.1:$UPSTREAM_PORT/" "$UPSTREAM_PID" "nginx upstream" \
    || { cat "$WORK/nginx-upstream/error.log" >&2 2>/dev/null || true; die "nginx upstream did not come up"; }

log "starting nginx proxy on 127.0.0.1:$NGINX_PROXY_PORT"
"$NGINX_BIN" -p "$WORK/nginx-proxy/" -e "$WORK/nginx-proxy/error.log" -c "$WORK/nginx-proxy.conf" &
PROXY_PID=$!
wait_http_200 "http://127.0.0.1:$NGINX_PROXY_PORT/" "$PROXY_PID" "nginx proxy" \
    || { cat "$WORK/nginx-proxy/error.log" >&2 2>/dev/null || true; die "nginx proxy did not come up"; }

# ---------------------------------------------------------------- 5. ActorMesh
cat >"$WORK/envoy.yaml" <<EOF
static_resources:
  listeners:
  - name: bench
    address:
      socket_address: { address: 127.0.0.1, port_value: $ACTORMESH_PORT }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: bench
          route_config:
            name: bench_route
            virtual_hosts:
            - name: bench
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: upstream }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  - name: bench-logged
    address:
      socket_address: { address: 127.0.0.1, port_value: $ACTORMESH_LOG_PORT }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: bench_logged
          access_log:
          - name: envoy.access_loggers.file
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.access_loggers.file.v3.FileAccessLog
              path: $WORK/access.log
          route_config:
            name: bench_route
            virtual_hosts:
            - name: bench
              domains: ["*"]
              routes:
              - match: { prefix: "/" }
                route: { cluster: upstream }
          http_filters:
          - name: envoy.filters.http.router
            typed_config:
              "@type": type.googleapis.com/envoy.extensions.filters.http.router.v3.Router
  clusters:
  - name: upstream
    connect_timeout: 1s
    type: STATIC
    lb_policy: ROUND_ROBIN
    load_assignment:
      cluster_name: upstream
      endpoints:
      - lb_endpoints:
        - endpoint:
            address:
              socket_address: { address: 127.0.0.1, port_value: $UPSTREAM_PORT }
admin:
  address:
    socket_address: { address: 127.0.0.1, port_value: $ADMIN_PORT }
EOF

log "starting ActorMesh on 127.0.0.1:$ACTORMESH_PORT"
# --cmd-port 0: the command host of each node on a port of its own, so the baseline node can run beside this one.
dotnet "$WORK/node/actormesh.dll" -c "$WORK/envoy.yaml" --log-level warning --cmd-port 0 >"$WORK/actormesh.log" 2>&1 &
ACTORMESH_PID=$!
wait_http_200 "http://127.0.0.1:$ACTORMESH_PORT/" "$ACTORMESH_PID" "ActorMesh" \
    || { tail -n 40 "$WORK/actormesh.log" >&2; die "ActorMesh did not answer 200 within ${READY_TIMEOUT_S}s"; }

TARGETS=(direct nginx actormesh actormesh-log)

if [[ -n "$BASELINE_REV" ]]; then
    log "building the baseline ActorMesh at $BASELINE_REV"
    mkdir -p "$WORK/baseline-src"
    git -C "$REPO" archive "$BASELINE_REV" | tar -x -C "$WORK/baseline-src" || die "cannot export revision $BASELINE_REV"
    dotnet publish "$WORK/baseline-src/src/ActorMesh.Node/ActorMesh.Node.csproj" -c Release -o "$WORK/baseline-node" -v q \
        >"$WORK/baseline-publish.log" 2>&1 || { tail -n 40 "$WORK/baseline-publish.log" >&2; die "baseline publish failed"; }
    # The same listener and cluster, on the baseline's own ports (the logged listener is left out).
    python3 - "$WORK/envoy.yaml" "$WORK/baseline.yaml" "$ACTORMESH_PORT" "$BASELINE_PORT" "$ADMIN_PORT" "$BASELINE_ADMIN_PORT" <<'PY'
import sys
src, dst, port, bport, admin, badmin = sys.argv[1:]
text = open(src).read()
head, rest = text.split("  - name: bench-logged", 1)
tail = rest[rest.index("  clusters:"):]
text = (head + tail).replace(f"port_value: {port} ", f"port_value: {bport} ").replace(f"port_value: {admin} ", f"port_value: {badmin} ")
open(dst, "w").write(text)
PY
    baseline_flags=()
    # A baseline from before the command host has no --cmd-port (and binds nothing that could clash).
    if dotnet "$WORK/baseline-node/actormesh.dll" --help 2>&1 | grep -q -- '--cmd-port'; then baseline_flags=(--cmd-port 0); fi
    dotnet "$WORK/baseline-node/actormesh.dll" -c "$WORK/baseline.yaml" --log-level warning "${baseline_flags[@]}" >"$WORK/baseline.log" 2>&1 &
    BASELINE_PID=$!
    wait_http_200 "http://127.0.0.1:$BASELINE_PORT/" "$BASELINE_PID" "baseline ActorMesh" \
        || { tail -n 40 "$WORK/baseline.log" >&2; die "baseline ActorMesh did not answer 200"; }
    TARGETS+=(baseline)
fi

# ---------------------------------------------------------------- 6. warm-up
for t in "${TARGETS[@]}"; do
    log "warm-up $t ($WARMUP)"
    run_wrk "$WORK/warmup-$t.txt" -t"$THREADS" -c"$CONNECTIONS" -d"$WARMUP" "$(url_for "$t")" \
        || log "warm-up wrk for $t exited non-zero (continuing)"
done

# ---------------------------------------------------------------- 7. measure
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
for ((round = 1; round <= ROUNDS; round++)); do
    for t in "${TARGETS[@]}"; do
        out="$WORK/wrk-$t-$round.txt"
        pids="$(pids_for "$t")"
        alive=1
        [[ "$t" != actormesh* ]] || kill -0 "$ACTORMESH_PID" 2>/dev/null || alive=0
        # shellcheck disable=SC2086
        before="$(cpu_ticks $pids)"
        all_pids="$(pids_for direct) $(pids_for nginx) $(pids_for actormesh) $(pids_for baseline)"
        # shellcheck disable=SC2086
        ours_before="$(cpu_ticks $all_pids)"; host_before="$(host_busy_ticks)"
        times >"$WORK/times.txt"; kids_before="$(children_cpu_ticks)"
        log "round $round/$ROUNDS: $t ($DURATION, $CONNECTIONS conns)"
        wrk_rc=0
        run_wrk "$out" -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "$(url_for "$t")" || wrk_rc=$?
        # shellcheck disable=SC2086
        after="$(cpu_ticks $pids)"
        # shellcheck disable=SC2086
        ours_after="$(cpu_ticks $all_pids)"; host_after="$(host_busy_ticks)"
        times >"$WORK/times.txt"; kids_after="$(children_cpu_ticks)"
        wrk_ticks=$((kids_after - kids_before))
        other_ticks=$(( (host_after - host_before) - (ours_after - ours_before) - wrk_ticks ))
        if [[ "$t" == actormesh* ]] && ! kill -0 "$ACTORMESH_PID" 2>/dev/null; then alive=0; fi
        # one TSV line: round target wrk_rc alive cpu_ticks wrk_ticks other_ticks wrk-output-file
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$t" "$wrk_rc" "$alive" "$((after - before))" \
            "$wrk_ticks" "$other_ticks" "$out" >>"$RESULTS"
        if ((alive == 0)); then
            log "ActorMesh process $ACTORMESH_PID is no longer running (exit status follows); last log lines:"
            wait "$ACTORMESH_PID" 2>/dev/null && log "exit 0" || log "exit $?"
            tail -n 40 "$WORK/actormesh.log" >&2 || true
        fi
    done
done

LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
if [[ -s "$WORK/actormesh.log" ]]; then
    log "ActorMesh wrote $(wc -l <"$WORK/actormesh.log") log line(s) at --log-level warning; last 20:"
    tail -n 20 "$WORK/actormesh.log" >&2
fi

# ---------------------------------------------------------------- 8. report
echo
echo "host: $(nproc) cores; loadavg at start: $LOAD_BEFORE, after measuring: $LOAD_AFTER"
python3 - "$RESULTS" "$CLK_TCK" "$CONNECTIONS" "$THREADS" "$DURATION" <<'PY'
import re, statistics, sys

results, clk_tck, conns, threads, duration = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5]
UNIT_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0, "h": 3600000.0}

def to_ms(text):
    m = re.fullmatch(r"([0-9.]+)(us|ms|s|m|h)", text.strip())
    return float(m.group(1)) * UNIT_MS[m.group(2)] if m else float("nan")

def parse(path):
    txt = open(path, errors="replace").read()
    r = {"rps": float("nan"), "p50": float("nan"), "p99": float("nan"), "requests": 0,
         "non2xx": 0, "sock": 0, "sock_detail": "", "raw": txt}
    if m := re.search(r"Requests/sec:\s+([0-9.]+)", txt): r["rps"] = float(m.group(1))
    if m := re.search(r"^\s*50%\s+(\S+)", txt, re.M): r["p50"] = to_ms(m.group(1))
    if m := re.search(r"^\s*99%\s+(\S+)", txt, re.M): r["p99"] = to_ms(m.group(1))
    if m := re.search(r"(\d+) requests in", txt): r["requests"] = int(m.group(1))
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", txt): r["non2xx"] = int(m.group(1))
    if m := re.search(r"Socket errors:\s+connect (\d+), read (\d+), write (\d+), timeout (\d+)", txt):
        r["sock"] = sum(int(x) for x in m.groups())
        r["sock_detail"] = "connect {} read {} write {} timeout {}".format(*m.groups())
    return r

rows = []
for line in open(results):
    rnd, tgt, rc, alive, ticks, wrk_ticks, other_ticks, path = line.rstrip("\n").split("\t")
    r = parse(path)
    r.update(round=int(rnd), target=tgt, rc=int(rc), alive=alive == "1", cpu=int(ticks) / clk_tck,
             wrkcpu=int(wrk_ticks) / clk_tck, other=max(0, int(other_ticks)) / clk_tck)
    r["cpu10k"] = r["cpu"] / (r["requests"] / 10000) if r["requests"] else float("nan")
    r["errors"] = r["non2xx"] + r["sock"]
    rows.append(r)

def f(x, spec):
    return "n/a" if x != x else format(x, spec)

print()
print(f"ActorMesh load benchmark: wrk -t{threads} -c{conns} -d{duration} --latency, 13-byte body, 127.0.0.1, "
      f"{len({r['round'] for r in rows})} interleaved rounds")
print("cpu s = utime+stime of the proxy process(es) during the run (direct: the upstream nginx itself);")
print("wrk s = wrk's own CPU; other s = host CPU used by processes outside this benchmark (should be ~0)")
print()
print("Per-round results")
hdr = f"{'round':>5}  {'target':<13} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'requests':>9} {'non2xx':>7} {'sockerr':>7} {'cpu s':>7} {'cpu-s/10k':>9} {'wrk s':>6} {'other s':>7}  notes"
print(hdr); print("-" * len(hdr))
for r in rows:
    notes = []
    if r["sock"]: notes.append("socket errors: " + r["sock_detail"])
    if r["rc"]: notes.append(f"wrk exit {r['rc']}")
    if not r["alive"]: notes.append("PROXY PROCESS DEAD")
    if r["other"] > 1.0: notes.append("host busy with other work")
    print(f"{r['round']:>5}  {r['target']:<13} {f(r['rps'], '10.0f')} {f(r['p50'], '8.3f')} {f(r['p99'], '8.3f')} "
          f"{r['requests']:>9} {r['non2xx']:>7} {r['sock']:>7} {r['cpu']:>7.2f} {f(r['cpu10k'], '9.4f')} {r['wrkcpu']:>6.2f} {r['other']:>7.2f}  {'; '.join(notes)}")

def med(vals):
    vals = [v for v in vals if v == v]
    return statistics.median(vals) if vals else float("nan")

print()
print("Summary (median of rounds; errors = total over rounds)")
hdr = f"{'target':<13} {'req/s':>10} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'cpu-s/10k':>9}"
print(hdr); print("-" * len(hdr))
summary = {}
for tgt in ["direct", "nginx", "actormesh", "actormesh-log", "baseline"]:
    rs = [r for r in rows if r["target"] == tgt]
    if not rs: continue
    s = {k: med([r[k] for r in rs]) for k in ("rps", "p50", "p99", "cpu10k")}
    s["errors"] = sum(r["errors"] for r in rs)
    summary[tgt] = s
    print(f"{tgt:<13} {f(s['rps'], '10.0f')} {f(s['p50'], '8.3f')} {f(s['p99'], '8.3f')} {s['errors']:>7} {f(s['cpu10k'], '9.4f')}")

print()
def ratio(a, b):
    if a not in summary or b not in summary: return float("nan")
    x, y = summary[a]["rps"], summary[b]["rps"]
    return x / y if y == y and y else float("nan")
print(f"req/s ratio ActorMesh/nginx : {f(ratio('actormesh', 'nginx'), '.3f')}")
print(f"req/s ratio ActorMesh/direct: {f(ratio('actormesh', 'direct'), '.3f')}")
print(f"req/s ratio ActorMesh with access log/without: {f(ratio('actormesh-log', 'actormesh'), '.3f')}")
if "baseline" in summary:
    print(f"req/s ratio ActorMesh/baseline: {f(ratio('actormesh', 'baseline'), '.3f')}")
    print(f"req/s ratio ActorMesh with access log/baseline: {f(ratio('actormesh-log', 'baseline'), '.3f')}")
if "actormesh" in summary and "nginx" in summary:
    a, n = summary["actormesh"]["cpu10k"], summary["nginx"]["cpu10k"]
    print(f"cpu-s/10k ratio ActorMesh/nginx: {f(a / n if n == n and n else float('nan'), '.3f')}")
PY

if [[ -n "$ACTORMESH_PID" ]] && ! kill -0 "$ACTORMESH_PID" 2>/dev/null; then
    log "ActorMesh died during the benchmark"
    exit 2
fi
