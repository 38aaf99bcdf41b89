#!/usr/bin/env bash
# A PostgreSQL server this project owns, for the local run: `start` (initialises it the first time, on a free
# loopback port, with a generated password; creates the database when missing) prints the connection string; `stop`
# stops it; `status` tells; `psql` opens a psql session on the database.
# State lives in $SPARKIFY_STATE_DIR (default: /var/lib/sparkify as root, else ~/.local/state/sparkify). The database
# is $SPARKIFY_DATABASE (default: sparkify; letters, digits, - and _): scripts/run-local.sh keeps one per data source.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
if [[ $(id -u) -eq 0 ]]; then
  state=${SPARKIFY_STATE_DIR:-/var/lib/sparkify}
else
  state=${SPARKIFY_STATE_DIR:-${XDG_STATE_HOME:-$HOME/.local/state}/sparkify}
fi
pgroot="$state/postgres"
data="$pgroot/data"
database=${SPARKIFY_DATABASE:-sparkify}
if [[ ! "$database" =~ ^[A-Za-z0-9_-]{1,63}$ ]]; then
  echo "error: SPARKIFY_DATABASE must be 1-63 letters, digits, - or _ (got '$database')" >&2
  exit 2
fi

as_owner() {
  # initdb and postgres refuse to run as root: run them as the postgres user then.
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups "$@"
  else
    "$@"
  fi
}

free_port() {
  local port
  for port in $(shuf -i 20000-60000 -n 50); do
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
      echo "$port"
      return 0
    fi
  done
  echo "error: no free loopback port found" >&2
  return 1
}

connection_string() {
  echo "Host=127.0.0.1;Port=$(cat "$pgroot/port");Username=postgres;Password=$(cat "$pgroot/password");Database=$database"
}

admin_psql() {
  PGPASSWORD=$(cat "$pgroot/password") psql -h 127.0.0.1 -p "$(cat "$pgroot/port")" -U postgres -d postgres -v ON_ERROR_STOP=1 "$@"
}

# Creates the database when missing, and says which it is (the name goes in as a psql variable, quoted by psql).
ensure_database() {
  if [[ -n $(admin_psql -tAq -v db="$database" <<< "SELECT 1 FROM pg_database WHERE datname = :'db'") ]]; then
    echo "Database $database: kept from an earlier run." >&2
  else
    admin_psql -q -v db="$database" <<< 'CREATE DATABASE :"db"'
    echo "Database $database: new." >&2
  fi
}

start() {
  local bin
  bin=$("$here/ensure-postgres.sh")
  mkdir -p "$pgroot"
  chmod 700 "$pgroot"
  if [[ ! -f "$data/PG_VERSION" ]]; then
    echo "Initialising a PostgreSQL cluster in $data" >&2
    head -c 18 /dev/urandom | base64 | tr -d '/+=' > "$pgroot/password"
    chmod 600 "$pgroot/password"
    [[ $(id -u) -eq 0 ]] && chown -R postgres:postgres "$pgroot"
    as_owner "$bin/initdb" -D "$data" -U postgres --auth=scram-sha-256 --pwfile="$pgroot/password" -E UTF8 --locale=C >/dev/null
  fi
  if ! as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    local port
    port=$(free_port)
    echo "$port" > "$pgroot/port"
    [[ $(id -u) -eq 0 ]] && chown postgres:postgres "$pgroot/port"
    as_owner "$bin/pg_ctl" -D "$data" -l "$pgroot/server.log" -w -t 60 \
      -o "-p $port -k $pgroot -c listen_addresses=127.0.0.1" start >/dev/null
    echo "PostgreSQL is running on 127.0.0.1:$port (log: $pgroot/server.log)" >&2
  fi
  ensure_database
  connection_string
}

stop() {
  local bin
  bin=$("$here/ensure-postgres.sh")
  if [[ -f "$data/PG_VERSION" ]] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
    echo "PostgreSQL stopped." >&2
  else
    echo "PostgreSQL is not running." >&2
  fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) bin=$("$here/ensure-postgres.sh"); as_owner "$bin/pg_ctl" -D "$data" status ;;
  psql) shift; PGPASSWORD=$(cat "$pgroot/password") exec psql -h 127.0.0.1 -p "$(cat "$pgroot/port")" -U postgres -d "$database" "$@" ;;
  *) echo "usage: $0 start|stop|status|psql [psql arguments]" >&2; exit 2 ;;
esac
