#!/usr/bin/env bash
# Builds and installs scalinglaw, then fits and predicts on a temporary
# cluster (Debian's pg_virtualenv) with data the demo makes itself.
set -euo pipefail
cd "$(dirname "$0")/.."
bash test/install_deps.sh
make -s
make -s install
pg_virtualenv -v 15 psql -X -v ON_ERROR_STOP=1 -f test/demo.sql
