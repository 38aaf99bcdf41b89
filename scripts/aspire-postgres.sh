#!/usr/bin/env bash
# PostgreSQL as an Aspire executable resource (no container engine here): initialises DATA_DIR once, runs the
# server on $PGPORT (loopback only), sets the postgres password from $POSTGRES_PASSWORD (given by the AppHost as a
# secret parameter, never on a command line) and creates the sparkify database. SIGTERM becomes PostgreSQL's fast
# shutdown (SIGINT), so stopping does not wait for clients; so does this script's death. A previous server on the
# same folder that is still shutting down is waited for.
#   usage: PGPORT=... POSTGRES_PASSWORD=... scripts/aspire-postgres.sh DATA_DIR
set -euo pipefail

data=${1:?usage: aspire-postgres.sh DATA_DIR}
: "${PGPORT:?PGPORT is not set}"
: "${POSTGRES_PASSWORD:?POSTGRES_PASSWORD is not set}"
bin=$("$(dirname "$0")/ensure-postgres.sh")

as_owner() {
  if [[ $(id -u) -eq 0 ]]; then
    setpriv --reuid=postgres --regid=postgres --init-groups "$@"
  else
    "$@"
  fi
}

# A previous server on this data folder may still be shutting down (a run stopped a moment ago): wait for it rather
# than fail on its lock file, and stop it (fast) if it does not go by itself.
previous_pid=$(head -n 1 "$data/postmaster.pid" 2>/dev/null || true)
if [[ -n "$previous_pid" ]] && kill -0 "$previous_pid" 2>/dev/null; then
  echo "A previous PostgreSQL (pid $previous_pid) still runs on $data: waiting for it to stop..."
  for _ in $(seq 1 50); do
    kill -0 "$previous_pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$previous_pid" 2>/dev/null; then
    as_owner "$bin/pg_ctl" stop -D "$data" -m fast -w -t 30 >/dev/null || true
  fi
fi

mkdir -p "$data"
chmod 700 "$data"
[[ $(id -u) -eq 0 ]] && chown postgres:postgres "$data"
if [[ ! -f "$data/PG_VERSION" ]]; then
  as_owner "$bin/initdb" -D "$data" -U postgres --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C >/dev/null
fi

# --pdeathsig: if this script is killed outright, the server still gets its fast shutdown instead of lingering.
as_owner setpriv --pdeathsig INT -- "$bin/postgres" -D "$data" -p "$PGPORT" -k "$data" -c listen_addresses=127.0.0.1 &
pid=$!
trap 'kill -INT "$pid" 2>/dev/null || true' TERM INT

for _ in $(seq 1 150); do
  as_owner "$bin/pg_isready" -h "$data" -p "$PGPORT" -q && break
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "PostgreSQL did not start on $data (see its messages above)." >&2
    exit 1
  fi
  sleep 0.2
done
# The password travels through stdin, not argv.
as_owner psql -h "$data" -p "$PGPORT" -U postgres -d postgres -qAt -v ON_ERROR_STOP=1 >/dev/null <<SQL
ALTER USER postgres PASSWORD '${POSTGRES_PASSWORD}';
SELECT 'CREATE DATABASE sparkify' WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = 'sparkify') \gexec
SQL
echo "PostgreSQL ready on 127.0.0.1:$PGPORT (data: $data)"

wait "$pid" || true
wait "$pid" 2>/dev/null || true
