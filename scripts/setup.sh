#!/usr/bin/env bash
# Installs what VaeLab needs on a Debian/Ubuntu machine that has the .NET SDK, and nothing more.
# Idempotent and silent when everything is already there. Extra packages for optional jobs
# (benchmarks, fixture generation) are passed as arguments: scripts/setup.sh python3-torch
set -euo pipefail

# libtorch comes from NuGet with TorchSharp (dotnet build restores it); on Debian 12 the build itself makes
# TorchSharp's native library load (lib/VaeLab/build/TorchSharp.targets), so nothing here concerns it.
packages=(make "$@")
# Validating executed notebooks in the tests.
packages+=(python3-nbformat)
# Fashion-MNIST (/usr/share/fashion-mnist): the default image data of the demo and the image notebooks.
packages+=(dataset-fashion-mnist)
# Hershey font glyphs (/usr/share/hershey-fonts/*.jhf): a labelled stroke dataset that needs no download.
packages+=(hershey-fonts-data)

# HTML reports inline or share plotly.js from this npm package, installed under the repository root; npm comes from apt if absent.
plotly_version=4.1.2
root="$(cd "$(dirname "$0")/.." && pwd)"
plotly_file="$root/node_modules/plotly.js-dist-min/plotly.min.js"
install_plotly() {
  [ -f "$plotly_file" ] && return 0
  echo "setup: installing plotly.js-dist-min@$plotly_version"
  npm install --no-save --no-audit --no-fund --loglevel=error --prefix "$root" "plotly.js-dist-min@$plotly_version" >/dev/null
}
if [ ! -f "$plotly_file" ] && ! command -v npm >/dev/null 2>&1; then
  packages+=(nodejs npm)
fi

# Headless browser for the test that opens an exported HTML report (driven by Microsoft.Playwright, which downloads no browser).
packages+=(chromium)

# JPEG decoding for image datasets (VaeLab.Data.Images.JpegDecoder loads libturbojpeg.so.0).
packages+=(libturbojpeg0)

# Jupyter, for the notebooks on the .NET Interactive kernel: nbclient drives the kernel in the kernel tests, Jupyter
# Notebook serves the browser test, nbconvert runs a notebook from the shell (jupyter-notebook brings python3-ipykernel).
packages+=(jupyter-client python3-nbclient jupyter-nbconvert jupyter-notebook)
# The kernel itself: dotnet-interactive, pinned as a repository-local tool in .config/dotnet-tools.json, and its Jupyter
# kernelspec (.net-csharp, with .net-fsharp and .net-powershell). The kernelspec starts `dotnet interactive`, which finds
# a local tool from any folder of the repository (Jupyter starts kernels in the notebook's folder), so unlike a global
# tool in ~/.dotnet/tools it needs nothing on PATH.
install_kernel() {
  if ! (cd "$root" && dotnet interactive --version >/dev/null 2>&1); then
    echo "setup: restoring dotnet-interactive (.config/dotnet-tools.json)"
    (cd "$root" && dotnet tool restore >/dev/null)
  fi
  if ! jupyter kernelspec list 2>/dev/null | grep -q '^ *\.net-csharp '; then
    echo "setup: registering the .net-csharp Jupyter kernel"
    (cd "$root" && dotnet interactive jupyter install >/dev/null)
  fi
}

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
[ ${#missing[@]} -eq 0 ] && { install_plotly; install_kernel; exit 0; }

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
install_plotly
install_kernel
echo "setup: done"
