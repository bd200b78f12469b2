#!/usr/bin/env bash
# Installs what building, testing and benchmarking scalinglaw need on Debian 12
# (run as root).
set -euo pipefail
if [ "$(id -u)" -ne 0 ]; then
  echo "install_deps.sh: run as root (sudo)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
apt-get install -y -q --no-install-recommends \
  build-essential postgresql-15 postgresql-server-dev-15 postgresql-contrib liblapacke-dev \
  postgresql-15-cron python3 python3-numpy python3-scipy python3-psycopg2 \
  postgresql-plpython3-15 >/dev/null
# hostile-input testing: libFuzzer (clang 14 and its runtime), valgrind
apt-get install -y -q --no-install-recommends clang libclang-rt-14-dev valgrind >/dev/null
# regenerating test/core/t_quantiles.h (gen_t_quantiles.py; not run by the tests)
apt-get install -y -q --no-install-recommends python3-mpmath >/dev/null

# the plots' browser test (test/plots): headless chromium renders the SVG and
# HTML documents, python3-pil reads the screenshots, fonts-dejavu-core is the
# font the figures name first
apt-get install -y -q --no-install-recommends chromium python3-pil fonts-dejavu-core >/dev/null
