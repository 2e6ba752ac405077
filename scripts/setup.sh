# Sourced by main.sh and test.sh: installs what a fresh Debian machine lacks (apt packages,
# a virtualenv with the pinned Python tools), then builds the core. Safe to run again.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
BUILD="${PARETO_BUILD_DIR:-$ROOT/build}"
VENV="${PARETO_VENV:-$ROOT/.venv}"

# valijson's headers come from its Debian package without the package's dependencies (Qt 5,
# Poco, MariaDB, ...), through cmake/sources.cmake.
APT_PACKAGES=(cmake ninja-build g++ pkg-config nlohmann-json3-dev libfmt-dev libyaml-cpp-dev
              libzip-dev libmbedtls-dev libgtest-dev libbenchmark-dev libcli11-dev
              clang libclang-rt-14-dev clang-tidy valgrind)

# Each step's heading says when it started, in seconds since the script did (SECONDS is bash's).
step() { printf '\n\033[1m== %s\033[0m (at %d s)\n' "$*" "$SECONDS"; }

# Installs those of the packages given that are missing.
install_apt_packages() {
  local missing=()
  for package in "$@"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "ok installed" ||
      missing+=("$package")
  done
  [ ${#missing[@]} -eq 0 ] && return
  step "apt: ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -ne 0 ] && sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Node 20 or newer, and npm, for the Node package; Debian's own nodejs is older.
check_node() {
  if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    echo "the Node package needs node (20 or newer) and npm on PATH" >&2
    return 1
  fi
  node -e 'process.exit(Number(process.versions.node.split(".")[0]) >= 20 ? 0 : 1)' || {
    echo "the Node package needs node 20 or newer, not $(node --version)" >&2
    return 1
  }
}

# A virtualenv at $1 (made if missing) with the pinned pip and the requirements file $2.
install_venv() {
  step "python: $1"
  [ -x "$1/bin/python" ] || python3 -m venv "$1"
  "$1/bin/python" -m pip install -q --upgrade pip==24.3.1
  "$1/bin/python" -m pip install -q -r "$2"
}

build_core() {
  step "build: $BUILD"
  cmake -S "$ROOT" --preset dev -B "$BUILD" -DPython3_EXECUTABLE="$VENV/bin/python" >/dev/null
  cmake --build "$BUILD"
}

install_apt_packages "${APT_PACKAGES[@]}"
check_node
install_venv "$VENV" "$ROOT/requirements-dev.txt"
build_core
export PATH="$VENV/bin:$BUILD/libpareto/src/cli:$PATH"
