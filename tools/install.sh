#!/usr/bin/env bash
# Set up everything specgroups needs on a fresh Debian machine with Python 3.11:
# GPAW's system libraries (apt, only when missing), the virtual environment .venv,
# and the pinned Python dependencies including GPAW, built from source.
set -euo pipefail
cd "$(dirname "$0")/.."

# GPAW's build needs the first four; chromium renders the report in the browser test
system_packages=(libxc-dev libopenblas-dev libfftw3-dev pkg-config chromium)
missing=()
for package in "${system_packages[@]}"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
# npm fetches the plotting libraries `dvc plots show` inlines (any nodejs that ships npm will do)
command -v npm >/dev/null 2>&1 || missing+=(npm)
if [ ${#missing[@]} -gt 0 ]; then
    echo "installing system packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

python=${PYTHON:-$(command -v python3.11 || command -v python3)}
if ! "$python" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))'; then
    echo "error: Python 3.11 is required ($python is $("$python" --version 2>&1))" >&2
    exit 1
fi
[ -x .venv/bin/python ] || "$python" -m venv .venv

# GPAW compiles its C sources with g++ here (see tools/gpaw_siteconfig.py).
export GPAW_CONFIG="$PWD/tools/gpaw_siteconfig.py"
.venv/bin/python -m pip install --quiet --upgrade "pip>=24"
.venv/bin/python -m pip install --quiet -e ".[test,firstprinciples,benchmark,docs]"
.venv/bin/python -m pip check

# vega, vega-lite and vega-embed at the versions of tools/plots/package-lock.json, inlined into
# the HTML template .dvc/config names, so the page `dvc plots show` writes draws offline
mkdir -p .venv/dvc-plots
cp tools/plots/package.json tools/plots/package-lock.json .venv/dvc-plots/
npm ci --prefix .venv/dvc-plots --no-audit --no-fund --loglevel=error
.venv/bin/python tools/plots_template.py --node-modules .venv/dvc-plots/node_modules --output .venv/dvc-plots/template.html

# moto's S3 server for the remote tests, in its own environment: its botocore pin
# clashes with the aiobotocore that dvc-s3 needs.
[ -x .venv-moto/bin/python ] || "$python" -m venv .venv-moto
.venv-moto/bin/python -m pip install --quiet --upgrade "pip>=24"
.venv-moto/bin/python -m pip install --quiet "moto[server]==5.2.5"
