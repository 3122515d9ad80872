#!/usr/bin/env bash
# Installs the Debian packages MeterScan builds and runs against, skipping those present.
# With --tests, also what the test suite needs beyond that (a PostgreSQL server to start a
# throwaway cluster from).
set -euo pipefail

packages=(
    libjpeg-dev        # libjpeg-turbo headers (CCodecs)
    libpng-dev         # libpng headers (CCodecs)
    libtesseract-dev   # Tesseract C API (CTesseract)
    tesseract-ocr-eng  # stock English model, the fallback recogniser
    libsqlite3-dev     # SQLite headers (GRDB, the embedded store)
    sqlite3            # the sqlite3 shell, used by the store tests to tamper with a database
)
if [[ ${1:-} == --tests ]]; then
    packages+=(
        postgresql     # server binaries and psql: the PostgreSQL store tests (scripts/with-postgres.sh)
    )
fi

missing=()
for package in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$package")
    fi
done

if ((${#missing[@]})); then
    echo "Installing: ${missing[*]}" >&2
    apt_get=(apt-get)
    if [[ $(id -u) -ne 0 ]]; then apt_get=(sudo apt-get); fi
    "${apt_get[@]}" update -qq
    DEBIAN_FRONTEND=noninteractive "${apt_get[@]}" install -y -qq --no-install-recommends "${missing[@]}" >&2
fi
