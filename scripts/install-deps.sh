#!/usr/bin/env bash
# Installs what leadscore needs to build and test, from Debian's packages and
# PyPI only. Idempotent: it asks apt and pip for nothing that is already here.
set -euo pipefail

debian_packages=(
  build-essential cmake make
  libeigen3-dev libboost-serialization-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  nlohmann-json3-dev libcli11-dev libfmt-dev libfast-float-dev liblbfgspp-dev
)
python_packages=(nanobind scikit-build-core numpy pandas pytest scikit-learn)
# --bench: also the Python peers the comparison scripts measure against.
if [ "${1:-}" = "--bench" ]; then
  python_packages+=(lifetimes)
fi

missing=()
for p in "${debian_packages[@]}"; do
  # A tool that is already on PATH (cmake from pip, for example) is enough.
  case "$p" in cmake|make) command -v "$p" >/dev/null 2>&1 && continue ;; esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "install-deps: apt-get install ${missing[*]}"
  sudo_cmd=""
  [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
  $sudo_cmd apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

python=${PYTHON:-python3}
pip_missing=()
for p in "${python_packages[@]}"; do
  module=${p//-/_}
  [ "$p" = scikit-learn ] && module=sklearn  # the one package whose module is named otherwise
  "$python" -c "import ${module}" >/dev/null 2>&1 || pip_missing+=("$p")
done
if [ ${#pip_missing[@]} -gt 0 ]; then
  echo "install-deps: pip install ${pip_missing[*]}"
  "$python" -m pip install -q --disable-pip-version-check "${pip_missing[@]}"
fi
