#!/usr/bin/env bash
# Every test suite: the C++ suite (unit tests, shared vectors, cfn-lint, the installed package),
# checkov over the templates, clang-tidy, the C++ suite again under ASan + UBSan, the libFuzzer
# targets, the packages users install (sdist, wheel, npm tarball), the Python suite on that wheel
# (vectors, CLI, deploys on moto, the fault matrix), then the Node suite on the module the package
# step built (npm ci in node/), both artifacts installed outside the checkout, and both packages
# under valgrind.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

step "C++ tests"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)"

# checkov over every template cfn-lint checks; tests/lint/checkov.yaml skips some checks, each
# with its reason. It pins boto3 apart from moto, so it has a virtualenv of its own.
install_venv "$ROOT/.venv-checkov" "$ROOT/requirements-checkov.txt"
step "checkov: every template"
"$VENV/bin/python" "$ROOT/tests/lint/lint_templates.py" --pareto "$BUILD/libpareto/src/cli/pareto" \
  --checkov "$ROOT/.venv-checkov/bin/checkov" "$ROOT"

# .clang-tidy: the bug-prone and performance families over the core, every finding an error.
step "clang-tidy: libpareto/src, the kinds (not their tests) and the build tool"
run-clang-tidy -p "$BUILD" -j "$(nproc)" -quiet -extra-arg=-Wno-unknown-warning-option \
  "$ROOT/libpareto/(src/|tools/|kinds/.*(?<!_test)\.cpp$)" >"$BUILD/clang-tidy.log" 2>&1 || { cat "$BUILD/clang-tidy.log"; exit 1; }
echo "clang-tidy: $(grep -c '^clang-tidy' "$BUILD/clang-tidy.log" || true) files, no findings"

# The same suite built with AddressSanitizer and UndefinedBehaviorSanitizer (leaks included);
# GCC's -Wmaybe-uninitialized misfires under the sanitizers, so warnings stay warnings there.
step "C++ tests under ASan + UBSan"
cmake -S "$ROOT" --preset asan-ubsan -B "$BUILD-sanitize" -DPython3_EXECUTABLE="$VENV/bin/python" >/dev/null
cmake --build "$BUILD-sanitize"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir "$BUILD-sanitize" --output-on-failure -j "$(nproc)"

step "fuzzing: each target from a fixed seed"
cmake -S "$ROOT" --preset fuzz -B "$BUILD-fuzz" >/dev/null
cmake --build "$BUILD-fuzz"
ctest --test-dir "$BUILD-fuzz" --output-on-failure

# The artifacts users install (the sdist, the wheel built from it, the npm tarball); the Python
# suite runs on that wheel, and the Node suite on the module npm ci builds in node/, which is the
# tarball's prebuilt one.
step "packages: scripts/package.sh"
bash "$ROOT/scripts/package.sh" "$ROOT/dist"

step "python package: the wheel"
wheel="$(ls "$ROOT"/dist/pareto-*-manylinux_*.whl)"
"$VENV/bin/python" -m pip install -q --force-reinstall --no-deps "$wheel"
"$VENV/bin/python" -m pip install -q "$wheel[local,test]"

# event-ruler, the library behind EventBridge, answers the differential pattern tests; Maven
# builds its harness (every version pinned in tests/ruler/pom.xml).
step "event-ruler oracle: tests/ruler"
command -v mvn >/dev/null || install_apt_packages maven default-jdk-headless
(cd "$ROOT/tests/ruler" && mvn -q -B package </dev/null)

step "python tests (and the kinds' inline sources' tests, beside them)"
# Two sessions: each folder has its own conftest, and tests import theirs by name.
"$VENV/bin/python" -m pytest -q "$ROOT/python/tests"
"$VENV/bin/python" -m pytest -q "$ROOT/libpareto/kinds"

step "node tests"
(cd "$ROOT/node" && PARETO_PYTHON="$VENV/bin/python" npm test)

step "packages installed outside the checkout, with no compiler, CMake or SWIG on PATH; the npm fallback built without SWIG"
"$VENV/bin/python" "$ROOT/tests/packages/check_packages.py" --dist "$ROOT/dist" \
  --native "$BUILD/libpareto/src/cli/pareto"

step "valgrind: the Python and Node packages leak nothing through a call"
generated="$(mktemp -d)"
trap 'rm -rf "$generated"' EXIT
"$VENV/bin/python" "$ROOT/tests/support/generated_app.py" 1000 "$generated"
"$VENV/bin/python" "$ROOT/tests/valgrind/run.py" "$VENV/bin/python" "$generated"
step "done"
