#!/usr/bin/env bash
# Every test suite: the C++ suite (unit tests, shared vectors, cfn-lint, the installed package),
# then the Python package built from source and its suite (vectors, CLI, deploys on moto).
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"

step "C++ tests"
ctest --test-dir "$BUILD" --output-on-failure -j "$(nproc)"

step "python package"
"$VENV/bin/python" -m pip install -q "$ROOT/python[local,test]"

step "python tests"
"$VENV/bin/python" -m pytest -q "$ROOT/python/tests"
