#!/usr/bin/env bash
# The artifacts a user installs, into dist/ (or DIST):
#   pareto-VERSION.tar.gz            the Python sdist: the core's sources and its dependencies'
#   pareto-VERSION-cp310-abi3-manylinux_*.whl  built from that sdist, every dependency linked in
#   pareto-VERSION.tgz               the npm tarball: a prebuilt linux-x64 Node-API module, and the
#                                    sources to build from where that does not load
#   bash scripts/package.sh [DIST]
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
DIST="$(realpath -m "${1:-$ROOT/dist}")"
rm -rf "$DIST" && mkdir -p "$DIST"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

step "sources of the dependencies built in: third_party/"
cmake -P "$ROOT/cmake/sources.cmake"

step "python: sdist"
"$VENV/bin/python" -m build --sdist --outdir "$DIST" "$ROOT"

# The wheel is built from the sdist, which proves the sdist complete; the headers its build read
# show that it took nothing from the system beyond the toolchain. auditwheel then checks that
# the wheel needs nothing beyond the manylinux policy and tags it with the oldest policy its
# glibc symbols allow.
step "python: wheel, from the sdist"
"$VENV/bin/python" -m pip wheel -q --no-deps -w "$work/wheel" -C build-dir="$work/wheel-build" \
  "$DIST"/pareto-*.tar.gz
"$VENV/bin/python" "$ROOT/tests/packages/headers.py" "$work/wheel-build"
"$VENV/bin/auditwheel" repair -w "$DIST" "$work"/wheel/pareto-*.whl
"$VENV/bin/auditwheel" show "$DIST"/pareto-*.whl

# The prebuilt module is the one npm's install script builds in node/ (every dependency linked
# in, as for the wheel; an earlier build is brought up to date); the tarball carries the sources
# beside it, with SWIG's wrapper.
step "node: tarball"
(cd "$ROOT/node" && npm ci --no-audit --no-fund)
stage="$work/node"
mkdir -p "$stage/prebuilds/linux-x64" "$stage/core"
(cd "$ROOT/node" && cp -r package.json lib bin scripts "$stage/")
cp "$ROOT/node/build/Release/_pareto.node" "$stage/prebuilds/linux-x64/"
(cd "$ROOT" && git ls-files -z CMakeLists.txt cmake bindings libpareto |
  grep -zvE '(_test\.(cpp|py)|/conftest\.py)$' | xargs -0 cp --parents -t "$stage/core")
(cd "$ROOT" && cp --parents -t "$stage/core" third_party/*.tar.* third_party/*.deb)
wrappers=("$ROOT"/node/build/bindings/node/*_wrap.cxx)
[ ${#wrappers[@]} -eq 1 ] && [ -f "${wrappers[0]}" ] || { echo "no single SWIG wrapper in node/build: ${wrappers[*]}" >&2; exit 1; }
cp "${wrappers[0]}" "$stage/core/bindings/node/pareto_wrap.cxx"
(cd "$stage" && npm pack --pack-destination "$DIST" >/dev/null)

step "artifacts"
ls -l "$DIST"
