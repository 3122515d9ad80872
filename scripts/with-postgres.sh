#!/usr/bin/env bash
# Runs a command beside a throwaway PostgreSQL cluster: initdb as an unprivileged user into a
# temporary directory, a server on 127.0.0.1 at a random free port, METERSCAN_TEST_POSTGRES_URL
# pointing at it; the cluster is stopped and removed when the command ends, however it ends.
#   bash scripts/with-postgres.sh swift test
set -euo pipefail

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
    echo "with-postgres: PostgreSQL is not installed (scripts/install-deps.sh installs it)" >&2
    exit 2
fi

cluster=$(mktemp -d /tmp/meterscan-pg.XXXXXX)
# The server refuses to run as root: as root, it runs as the 'postgres' user the package made
# (from inside the cluster folder, since that user may not enter the current directory).
runner=()
if [ "$(id -u)" = 0 ]; then
    chown postgres "$cluster"
    runner=(runuser -u postgres --)
fi
as_owner() { (cd "$cluster" && "${runner[@]}" "$@"); }

stop_cluster() {
    as_owner "$bin/pg_ctl" -D "$cluster/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$cluster"
}
trap stop_cluster EXIT

as_owner "$bin/initdb" -D "$cluster/data" -U meterscan --auth=trust -E UTF8 --no-sync >"$cluster/initdb.log" 2>&1 \
    || { cat "$cluster/initdb.log" >&2; exit 2; }

started=
for attempt in 1 2 3 4 5; do
    port=$(( 20000 + RANDOM % 40000 ))
    if as_owner "$bin/pg_ctl" -D "$cluster/data" -l "$cluster/server.log" -w -t 30 \
        -o "-c listen_addresses=127.0.0.1 -p $port -k $cluster -c fsync=off -c max_connections=200" start >/dev/null; then
        started=yes
        break
    fi
done
if [ -z "$started" ]; then
    echo "with-postgres: the server did not start:" >&2
    cat "$cluster/server.log" >&2
    exit 2
fi

"$bin/createdb" -h 127.0.0.1 -p "$port" -U meterscan meterscan
export METERSCAN_TEST_POSTGRES_URL="postgres://meterscan@127.0.0.1:$port/meterscan"
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
