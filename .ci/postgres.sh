#!/usr/bin/env bash
# A real PostgreSQL on 127.0.0.1 for the shared-index tests (tests/test_index_postgres.py).
#
# Debian's `postgresql` package, one cluster started with pg_ctlcluster (the server refuses to
# run as root; pg_ctlcluster runs it as the postgres user), a role and a database for the tests.
# Idempotent: a second run, or a machine where the package, cluster, role or database exist
# already, just checks them and starts the cluster if it is down. Prints the index URL last:
#     eval "$(.ci/postgres.sh)"   # exports ARTICLEWATCH_TEST_POSTGRES
# Runs as root (CI does); elsewhere run it with sudo.
set -euo pipefail

PG_ROLE=${PG_ROLE:-aw}
PG_PASSWORD=${PG_PASSWORD:-aw}
PG_DATABASE=${PG_DATABASE:-articlewatch_test}

log() { echo "postgres.sh: $*" >&2; }

server_binary() { compgen -G '/usr/lib/postgresql/*/bin/postgres' | sort -V | tail -n 1; }

if [ -z "$(server_binary || true)" ] || ! command -v pg_ctlcluster >/dev/null; then
    log "installing Debian's postgresql package"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq >&2
    apt-get install -y -qq --no-install-recommends postgresql >&2
fi
binary=$(server_binary)
version=$(basename "$(dirname "$(dirname "$binary")")")

# The package creates cluster "main" unless told not to (create_main_cluster = false): make one if absent.
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main"' | grep -q .; then
    log "creating cluster $version/main"
    pg_createcluster "$version" main >&2
fi
port=$(pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $3}')
if ! pg_lsclusters -h | awk -v v="$version" '$1 == v && $2 == "main" {print $4}' | grep -q online; then
    log "starting cluster $version/main on port $port"
    pg_ctlcluster "$version" main start >&2
fi
for _ in $(seq 60); do
    pg_isready -q -h 127.0.0.1 -p "$port" && break
    sleep 0.5
done
pg_isready -h 127.0.0.1 -p "$port" >&2

as_postgres() { runuser -u postgres -- psql -X -q -v ON_ERROR_STOP=1 -p "$port" "$@"; }
# CREATEDB: the tests give each test module a database of its own.
as_postgres -d postgres >&2 <<SQL
SELECT format('CREATE ROLE %I LOGIN CREATEDB PASSWORD %L', '$PG_ROLE', '$PG_PASSWORD')
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$PG_ROLE') \gexec
ALTER ROLE "$PG_ROLE" LOGIN CREATEDB PASSWORD '$PG_PASSWORD';
SELECT format('CREATE DATABASE %I OWNER %I', '$PG_DATABASE', '$PG_ROLE')
WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE') \gexec
SQL
echo "export ARTICLEWATCH_TEST_POSTGRES=postgresql+psycopg://$PG_ROLE:$PG_PASSWORD@127.0.0.1:$port/$PG_DATABASE"
