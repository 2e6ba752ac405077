#!/usr/bin/env bash
# Every test suite: the C++ suite (unit tests, shared vectors, cfn-lint, the installed package),
# the Python package built from source and its suite (vectors, CLI, deploys on moto), then the
# Node package built from source (npm ci runs its build) and its suite.
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

step "C++ tests"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)"

step "python package"
"$VENV/bin/python" -m pip install -q "$ROOT/python[local,test]"

step "python tests"
"$VENV/bin/python" -m pytest -q "$ROOT/python/tests"

step "node package"
(cd "$ROOT/node" && npm ci --no-audit --no-fund)

step "node tests"
(cd "$ROOT/node" && PARETO_PYTHON="$VENV/bin/python" npm test)
