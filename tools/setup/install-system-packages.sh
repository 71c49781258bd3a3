#!/usr/bin/env bash
# Installs the Debian packages dsprep needs (ICU, OpenBLAS, zlib, pkg-config, python venv) when missing.
set -euo pipefail
need=()
for package in libicu-dev libopenblas-dev zlib1g-dev pkg-config python3-venv; do
  dpkg -s "$package" >/dev/null 2>&1 || need+=("$package")
done
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}"
fi
