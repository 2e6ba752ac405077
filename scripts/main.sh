#!/usr/bin/env bash
# The main job, end to end, on the built-in defaults: the example app validated, synthesized,
# linted, its handlers' tests run, deployed to the local AWS emulator (moto's server on
# 127.0.0.1), and run on this machine with `pareto dev`: requests served, the queue worker and
# the timer fired.
#   bash scripts/main.sh [APP_DIR]      (default: examples/hello)
source "$(dirname "${BASH_SOURCE[0]}")/setup.sh"
APP="${1:-$ROOT/examples/hello}"
TEMPLATE="$BUILD/$(basename "$APP").template.json"

step "python package"
"$VENV/bin/python" -m pip install -q "$ROOT[local]"

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

step "deploy to the local emulator and run it here: pareto dev"
# pareto dev deploys the app to moto's server, serves its API on 127.0.0.1 and runs each handler
# on this machine; the scenario (on a copy of examples/hello) calls the API and waits for the
# queue worker and the timer.
"$VENV/bin/python" "$ROOT/tests/support/dev_scenario.py" --show -- pareto
