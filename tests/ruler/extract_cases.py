"""Writes tests/ruler/event-ruler-cases.tsv: aws/event-ruler's own test data as PATTERN<TAB>EVENT
lines (issue 25), for `differential.py --cases`. The file holds no expected verdicts: the oracle
gives them.

    .venv/bin/python tests/ruler/extract_cases.py event-ruler.git

The argument is a git directory of aws/event-ruler (a `git clone --bare` will do); its HEAD is
read. Sources (see SURVEY.md, section b): correctness-cases.json, arrayRule1-3 × arrayEvent1-4,
bigEventRule + bigEvent, the three $or rule files (each rule with an event built from it and
with {}), and the string literals of RulerTest.java (every rule with every event of its test
method, class constants included).
"""
from __future__ import annotations

import argparse
import random
import re
import subprocess
import sys
from pathlib import Path
from typing import Iterator

from differential import Generator, dumps, loads

OUTPUT = Path(__file__).resolve().parent / "event-ruler-cases.tsv"
DATA = "src/test/data"
CORRECTNESS = "src/test/resources/correctness-cases.json"
RULER_TEST = "src/test/software/amazon/event/ruler/RulerTest.java"
OR_RULE_FILES = ("orRelationshipRules.json", "wrongOrRelationshipRules.json", "normalRulesWithOrWording.json")
MAX_LINE = 300_000  # bytes: bigEvent.json is 256 KB and just fits
SEED = 25  # the events built for the $or rules


class Repository:
    def __init__(self, git_dir: Path) -> None:
        self.git_dir = git_dir
        self.commit = self._git("rev-parse", "HEAD").strip()

    def _git(self, *args: str) -> str:
        return subprocess.run(["git", "--git-dir", str(self.git_dir), *args], capture_output=True,
                              text=True, encoding="utf-8", check=True).stdout

    def show(self, path: str) -> str:
        return self._git("show", f"{self.commit}:{path}")


def compact(text: str) -> str | None:
    """One JSON object as compact text, number literals as written; None if it is not one."""
    try:
        value = loads(text)
    except ValueError:
        return None
    return dumps(value) if isinstance(value, dict) else None


# --- RulerTest.java ------------------------------------------------------------------------------

JAVA_TOKEN = re.compile(r"""
    (?P<skip>\s+|//[^\n]*|/\*.*?\*/)
  | (?P<string>"(?:\\.|[^"\\\n])*")
  | (?P<char>'(?:\\.|[^'\\])+')
  | (?P<name>[A-Za-z_$][\w$]*)
  | (?P<other>.)
""", re.X | re.S)
JAVA_ESCAPE = re.compile(r"\\(u+[0-9a-fA-F]{4}|[0-7]{1,3}|.)")
JAVA_ESCAPES = {"b": "\b", "t": "\t", "n": "\n", "f": "\f", "r": "\r", "s": " ", '"': '"', "'": "'", "\\": "\\"}


def _unescape(literal: str) -> str:
    def one(found: re.Match) -> str:
        escape = found[1]
        if escape[0] == "u":
            return chr(int(escape.lstrip("u"), 16))
        if escape[0] in "01234567":
            return chr(int(escape, 8))
        return JAVA_ESCAPES[escape]
    return JAVA_ESCAPE.sub(one, literal[1:-1])


def java_strings(source: str) -> Iterator[tuple[str | None, str | None, str]]:
    """(method, variable, text) for every string expression made of literals joined by `+`:
    method is None at class level, variable the name being assigned (None when there is none)."""
    tokens = [(m.lastgroup, m[0]) for m in JAVA_TOKEN.finditer(source) if m.lastgroup != "skip"]
    depth = 0
    method: str | None = None
    variable: str | None = None
    pieces: list[str] = []
    tokens += [("other", ""), ("other", "")]  # so that looking two ahead never runs off the end
    for i, (kind, text) in enumerate(tokens[:-2]):
        following = tokens[i + 1][1]
        if kind == "string":
            pieces.append(_unescape(text))
            if following != "+" or tokens[i + 2][0] != "string":
                yield method, variable, "".join(pieces)
                pieces = []
            continue
        if kind == "name" and following == "=" and tokens[i + 2][1] != "=":
            variable = text
        elif text == ";":
            variable = None
        elif kind == "name" and depth == 1 and i and tokens[i - 1][1] == "void" and following == "(":
            method = text
        elif text == "{":
            depth += 1
        elif text == "}":
            depth -= 1
            if depth == 1:
                method = None


def ruler_test_pairs(source: str) -> Iterator[tuple[str, str]]:
    """Each test method's rules × its events; a variable is a rule when its name says so, and the
    class's string constants a method names count as its events."""
    constants = {variable: text for method, variable, text in java_strings(source)
                 if method is None and variable and compact(text)}
    methods: dict[str, tuple[list[str], list[str]]] = {}
    for method, variable, text in java_strings(source):
        if method is None or not variable:
            continue
        rules, events = methods.setdefault(method, ([], []))
        (rules if "rule" in variable.lower() else events).append(text)
    for method, (rules, events) in methods.items():
        body = _method_body(source, method)
        events = events + [text for name, text in constants.items() if re.search(rf"\b{name}\b", body)]
        for rule in filter(None, map(compact, rules)):
            for event in filter(None, map(compact, events)):
                yield rule, event


def _method_body(source: str, method: str) -> str:
    start = source.index(f" {method}(")
    following = re.search(r"\n    (public|private|@Test|})", source[start + 1:])
    return source[start: start + 1 + following.start()] if following else source[start:]


# --- the data files ------------------------------------------------------------------------------

def sections(repository: Repository) -> Iterator[tuple[str, list[tuple[str, str]]]]:
    """(comment, pairs) for each source, in the file's order."""
    pairs = []
    for case in loads(repository.show(CORRECTNESS)):
        pairs.append((dumps(case["rule"]), dumps(case["event"])))
    yield f"{CORRECTNESS}: each rule with its event", pairs

    rules = [compact(repository.show(f"{DATA}/arrayRule{n}.json")) for n in (1, 2, 3)]
    events = [compact(repository.show(f"{DATA}/arrayEvent{n}.json")) for n in (1, 2, 3, 4)]
    yield f"{DATA}/arrayRule1-3.json × arrayEvent1-4.json", [(r, e) for r in rules for e in events]

    big = (compact(repository.show(f"{DATA}/bigEventRule.json")), compact(repository.show(f"{DATA}/bigEvent.json")))
    fits = len(f"{big[0]}\t{big[1]}".encode("utf-8")) < MAX_LINE
    yield f"{DATA}/bigEventRule.json + bigEvent.json", [big] if fits else []

    generator = Generator(random.Random(SEED))
    for name in OR_RULE_FILES:
        pairs = []
        for rule in loads(repository.show(f"{DATA}/{name}")):
            built = generator.event(rule, hit=True, mutations=0)
            pairs += [(dumps(rule), dumps(built)), (dumps(rule), "{}")]
        yield f"{DATA}/{name}: each rule with an event built from it (differential.Generator, seed {SEED}) and with {{}}", pairs

    yield f"{RULER_TEST}: rule × event string literals per test method", list(ruler_test_pairs(repository.show(RULER_TEST)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("git_dir", type=Path, help="a bare git directory of aws/event-ruler")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    repository = Repository(args.git_dir)
    lines = [
        "# aws/event-ruler's test data as PATTERN<TAB>EVENT lines (compact JSON, number literals as written),",
        f"# from https://github.com/aws/event-ruler at commit {repository.commit}.",
        "# event-ruler is licensed under the Apache License 2.0; these lines are derived from its test files.",
        "# Regenerate: .venv/bin/python tests/ruler/extract_cases.py <event-ruler git dir>. Run: differential.py --cases.",
    ]
    seen: set[str] = set()
    for comment, pairs in sections(repository):
        fresh = [line for line in (f"{rule}\t{event}" for rule, event in pairs) if not (line in seen or seen.add(line))]
        lines.append(f"# {comment}: {len(fresh)} lines")
        lines += fresh
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{args.output}: {len(seen)} lines", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
