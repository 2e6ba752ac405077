"""A smoke run of every call of the Python package's native module, for valgrind: loads and
frees apps, valid and not, and reads every output, a few times over, so that a leak through the
binding would show as lost blocks with pareto's frames in them."""
import json
import os
import sys
from pathlib import Path

import pareto
from pareto.host import Host

ROOT = Path(__file__).resolve().parents[2]


class Replay(Host):
    """The engine's flows, answered from a recorded transcript instead of AWS."""

    def __init__(self, steps: list) -> None:
        super().__init__(interactive=False, write=lambda stream, text: None)
        self.steps = list(steps)

    def perform(self, step, flow):
        if step["step"] in ("write", "load"):
            return super().perform(step, flow)
        return self.steps.pop(0)["answer"]


def run_flows() -> None:
    os.chdir(ROOT)  # the transcripts name their apps from the repository's root
    quiet = Host(interactive=False, write=lambda stream, text: None)
    for argv in (["validate", "examples/hello"], ["synth", "examples/hello"],
                 ["budget", "examples/hello", "--json"], ["match", '{"source": ["a"]}', '{"source": "a"}'],
                 ["validate", "examples/missing"], ["frobnicate"], ["deploy", "--help"]):
        quiet.run(argv)
    for case in ("deploy-create", "deploy-update", "outputs-throttled", "resources", "logs"):
        transcript = json.loads((ROOT / "tests" / "vectors" / "flows" / case / "transcript.json").read_text())
        steps = [s for s in transcript["steps"] if s["step"]["step"] != "load"]
        exit_status, _ = Replay(steps).run_request(transcript["request"])
        assert exit_status == transcript["exit"], case


def main() -> None:
    big, rounds = Path(sys.argv[1]), int(sys.argv[2])  # an app past one stack's quotas
    for _ in range(rounds):
        app = pareto.App.load(ROOT / "examples" / "hello")
        app.template_json()
        app.package("hello-get")
        app.graph("dot")
        app.budget("text")
        app.rules("dev")
        assert app.nested_stacks() == []
        assert pareto.App.load(big).nested_stacks()
        # Custom kinds: the renderer callbacks held and released by the native set of kinds.
        assert pareto.App.load(ROOT / "examples" / "streams").template_json()
        failing = pareto.Kind("things", schema={}, render=lambda request: 1 / 0)
        assert not pareto.App.from_text("app: x\nthings: [{name: a}]\n", kinds=[failing]).valid
        try:
            pareto.App.from_text("app: x\n", kinds=[pareto.Kind("tables", schema={}, render=dict)])
        except pareto.KindError:
            pass
        bad = pareto.App.from_text("app: 1\nactions: [{name: X}]\n")
        assert not bad.valid and bad.errors
        for text in ("{", "\x00", "a: &a [*a]"):
            assert not pareto.App.from_text(text).valid
        rules = pareto.Rules({"uploads": {"source": ["aws.s3"]}})
        assert rules.match({"source": "aws.s3"}) == ["uploads"]
        try:
            pareto.Rules({"bad": {"source": "not a list"}})
        except pareto.ValidationError:
            pass
        run_flows()
    print("smoke: ok")


if __name__ == "__main__":
    main()
