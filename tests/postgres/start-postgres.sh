#!/usr/bin/env bash
# Debian's PostgreSQL for tests/postgres: installed when missing, started, with a role that
# may create databases. Prints the URL for BROBYGGER_TEST_POSTGRES_URL (all else to stderr).
set -euo pipefail
# fd 3 = the caller's stdout, kept away from the server (a daemon holding it open would
# keep the caller's $(...) waiting forever).
exec 3>&1 1>&2
if [ "$(id -u)" = 0 ]; then SUDO=; as_postgres() { runuser -u postgres -- "$@"; }
else SUDO=sudo; as_postgres() { sudo -u postgres "$@"; }; fi

if ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
  $SUDO apt-get update
  $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends postgresql
fi
version=$(ls /usr/lib/postgresql | sort -V | tail -1)
pg_lsclusters -h | grep -q "^$version main " || $SUDO pg_createcluster "$version" main
pg_lsclusters -h | grep -q "^$version main .* online" || $SUDO pg_ctlcluster "$version" main start 3>&-
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" { print $3 }')
for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p "$port" && break; sleep 1; done
as_postgres psql -p "$port" -qtAc "SELECT 1 FROM pg_roles WHERE rolname = 'brobygger_test'" | grep -q 1 \
  || as_postgres psql -p "$port" -qc "CREATE ROLE brobygger_test LOGIN CREATEDB PASSWORD 'brobygger_test'"
echo "postgresql+psycopg://brobygger_test:brobygger_test@127.0.0.1:$port/postgres" >&3
