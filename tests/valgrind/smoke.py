"""A smoke run of every call of the Python package's native module, for valgrind: loads and
frees apps, valid and not, and reads every output, a few times over, so that a leak through the
binding would show as lost blocks with pareto's frames in them."""
import sys
from pathlib import Path

import pareto

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    big, rounds = Path(sys.argv[1]), int(sys.argv[2])  # an app past one stack's quotas
    for _ in range(rounds):
        app = pareto.App.load(ROOT / "examples" / "hello")
        app.template_json()
        app.package()
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
    print("smoke: ok")


if __name__ == "__main__":
    main()
