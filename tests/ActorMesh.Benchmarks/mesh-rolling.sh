#!/usr/bin/env bash
# Rolling operations of a three-node mesh under load, as real processes on loopback (README "Rolling operations"):
#   (a) ten config versions applied in a row through node 1's POST /config while wrk drives every node: for each, the
#       time until all three nodes report it in /config_status; wrk's non-2xx responses and socket errors;
#   (b) each node restarted in turn (SIGTERM, exit 0, start again, serving) under the same load: the errors seen by
#       the clients of the restarted node and by the clients of the others.
# Nodes: 127.0.0.1–3 (every 127/8 address is the loopback on Linux); upstreams: nginx on 127.0.0.1. Needs root only
# to install wrk/nginx when missing. Every process it starts is stopped by PID on exit.
set -euo pipefail

SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$SCRIPT_DIR/../.." && pwd)"

VERSIONS="${VERSIONS:-10}"
CONNECTIONS="${CONNECTIONS:-8}"        # wrk connections per node (2-core machines: three nodes, three wrk, nginx)
DRAIN_TIME_S="${DRAIN_TIME_S:-10}"
READY_TIMEOUT_S="${READY_TIMEOUT_S:-90}"
LISTENER_PORT=18500
ADMIN_PORT=18600
CLUSTER_PORT=18700
BLUE_PORT=18181
GREEN_PORT=18182
NODES=(127.0.0.1 127.0.0.2 127.0.0.3)

log() { printf '[mesh %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# ---------------------------------------------------------------- tools
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
command -v nginx >/dev/null 2>&1 || need+=(nginx)
if ((${#need[@]})); then
    [[ $(id -u) -eq 0 ]] || die "missing ${need[*]} and not root; install them or rerun as root"
    log "installing ${need[*]} from Debian"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
for t in wrk nginx dotnet curl python3; do command -v "$t" >/dev/null 2>&1 || die "required tool '$t' not found"; done

# ---------------------------------------------------------------- processes we own, stopped by PID on exit
WORK="$(mktemp -d -t actormesh-mesh.XXXXXX)"
declare -A NODE_PID=()
NGINX_PID=""
WRK_PIDS=()

stop_pid() { # stop_pid PID SIGNAL: signal, wait up to 30 s, then SIGKILL
    local pid="$1" sig="$2" i
    [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null || return 0
    kill "-$sig" "$pid" 2>/dev/null || true
    for ((i = 0; i < 300; i++)); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null || true
}

cleanup() {
    local pid
    for pid in "${WRK_PIDS[@]}"; do stop_pid "$pid" INT; done
    for pid in "${NODE_PID[@]}"; do stop_pid "$pid" TERM; done
    [[ -n "$NGINX_PID" ]] && stop_pid "$NGINX_PID" QUIT
    if [[ -n "${KEEP_WORK:-}" ]]; then log "logs kept in $WORK"; else rm -rf "$WORK"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

port_free() { ! (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }
for n in "${NODES[@]}"; do
    for p in $LISTENER_PORT $ADMIN_PORT $CLUSTER_PORT; do port_free "$n" "$p" || die "$n:$p is in use"; done
done
for p in $BLUE_PORT $GREEN_PORT; do port_free 127.0.0.1 "$p" || die "127.0.0.1:$p is in use"; done

# ---------------------------------------------------------------- build once
log "publishing the node (Release)"
dotnet publish "$REPO/src/ActorMesh.Node" -c Release -o "$WORK/node" --nologo -v quiet >"$WORK/publish.log" 2>&1 ||
    { cat "$WORK/publish.log" >&2; die "publish failed"; }
NODE_DLL="$WORK/node/actormesh.dll"

# ---------------------------------------------------------------- upstreams: one nginx, two servers (blue, green)
mkdir -p "$WORK/nginx"
cat >"$WORK/nginx/nginx.conf" <<NGINX
daemon off;
master_process on;
worker_processes 1;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 4096; }
http {
    access_log off;
    keepalive_requests 1000000;
    client_body_temp_path $WORK/nginx; proxy_temp_path $WORK/nginx; fastcgi_temp_path $WORK/nginx;
    uwsgi_temp_path $WORK/nginx; scgi_temp_path $WORK/nginx;
    server { listen 127.0.0.1:$BLUE_PORT; location / { return 200 "blue\n"; } }
    server { listen 127.0.0.1:$GREEN_PORT; location / { return 200 "green\n"; } }
}
NGINX
nginx -c "$WORK/nginx/nginx.conf" -p "$WORK/nginx" &
NGINX_PID=$!

# ---------------------------------------------------------------- config versions: weighted routing blue/green
version_yaml() { # version_yaml N: blue gets 50+N %, green the rest, and /vN answers only in version N
    local n="$1" blue=$((50 + $1)) green=$((50 - $1))
    cat <<YAML
static_resources:
  listeners:
  - name: web
    address:
      socket_address: { address: 0.0.0.0, port_value: $LISTENER_PORT }
    filter_chains:
    - filters:
      - name: envoy.filters.network.http_connection_manager
        typed_config:
          "@type": type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager
          stat_prefix: web
          route_config:
            name: web_routes
            virtual_hosts:
            - name: all
              domains: ["*"]
              routes:
              - match: { path: "/v$n" }
                route: { cluster: blue }
              - match: { prefix: "/" }
                route:
                  weighted_clusters:
                    clusters:
                    - { name: blue, weight: $blue }
                    - { name: green, weight: $green }
          http_filters:
          - name: envoy.filters.http.router
  clusters:
  - name: blue
    connect_timeout: 1s
    load_assignment:
      cluster_name: blue
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $BLUE_PORT } } }
  - name: green
    connect_timeout: 1s
    load_assignment:
      cluster_name: green
      endpoints:
      - lb_endpoints:
        - endpoint: { address: { socket_address: { address: 127.0.0.1, port_value: $GREEN_PORT } } }
YAML
}
version_yaml 1 >"$WORK/v1.yaml"

# ---------------------------------------------------------------- nodes
SEEDS=()
for n in "${NODES[@]}"; do SEEDS+=(--seed "akka.tcp://actormesh@$n:$CLUSTER_PORT"); done

start_node() { # start_node INDEX (0-based); node 1 offers v1.yaml to an empty store
    local i="$1" ip="${NODES[$1]}" extra=()
    ((i == 0)) && extra=(-c "$WORK/v1.yaml")
    dotnet "$NODE_DLL" "${extra[@]}" --cluster-host "$ip" --cluster-port "$CLUSTER_PORT" "${SEEDS[@]}" \
        --data-dir "$WORK/data$((i + 1))" --admin-address "$ip:$ADMIN_PORT" --bind-address "$ip" \
        --cmd-host "$ip" --drain-time-s "$DRAIN_TIME_S" --log-level warning >>"$WORK/node$((i + 1)).log" 2>&1 &
    NODE_PID[$i]=$!
}

node_version() { # the version a node reports as its own in /config_status (empty if it does not answer)
    curl -s -m 2 "http://${NODES[$1]}:$ADMIN_PORT/config_status" 2>/dev/null |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["version_info"])' 2>/dev/null || true
}

wait_serving() { # wait_serving INDEX VERSION: /ready LIVE, the listener answers 200, and it serves VERSION
    local i="$1" want="$2" deadline=$(( $(date +%s) + READY_TIMEOUT_S )) ip="${NODES[$1]}"
    while (( $(date +%s) < deadline )); do
        kill -0 "${NODE_PID[$i]}" 2>/dev/null || { tail -20 "$WORK/node$((i + 1)).log" >&2; die "node $((i + 1)) exited"; }
        if [[ "$(curl -s -m 2 "http://$ip:$ADMIN_PORT/ready" 2>/dev/null)" == LIVE* ]] &&
           [[ "$(curl -s -m 2 -o /dev/null -w '%{http_code}' "http://$ip:$LISTENER_PORT/" 2>/dev/null)" == 200 ]] &&
           [[ "$(node_version "$i")" == "$want" ]]; then
            return 0
        fi
        sleep 0.2
    done
    tail -20 "$WORK/node$((i + 1)).log" >&2
    die "node $((i + 1)) did not serve version $want within ${READY_TIMEOUT_S}s"
}

log "starting nginx (blue :$BLUE_PORT, green :$GREEN_PORT) and three nodes on ${NODES[*]}"
start_node 0
wait_serving 0 1
start_node 1; start_node 2
wait_serving 1 1; wait_serving 2 1

# ---------------------------------------------------------------- wrk at every node
start_wrk() { # start_wrk TAG: one wrk per node, running until stopped with SIGINT (it then prints its summary)
    local tag="$1" i
    WRK_PIDS=()
    for i in 0 1 2; do
        wrk -t1 -c"$CONNECTIONS" -d3600s "http://${NODES[$i]}:$LISTENER_PORT/" >"$WORK/wrk-$tag-$((i + 1)).txt" 2>&1 &
        WRK_PIDS+=($!)
    done
    sleep 2   # let every connection open and warm before measuring anything
}
stop_wrk() {
    local pid
    for pid in "${WRK_PIDS[@]}"; do kill -INT "$pid" 2>/dev/null || true; done
    for pid in "${WRK_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
    WRK_PIDS=()
}
wrk_counts() { # wrk_counts FILE -> "requests non2xx socket_errors"
    python3 - "$1" <<'PY'
import re, sys
t = open(sys.argv[1]).read()
req = re.search(r'(\d+) requests in', t)
non2xx = re.search(r'Non-2xx or 3xx responses: (\d+)', t)
sock = re.search(r'Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)', t)
print(req.group(1) if req else "?", non2xx.group(1) if non2xx else 0,
      sum(map(int, sock.groups())) if sock else 0, "/".join(sock.groups()) if sock else "0/0/0/0")
PY
}

# ---------------------------------------------------------------- (a) ten versions in a row
apply_and_time() { # apply_and_time N: POST version N to node 1, then ms until all three nodes report it (one python
    # process polling every 5 ms: a curl per poll would add tens of ms of process start-up under load to every figure)
    python3 - "$1" "$WORK/v$1.yaml" "http://${NODES[0]}:$ADMIN_PORT/config" \
        "http://${NODES[0]}:$ADMIN_PORT/config_status" "http://${NODES[1]}:$ADMIN_PORT/config_status" \
        "http://${NODES[2]}:$ADMIN_PORT/config_status" <<'PY'
import json, sys, time, urllib.request
want, yaml, post, statuses = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
start = time.monotonic()
try:
    with urllib.request.urlopen(urllib.request.Request(post, data=open(yaml, "rb").read(), method="POST"), timeout=15) as r:
        r.read()
except Exception as e:
    print(f"POST /config failed: {e}"); sys.exit(1)
def version(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return json.load(r)["version_info"]
    except Exception:
        return None
while True:
    if all(version(u) == want for u in statuses):
        print(round((time.monotonic() - start) * 1000)); sys.exit(0)
    if time.monotonic() - start > 10:
        print("not on every node within 10 s"); sys.exit(1)
    time.sleep(0.005)
PY
}

log "(a) applying $VERSIONS versions through node 1 under load ($CONNECTIONS connections per node)"
start_wrk versions
times=()
for ((k = 2; k <= VERSIONS + 1; k++)); do
    version_yaml "$k" >"$WORK/v$k.yaml"
    took=$(apply_and_time "$k") || die "version $k: $took"
    times+=("$took")
done
sleep 1
stop_wrk
LAST=$((VERSIONS + 1))

a_non2xx=0; a_sock=0; a_req=0
for i in 1 2 3; do
    read -r req non2xx sock detail < <(wrk_counts "$WORK/wrk-versions-$i.txt")
    log "    node $i: $req requests, non-2xx $non2xx, socket errors $sock (connect/read/write/timeout $detail)"
    a_req=$((a_req + req)); a_non2xx=$((a_non2xx + non2xx)); a_sock=$((a_sock + sock))
done
read -r median max < <(printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)], a[NR]}')

# ---------------------------------------------------------------- (b) rolling restart
log "(b) restarting the nodes one by one under load (SIGTERM, exit 0, start, serving version $LAST)"
b_lines=()
b_other_errors=0; b_non2xx=0; others=""
for i in 0 1 2; do
    start_wrk "restart$((i + 1))"
    t0=$(now_ms)
    kill -TERM "${NODE_PID[$i]}"
    set +e; wait "${NODE_PID[$i]}"; rc=$?; set -e
    t_exit=$(now_ms)
    [[ "$rc" == 0 ]] || die "node $((i + 1)) exited $rc after SIGTERM"
    start_node "$i"
    wait_serving "$i" "$LAST"
    t_back=$(now_ms)
    sleep 1
    stop_wrk
    for j in 1 2 3; do
        read -r req non2xx sock detail < <(wrk_counts "$WORK/wrk-restart$((i + 1))-$j.txt")
        b_non2xx=$((b_non2xx + non2xx))
        if ((j == i + 1)); then
            own="clients of node $j: $req requests, non-2xx $non2xx, socket errors $sock (connect/read/write/timeout $detail)"
        else
            b_other_errors=$((b_other_errors + sock))
            others+=" node $j: $req req, $non2xx non-2xx, $sock errors;"
        fi
    done
    b_lines+=("node $((i + 1)): exit 0 after $(( (t_exit - t0) ))ms (drain + leave), serving again $(( t_back - t_exit ))ms later; $own; others:${others:-}")
    others=""
done

# ---------------------------------------------------------------- summary
echo
echo "=== mesh-rolling summary (3 nodes, $CONNECTIONS wrk connections each, $(nproc) cores) ==="
echo "(a) $VERSIONS versions through node 1's POST /config, until all three report it in /config_status:"
echo "    propagation ms: ${times[*]}"
echo "    median ${median} ms, max ${max} ms"
echo "    wrk: $a_req requests, non-2xx $a_non2xx, socket errors $a_sock"
echo "(b) rolling restart:"
for line in "${b_lines[@]}"; do echo "    $line"; done
echo "    non-2xx (all clients) $b_non2xx; socket errors at the nodes not being restarted $b_other_errors"
echo "    (the restarted node's own clients see connect errors while it is down: there is no load balancer in front)"
if ((a_non2xx == 0 && a_sock == 0 && b_non2xx == 0 && b_other_errors == 0)); then
    echo "RESULT: PASS"
else
    echo "RESULT: FAIL"
    exit 1
fi
