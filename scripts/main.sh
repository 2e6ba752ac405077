#!/usr/bin/env bash
# The main job, end to end, on the built-in defaults: the example app validated, synthesized,
# linted, its handlers' tests run, deployed to the local AWS emulator (moto's server on
# 127.0.0.1), and its outputs shown.
#   bash scripts/main.sh [APP_DIR]      (default: examples/hello)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
APP="${1:-$ROOT/examples/hello}"
TEMPLATE="$BUILD/$(basename "$APP").template.json"

step "python package"
"$VENV/bin/python" -m pip install -q "$ROOT/python[local]"

step "validate $APP"
pareto validate "$APP"

step "synth → $TEMPLATE"
pareto synth "$APP" -o "$TEMPLATE"
printf '%s bytes, %s resources\n' "$(wc -c <"$TEMPLATE")" \
  "$("$VENV/bin/python" -c 'import json,sys; print(len(json.load(open(sys.argv[1]))["Resources"]))' "$TEMPLATE")"

step "cfn-lint"
cfn-lint "$TEMPLATE" && echo "no findings"

step "handler tests"
pareto test "$APP"

step "deploy to the local emulator"
pareto deploy "$APP" --local --stage dev --yes
