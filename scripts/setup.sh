#!/usr/bin/env bash
# Installs what VaeLab needs on a Debian/Ubuntu machine that has the .NET SDK, and nothing more.
# Idempotent and silent when everything is already there. Extra packages for optional jobs
# (benchmarks, fixture generation) are passed as arguments: scripts/setup.sh python3-torch
set -euo pipefail

packages=(libtorch-dev cmake g++ make dataset-fashion-mnist "$@")

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then sudo=(sudo); else
    echo "setup: need root (or sudo) to install: ${missing[*]}" >&2
    exit 1
  fi
else
  sudo=()
fi

echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -q >/dev/null
"${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
echo "setup: done"
