#!/usr/bin/env bash
# Throwaway PostgreSQL, Redis and a three-master Redis Cluster on loopback for the test suite.
#
#   scripts/services.sh start [pg|redis|cluster]...  start them (default: all; idempotent),
#                                                     write .services/env
#   scripts/services.sh stop [pg|redis|cluster]...   stop what `start` started (by pidfile),
#                                                     drop their data (default: all)
#   scripts/services.sh env     print the exports, for: eval "$(scripts/services.sh env)"
#   scripts/services.sh status  say what runs; exit 0 if any server is up
#
# State lives in .services/ at the repository root (gitignored), or in $JWTFLOW_SERVICES_DIR
# (a second, independent set of servers). With CI=true a server that cannot be started is an
# error; elsewhere it is a warning and its variable is left out, so the tests that need it skip
# instead of failing.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE="${JWTFLOW_SERVICES_DIR:-$ROOT/.services}"
ENV_FILE="$STATE/env"
PG_USER=postgres

log() { printf 'services: %s\n' "$*" >&2; }

# A server that will not start fails CI but only warns on a developer's machine.
give_up() {
  if [[ "${CI:-}" == "true" ]]; then
    log "ERROR: $*"
    exit 1
  fi
  log "WARNING: $* (continuing without it; tests that need it will skip)"
}

# Ask the kernel for a free loopback port; the tiny race until the server binds is acceptable.
free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# N loopback ports p, each free together with p + 10000 (a Redis Cluster node's bus port on
# Redis < 7); all are held until every one is found, so they are distinct.
free_cluster_ports() {
  python3 - "$1" <<'EOF'
import socket, sys
held, found = [], []
while len(found) < int(sys.argv[1]):
    client = socket.socket()
    client.bind(("127.0.0.1", 0))
    port = client.getsockname()[1]
    held.append(client)
    if port + 10000 > 65535:
        continue
    bus = socket.socket()
    try:
        bus.bind(("127.0.0.1", port + 10000))
    except OSError:
        continue
    held.append(bus)
    found.append(port)
print(*found)
EOF
}

# Is this pid alive and running the named program? Guards against killing a reused pid.
pid_is() {
  local pid="$1" name="$2"
  [[ -n "$pid" && -r "/proc/$pid/cmdline" ]] && tr '\0' ' ' <"/proc/$pid/cmdline" | grep -q "$name"
}

APT_UPDATED=""
apt_install() {
  if [[ $EUID -ne 0 ]] || ! command -v apt-get >/dev/null; then
    return 1
  fi
  if [[ -z "$APT_UPDATED" ]]; then
    log "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 || return 1
    APT_UPDATED=1
  fi
  log "apt-get install $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >&2
}

# ---------------------------------------------------------------- PostgreSQL

# Newest installed major version, e.g. /usr/lib/postgresql/15/bin.
pg_bindir() {
  local dir
  dir="$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)"
  [[ -n "$dir" && -x "$dir/initdb" ]] && printf '%s\n' "$dir"
}

# initdb refuses to run as root, so as root the server runs as the `postgres` user.
as_pg() {
  if [[ $EUID -eq 0 ]]; then
    # From / so that the postgres user is not refused our (maybe private) working directory.
    (cd / && runuser -u "$PG_USER" -- "$@")
  else
    "$@"
  fi
}

# Where the cluster lives. Normally .services/pg, but the postgres user must be able to reach
# it (a clone under /root is not) and the socket path must fit in 107 bytes; otherwise use a
# private directory under /tmp and remember its path in .services/pg.dir.
pg_home() {
  if [[ -f "$STATE/pg.dir" ]]; then
    cat "$STATE/pg.dir"
    return
  fi
  local home="$STATE/pg"
  mkdir -p "$home"
  [[ $EUID -eq 0 ]] && chown "$PG_USER:" "$home"
  if ((${#home} > 80)) || ! as_pg test -w "$home"; then
    rmdir "$home"
    home="$(mktemp -d /tmp/jwtflow-pg.XXXXXX)"
    [[ $EUID -eq 0 ]] && chown "$PG_USER:" "$home"
  fi
  printf '%s\n' "$home" >"$STATE/pg.dir"
  printf '%s\n' "$home"
}

pg_running() {
  local home bindir
  [[ -f "$STATE/pg.dir" && -f "$STATE/pg.port" ]] || return 1
  bindir="$(pg_bindir)" || return 1
  home="$(cat "$STATE/pg.dir")"
  as_pg "$bindir/pg_ctl" status -D "$home/data" >/dev/null 2>&1
}

pg_start() {
  local bindir home port
  if pg_running; then
    log "PostgreSQL already running on port $(cat "$STATE/pg.port")"
    return 0
  fi
  if ! bindir="$(pg_bindir)"; then
    apt_install postgresql || true
    bindir="$(pg_bindir)" || { give_up "PostgreSQL binaries not found and could not be installed"; return 1; }
  fi
  if [[ $EUID -eq 0 ]] && ! id "$PG_USER" >/dev/null 2>&1; then
    give_up "user '$PG_USER' is missing (it comes with the postgresql package)"
    return 1
  fi
  pg_forget
  home="$(pg_home)"
  port="$(free_port)"
  # Throwaway cluster: superuser `postgres`, trust auth, no fsync; it is rebuilt on every start.
  as_pg "$bindir/initdb" -D "$home/data" -U "$PG_USER" --auth=trust -E UTF8 --no-sync \
    >"$STATE/logs/initdb.log" 2>&1 || {
    give_up "initdb failed, see $STATE/logs/initdb.log"
    return 1
  }
  mkdir -p "$home/run" && [[ $EUID -eq 0 ]] && chown "$PG_USER:" "$home/run"
  cat >>"$home/data/postgresql.conf" <<EOF

# jwtflow test server: loopback only, socket kept private, speed over durability.
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$home/run'
fsync = off
synchronous_commit = off
full_page_writes = off
EOF
  if ! as_pg "$bindir/pg_ctl" start -D "$home/data" -l "$home/postgres.log" -w -t 60 >/dev/null; then
    cp "$home/postgres.log" "$STATE/logs/postgres.log" 2>/dev/null || true
    give_up "PostgreSQL did not start, see $STATE/logs/postgres.log"
    return 1
  fi
  for _ in $(seq 1 60); do
    if "$bindir/pg_isready" -q -h 127.0.0.1 -p "$port" -U "$PG_USER"; then
      echo "$port" >"$STATE/pg.port"
      log "PostgreSQL $("$bindir/postgres" --version | awk '{print $3}') on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.5
  done
  give_up "PostgreSQL started but does not answer on 127.0.0.1:$port"
  return 1
}

pg_stop() {
  local bindir home
  [[ -f "$STATE/pg.dir" ]] || return 0
  home="$(cat "$STATE/pg.dir")"
  if bindir="$(pg_bindir)" && [[ -f "$home/data/postmaster.pid" ]]; then
    as_pg "$bindir/pg_ctl" stop -D "$home/data" -m fast -w -t 60 >/dev/null 2>&1 || true
    log "PostgreSQL stopped"
  fi
  pg_forget
}

# Keep the server log for debugging, then drop the cluster and its bookkeeping.
pg_forget() {
  local home
  [[ -f "$STATE/pg.dir" ]] || return 0
  home="$(cat "$STATE/pg.dir")"
  cp "$home/postgres.log" "$STATE/logs/postgres.log" 2>/dev/null || true
  rm -rf "$home" "$STATE/pg.dir" "$STATE/pg.port"
}

# ---------------------------------------------------------------- Redis

redis_pid() { cat "$STATE/redis/redis.pid" 2>/dev/null || true; }

redis_ping() {
  python3 - "$1" <<'EOF'
import socket, sys
try:
    with socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1) as s:
        s.sendall(b"PING\r\n")
        sys.exit(0 if s.recv(16).startswith(b"+PONG") else 1)
except OSError:
    sys.exit(1)
EOF
}

redis_start() {
  local port
  if pid_is "$(redis_pid)" redis-server && [[ -f "$STATE/redis.port" ]] \
    && redis_ping "$(cat "$STATE/redis.port")"; then
    log "Redis already running on port $(cat "$STATE/redis.port")"
    return 0
  fi
  if ! command -v redis-server >/dev/null; then
    apt_install redis-server || true
    command -v redis-server >/dev/null || {
      give_up "redis-server not found and could not be installed"
      return 1
    }
  fi
  rm -rf "$STATE/redis" "$STATE/redis.port"
  mkdir -p "$STATE/redis"
  port="$(free_port)"
  # In memory only: no RDB snapshots, no AOF.
  if ! redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no \
    --daemonize yes --dir "$STATE/redis" --pidfile "$STATE/redis/redis.pid" \
    --logfile "$STATE/logs/redis.log" >/dev/null; then
    give_up "redis-server did not start, see $STATE/logs/redis.log"
    return 1
  fi
  for _ in $(seq 1 40); do
    if redis_ping "$port"; then
      echo "$port" >"$STATE/redis.port"
      log "Redis $(redis-server --version | awk '{print $3}' | cut -d= -f2) on 127.0.0.1:$port"
      return 0
    fi
    sleep 0.25
  done
  give_up "Redis started but does not answer on 127.0.0.1:$port"
  return 1
}

redis_stop() {
  local pid
  pid="$(redis_pid)"
  if pid_is "$pid" redis-server; then
    kill "$pid"
    for _ in $(seq 1 40); do
      pid_is "$pid" redis-server || break
      sleep 0.25
    done
    log "Redis stopped"
  fi
  rm -rf "$STATE/redis" "$STATE/redis.port"
}

# ---------------------------------------------------------------- Redis Cluster

CLUSTER_NODES=3

cluster_ports() { cat "$STATE/cluster.ports" 2>/dev/null || true; }

# Every node is up and says all 16384 slots are served.
cluster_ok() {
  local port
  [[ -f "$STATE/cluster.ports" ]] || return 1
  for port in $(cluster_ports); do
    redis-cli -h 127.0.0.1 -p "$port" cluster info 2>/dev/null | grep -q '^cluster_state:ok' \
      || return 1
  done
}

cluster_start() {
  local ports port dir i
  if cluster_ok; then
    log "Redis Cluster already running on ports $(cluster_ports)"
    return 0
  fi
  if ! command -v redis-server >/dev/null || ! command -v redis-cli >/dev/null; then
    apt_install redis-server redis-tools || true
    command -v redis-server >/dev/null && command -v redis-cli >/dev/null || {
      give_up "redis-server/redis-cli not found and could not be installed"
      return 1
    }
  fi
  cluster_stop quietly
  read -r -a ports <<<"$(free_cluster_ports "$CLUSTER_NODES")"
  for i in "${!ports[@]}"; do
    port="${ports[$i]}"
    dir="$STATE/cluster/node-$i"
    mkdir -p "$dir"
    # In memory only, like the single server; the bus port is the default, port + 10000.
    if ! redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
      --cluster-config-file "$dir/nodes.conf" --cluster-node-timeout 5000 \
      --save '' --appendonly no --daemonize yes --dir "$dir" --pidfile "$dir/redis.pid" \
      --logfile "$STATE/logs/redis-cluster-$i.log" >/dev/null; then
      give_up "Redis Cluster node $i did not start, see $STATE/logs/redis-cluster-$i.log"
      cluster_stop quietly
      return 1
    fi
  done
  for port in "${ports[@]}"; do
    for _ in $(seq 1 40); do
      redis_ping "$port" && break
      sleep 0.25
    done
  done
  echo "${ports[*]}" >"$STATE/cluster.ports"
  if ! redis-cli --cluster create "${ports[@]/#/127.0.0.1:}" --cluster-replicas 0 \
    --cluster-yes >"$STATE/logs/redis-cluster-create.log" 2>&1; then
    give_up "redis-cli --cluster create failed, see $STATE/logs/redis-cluster-create.log"
    cluster_stop quietly
    return 1
  fi
  # The nodes agree on the slot map a moment after `create` returns.
  for _ in $(seq 1 80); do
    if cluster_ok; then
      log "Redis Cluster of $CLUSTER_NODES masters on 127.0.0.1:${ports[*]}"
      return 0
    fi
    sleep 0.25
  done
  give_up "Redis Cluster started but cluster_state is not ok on ports ${ports[*]}"
  cluster_stop quietly
  return 1
}

cluster_stop() {
  local pidfile pid stopped=""
  for pidfile in "$STATE"/cluster/node-*/redis.pid; do
    [[ -f "$pidfile" ]] || continue
    pid="$(cat "$pidfile")"
    if pid_is "$pid" redis-server; then
      kill "$pid"
      for _ in $(seq 1 40); do
        pid_is "$pid" redis-server || break
        sleep 0.25
      done
      stopped=1
    fi
  done
  [[ -n "$stopped" && "${1:-}" != quietly ]] && log "Redis Cluster stopped"
  rm -rf "$STATE/cluster" "$STATE/cluster.ports"
}

# ---------------------------------------------------------------- commands

# The services a start or stop names (all three by default), checked before anything runs.
SERVICES=(pg redis cluster)
selected() {
  local name
  (($# > 0)) || set -- "${SERVICES[@]}"
  for name in "$@"; do
    case "$name" in
      pg | redis | cluster) echo "$name" ;;
      *)
        echo "unknown service '$name'; expected: ${SERVICES[*]}" >&2
        return 1
        ;;
    esac
  done
}

write_env() {
  {
    echo "# Written by scripts/services.sh start; source it or eval \"\$(scripts/services.sh env)\"."
    if [[ -f "$STATE/pg.port" ]]; then
      echo "export JWTFLOW_TEST_PG_HOST=127.0.0.1"
      echo "export JWTFLOW_TEST_PG_PORT=$(cat "$STATE/pg.port")"
      echo "export JWTFLOW_TEST_PG_USER=$PG_USER"
    fi
    if [[ -f "$STATE/redis.port" ]]; then
      echo "export JWTFLOW_TEST_REDIS_URL=redis://127.0.0.1:$(cat "$STATE/redis.port")/0"
    fi
    if [[ -f "$STATE/cluster.ports" ]]; then
      # One seed node is enough: a cluster client discovers the others.
      echo "export JWTFLOW_TEST_REDIS_CLUSTER_URL=redis://127.0.0.1:$(cut -d' ' -f1 "$STATE/cluster.ports")"
    fi
  } >"$ENV_FILE"
}

case "${1:-}" in
  start)
    names="$(selected "${@:2}")"
    mkdir -p "$STATE/logs"
    for name in $names; do
      "${name}_start" || true
    done
    write_env
    ;;
  stop)
    names="$(selected "${@:2}")"
    for name in $names; do
      "${name}_stop"
    done
    # Keep the exports of whatever still runs; without any, there is nothing to source.
    if compgen -G "$STATE/*.port*" >/dev/null; then
      write_env
    else
      rm -f "$ENV_FILE"
    fi
    ;;
  env)
    if [[ ! -f "$ENV_FILE" ]]; then
      log "not started; run: $0 start"
      exit 1
    fi
    cat "$ENV_FILE"
    ;;
  status)
    up=1
    if pg_running; then
      log "PostgreSQL running on port $(cat "$STATE/pg.port")" && up=0
    fi
    if pid_is "$(redis_pid)" redis-server && [[ -f "$STATE/redis.port" ]]; then
      log "Redis running on port $(cat "$STATE/redis.port")" && up=0
    fi
    if cluster_ok; then
      log "Redis Cluster running on ports $(cluster_ports)" && up=0
    fi
    ((up == 0)) || log "nothing running"
    exit "$up"
    ;;
  *)
    echo "usage: $0 start|stop [pg|redis|cluster]... | env | status" >&2
    exit 2
    ;;
esac
