"""Differential test of pareto's EventBridge pattern matcher against aws/event-ruler 2.1.0 (issue 25).

Random patterns over the whole operator set, with events built to hit and to miss each one, go
through pareto (in-process) and through the ruler oracle (tests/ruler, one batch run of the jar).
Every disagreement left after the known differences is shrunk to a minimal pair, with the oracle
as a co-process, and reported as a `PATTERN<TAB>EVENT<TAB>pareto=…<TAB>oracle=…` line that
`--cases` reads back (it ignores the columns after the event).

    .venv/bin/python tests/ruler/differential.py --pairs 100000 --seed 25
    .venv/bin/python tests/ruler/differential.py --cases tests/ruler/event-ruler-cases.tsv

Exit status: 0 when pareto agrees everywhere, 1 when a disagreement remains, 2 when the jar is
missing. All JSON is handled as text: numbers stay `Num` (their literal), so 1e2, 100.0 and -0
reach both sides exactly as written.
"""
from __future__ import annotations

import argparse
import copy
import decimal
import ipaddress
import json
import math
import os
import random
import re
import select
import subprocess
import sys
import time
from dataclasses import dataclass, field
from decimal import Decimal
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any, Callable, Iterator

import pareto

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_JAR = ROOT / "tests" / "ruler" / "target" / "ruler-oracle.jar"
BUILD_HINT = "run `mvn -q -B package` in tests/ruler to build it"
# A serial GC keeps the JVM to one busy core: the oracle shares the machine with compiles.
JAVA = ["java", "-XX:+UseSerialGC", "-jar"]


# --- JSON as text --------------------------------------------------------------------------------

class Num:
    """A JSON number kept as its literal text: json.loads would make 1e2 and 100.0 floats and
    lose how they were written, which is exactly what the matchers may disagree on."""

    __slots__ = ("text",)

    def __init__(self, text: str) -> None:
        self.text = text

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Num) and other.text == self.text

    def __hash__(self) -> int:
        return hash(self.text)

    def __repr__(self) -> str:
        return self.text

    @property
    def value(self) -> Decimal:
        return Decimal(self.text)


NOT_JSON = object()  # a case's pattern or event whose text does not parse (so it cannot be shrunk)


def loads(text: str) -> Any:
    """JSON text to Python, numbers as Num (objects are dicts: a repeated key keeps the last)."""
    return json.loads(text, parse_int=Num, parse_float=Num)


def dumps(value: Any) -> str:
    """Compact JSON text, non-ASCII as is, every Num as its literal."""
    if isinstance(value, str):
        return encode_basestring(value)
    if isinstance(value, Num):
        return value.text
    if isinstance(value, dict):
        return "{" + ",".join(encode_basestring(k) + ":" + dumps(v) for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(map(dumps, value)) + "]"
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    raise TypeError(f"not JSON: {value!r}")


_WIDE = decimal.Context(prec=2000)  # exact: normalize() must not round a 30-digit literal


def spellings(number: Decimal) -> list[str]:
    """JSON literals of one value: the canonical one first (plain, unless that takes more than 40
    characters, as 1e400 would), then 100.0, 1e2, 1E+2, 1.00e2, 10e1-style forms. -0 keeps its sign."""
    sign, digits, exponent = number.normalize(_WIDE).as_tuple()
    text = "".join(map(str, digits))
    size = len(text)
    if exponent >= 0:
        plain = text + "0" * exponent if text != "0" else "0"
    elif size + exponent > 0:
        plain = text[:size + exponent] + "." + text[size + exponent:]
    else:
        plain = "0." + "0" * -(size + exponent) + text
    scientific = exponent + size - 1
    mantissa = text[0] + ("." + text[1:] if size > 1 else "")
    exponential = [f"{mantissa}e{scientific}", f"{mantissa}E{'+' if scientific >= 0 else ''}{scientific}",
                   f"{text[0]}.{text[1:]}00e{scientific}", f"{text}e{exponent}"]
    forms = [plain, plain + (".0" if "." not in plain else "0")] + exponential if len(plain) <= 40 else exponential
    return list(dict.fromkeys(("-" if sign else "") + form for form in forms))


def canonical(number: Num) -> Num:
    return Num(spellings(number.value)[0])


# --- pattern structure ---------------------------------------------------------------------------

# event-ruler's Constants.RESERVED_FIELD_NAMES_IN_OR_RELATIONSHIP: one of these as a field of an
# alternative makes "$or" a plain field name
OR_RESERVED = frozenset((
    "exactly", "equals-ignore-case", "prefix", "suffix", "anything-but", "exists", "wildcard", "numeric",
    "cidr", "=", "<", "<=", ">", ">=", "regex", "not-wildcard", "not-equals-ignore-case", "date-after",
    "date-on-or-after", "date-before", "date-on-or-before", "in-date-range", "ip-address-in-range",
    "ip-address-not-in-range"))


def or_alternatives(key: str, value: Any) -> list[dict] | None:
    """The alternatives when this field is an $or as event-ruler reads it (a list of 2+ objects
    without reserved field names), else None: then "$or" is a field name like any other."""
    if key != "$or" or not isinstance(value, list) or len(value) < 2:
        return None
    if all(isinstance(v, dict) and not OR_RESERVED.intersection(v) for v in value):
        return value
    return None


# --- the generator -------------------------------------------------------------------------------

KEYS = ("a", "b", "c", "a.b", "x")  # few names, so that pattern and event fields collide
STRINGS = ("", "x", "xy", "X", "ab", "AB", "abc", "é", "É", "ß", "SS", "Σ", "σ", "ς", "Ж", "ж",
           "😀", "a😀", "null", "true", "5", "1e2", "10.0.0.1", "2001:db8::1", "x*y", "a.b")
TAILS = ("", "x", "é", "1", "Σ", "😀", "xy", "ß")
NUMBERS = ("0", "1", "-1", "2", "5", "10", "100", "0.5", "-2.5", "301.8", "0.1", "0.000001",
           "123.456", "-0", "1000000000", "4999999999", "5000000000", "-5000000000")
RARE_NUMBERS = ("5000000001", "6e9", "-7e9", "1e15", "9007199254740993", "0.30000000000000004",
                "1.00000000000000001", "123456789012345678")
EVENT_ONLY_NUMBERS = ("1e400",)  # past double range: event-ruler falls back to the text
NUMERIC_OPS = ("=", "<", "<=", ">", ">=")
V4_BASES = ("10.0.0.0", "192.168.1.0", "0.0.0.0", "255.255.255.255", "172.16.0.0", "10.0.0.1")
V6_BASES = ("2001:db8::", "fe80::", "::", "2001:db8::1", "ffff::")
ODD_CIDRS = ("10.0.0.0/08", "10.0.0.0/+8", "010.0.0.0/8", "10.0.0.1/24", "2001:DB8::/32",
             "0.0.0.0/0", "::/0")
BAD_CIDRS = ("10.0.0.0", "10.0.0.0/8/8", "10.0.0.0/-1", "10/8", "1.2.3/24", "10.0.0.256/8",
             " 10.0.0.0/8", "fe80::1%eth0/64", "::ffff:10.0.0.0/104", "10.0.0.0/x", "10.0.0.0/33",
             "2001:db8::/129", "", "x/8")
ABSENT = object()  # an event value meaning "leave the field out"
EVENTS_PER_PATTERN = 4


class Generator:
    """Patterns and events from one random.Random, and nothing else, so a seed is a test case."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self._broken = False  # whether the pattern being built may hold refused forms
        self._matchers: list[tuple[int, Callable[[], Any]]] = [
            (12, self.string), (8, self.number), (2, lambda: None),
            (2, lambda: self.rng.random() < 0.5),
            (6, lambda: {"prefix": self._affix_operand()}), (6, lambda: {"suffix": self._affix_operand()}),
            (4, lambda: {"equals-ignore-case": self._string_operand()}),
            (5, lambda: {"wildcard": self.wildcard()}), (10, self.anything_but),
            (10, self.numeric), (5, self.exists), (6, self.cidr), (3, self.bad_matcher),
        ]
        self._weights = [weight for weight, _ in self._matchers]

    def _bad(self, probability: float) -> bool:
        """Whether to emit a refused form here: only in broken patterns (a quarter of them), so that
        most patterns stay valid although each has many places that could break it."""
        return self._broken and self.rng.random() < probability

    # values

    def string(self) -> str:
        if self.rng.random() < 0.8:
            return self.rng.choice(STRINGS)
        return "".join(self.rng.choice("aAbxX.éÉßΣσЖж😀 ") for _ in range(self.rng.randint(1, 4)))

    def decimal(self) -> Decimal:
        if self.rng.random() < 0.04:
            return Decimal(self.rng.choice(RARE_NUMBERS))
        return Decimal(self.rng.choice(NUMBERS))

    def spell(self, number: Decimal) -> Num:
        forms = spellings(number)
        return Num(forms[0] if self.rng.random() < 0.5 else self.rng.choice(forms))

    def number(self) -> Num:
        return self.spell(self.decimal())

    def any_value(self) -> Any:
        roll = self.rng.random()
        if roll < 0.45:
            return self.string()
        if roll < 0.8:
            if self.rng.random() < 0.01:
                return Num(self.rng.choice(EVENT_ONLY_NUMBERS))
            return self.number()
        return self.rng.choice((None, True, False))

    def flip_case(self, text: str) -> str:
        how = self.rng.randrange(4)
        if how == 0:
            return text.swapcase()
        if how == 1:
            return text.upper()  # ß becomes SS: a length change under case folding
        if how == 2:
            return text.lower()
        return "".join(c.swapcase() if self.rng.random() < 0.5 else c for c in text)

    # patterns

    def top_pattern(self) -> dict:
        self._broken = self.rng.random() < 0.25
        return self.pattern()

    def pattern(self, depth: int = 0) -> dict:
        """A pattern object: 1-3 fields (leaf lists, nested objects, $or), nesting ≤ 3 levels."""
        if self._bad(0.03):
            return {}  # empty objects are refused
        pattern: dict = {}
        for _ in range(self.rng.choice((1, 1, 1, 2, 2, 3) if depth == 0 else (1, 1, 2))):
            pattern[self.rng.choice(KEYS)] = self.field(depth)
        if self.rng.random() < (0.15 if depth < 2 else 0.05):
            pattern["$or"] = self.or_value(depth)
        return pattern

    def field(self, depth: int) -> Any:
        if depth < 2 and self.rng.random() < 0.2:
            return self.pattern(depth + 1)
        if self._bad(0.08):
            return self.rng.choice((self.string(), self.number(), None, True, {"prefix": "x"}, []))  # no list
        return [self.matcher() for _ in range(self.rng.choice((1, 1, 1, 2, 3)))]

    def or_value(self, depth: int) -> Any:
        if self.rng.random() < 0.1:
            # plain field name "$or" for event-ruler: no objects, or reserved names inside
            return self.rng.choice((["x", "y"], [{"numeric": [">", Num("0")]}, {"cidr": "10.0.0.0/8"}],
                                    [{"prefix": "x"}, {"a": ["y"]}]))
        if self._bad(0.4):
            return self.rng.choice(([], [self.pattern(depth + 1)], self.pattern(depth + 1),
                                    [self.pattern(depth + 1), ["x"]]))
        return [self.pattern(depth + 1) for _ in range(self.rng.choice((2, 2, 3)))]

    def matcher(self) -> Any:
        while True:
            make = self.rng.choices(self._matchers, weights=self._weights)[0][1]
            if make != self.bad_matcher or self._broken:
                return make()

    def _string_operand(self) -> Any:
        return self.rng.choice((Num("5"), None, ["x"])) if self._bad(0.1) else self.string()

    def _affix_operand(self) -> Any:
        if self.rng.random() < 0.3:
            return {"equals-ignore-case": self._string_operand()}
        if self._bad(0.1):
            return {"wildcard": "x*"}
        return self._string_operand()

    def wildcard(self) -> Any:
        if self._bad(0.3):
            return self.rng.choice(("**", "a**", "x\\y", "a\\", "***b", "\\", Num("1")))
        pieces = ("*", "x", "ab", "é", "\\*", "\\\\", "Σ", "", ".", "😀")
        return "".join(self.rng.choice(pieces) for _ in range(self.rng.randint(1, 4)))

    def anything_but(self) -> dict:
        if self._bad(0.3):
            return {"anything-but": self.rng.choice((
                ["x", Num("1")], [], {"prefix": ""}, {"suffix": ""}, {"prefix": [""]}, {"prefix": []},
                {"suffix": []}, None, True, [None], {"numeric": [">", Num("1")]}, {"prefix": Num("5")},
                {"anything-but": "x"}, {"exists": True},
            ))}
        roll = self.rng.random()
        if roll < 0.15:
            operand: Any = self.string()
        elif roll < 0.3:
            operand = self.number()
        elif roll < 0.45:
            operand = [self.string() for _ in range(self.rng.randint(1, 3))]
        elif roll < 0.6:
            operand = [self.number() for _ in range(self.rng.randint(1, 3))]
        else:
            kind = self.rng.choice(("prefix", "suffix", "wildcard", "equals-ignore-case"))
            one = self.wildcard if kind == "wildcard" else self.string
            operand = {kind: one() if self.rng.random() < 0.5 else [one() for _ in range(self.rng.randint(1, 3))]}
        return {"anything-but": operand}

    def numeric(self) -> dict:
        if self._bad(0.4):
            n = self.number()
            return {"numeric": self.rng.choice((
                ["<", Num("10"), ">", Num("1")], [">", Num("5"), "<", Num("3")], [">=", n, "<=", n],
                ["!=", n], [">", "5"], [">"], [], ["=", Num("1"), "<", Num("2")],
                [">", Num("1"), "<", Num("2"), "<", Num("3")], n, [">", None],
            ))}
        if self.rng.random() < 0.45:
            return {"numeric": [self.rng.choice(NUMERIC_OPS), self.number()]}
        low, high = sorted((self.decimal(), self.decimal()))
        if low == high:
            high += 1
        return {"numeric": [self.rng.choice((">", ">=")), self.spell(low),
                            self.rng.choice(("<", "<=")), self.spell(high)]}

    def exists(self) -> dict:
        if self._bad(0.3):
            return {"exists": self.rng.choice(("true", Num("1"), None))}
        return {"exists": self.rng.random() < 0.5}

    def cidr(self) -> dict:
        if self._bad(0.4):
            return {"cidr": self.rng.choice(BAD_CIDRS + (Num("10"),))}
        roll = self.rng.random()
        if roll < 0.55:
            base = self.rng.choice(V4_BASES) if self.rng.random() < 0.7 else str(ipaddress.IPv4Address(self.rng.getrandbits(32)))
            bits = self.rng.choice((0, 1, 8, 8, 16, 24, 24, 30, 31, 32, self.rng.randrange(33)))
            return {"cidr": f"{base}/{bits}"}
        if roll < 0.9:
            base = self.rng.choice(V6_BASES)
            if self.rng.random() < 0.2:
                base = base.upper()
            bits = self.rng.choice((0, 32, 48, 64, 64, 96, 120, 127, 128))
            return {"cidr": f"{base}/{bits}"}
        return {"cidr": self.rng.choice(ODD_CIDRS)}

    def bad_matcher(self) -> Any:
        return self.rng.choice((
            {"unknown-op": "x"}, {"prefix": "a", "suffix": "b"}, {}, ["x"], {"equals-ignore-case": Num("1")},
            {"prefix": {"foo": "x"}}, {"exists": True, "prefix": "x"}, {"suffix": None}, {"prefix": []},
        ))

    # events

    def event(self, pattern: dict, hit: bool, mutations: int) -> dict:
        """An event built from the pattern (each condition satisfied, or nearly), then mutated."""
        event: dict = {}
        self._fill(event, pattern, hit)
        for _ in range(mutations):
            self.mutate(event)
        return event

    def _fill(self, event: dict, pattern: Any, hit: bool) -> None:
        if not isinstance(pattern, dict):
            return
        for key, value in pattern.items():
            alternatives = or_alternatives(key, value)
            if alternatives:
                for alternative in self.rng.sample(alternatives, k=self.rng.choice((1, 1, 2))):
                    self._fill(event, alternative, hit)
            elif isinstance(value, dict):
                inner: dict = {}
                self._fill(inner, value, hit)
                self._put(event, key, inner)
            elif isinstance(value, list) and value:
                leaf_hits = self.rng.random() < (0.9 if hit else 0.4)  # a miss needs only one field to miss
                leaf = self.value_for(self.rng.choice(value), leaf_hits)
                if leaf is not ABSENT:
                    self._put(event, key, leaf)
            else:
                self._put(event, key, self.any_value())

    def _put(self, event: dict, key: str, value: Any) -> None:
        """Sets the field, a dotted key either as it is or as nested objects."""
        parts = key.split(".") if "." in key and self.rng.random() < 0.5 else [key]
        for part in parts[:-1]:
            if not isinstance(event.get(part), dict):
                event[part] = {}
            event = event[part]
        if isinstance(value, dict) and isinstance(event.get(parts[-1]), dict):
            event[parts[-1]].update(value)  # two pattern paths into one object ($or, dotted keys)
        else:
            event[parts[-1]] = value

    def value_for(self, matcher: Any, hit: bool) -> Any:
        """A value that satisfies the matcher (hit) or narrowly does not."""
        if isinstance(matcher, str):
            return self._near_string(matcher, hit)
        if isinstance(matcher, Num):
            if hit:
                return self.spell(matcher.value)
            return self.rng.choice((matcher.text, self.spell(matcher.value + 1), self.number()))
        if matcher is None or isinstance(matcher, bool):
            return matcher if hit else self.rng.choice((dumps(matcher), Num("0"), not matcher, None))
        if not isinstance(matcher, dict) or len(matcher) != 1:
            return self.any_value()
        (op, operand), = matcher.items()
        if op in ("prefix", "suffix"):
            ignore_case = isinstance(operand, dict) and "equals-ignore-case" in operand
            text = operand.get("equals-ignore-case") if ignore_case else operand
            if not isinstance(text, str):
                return self.any_value()
            return self._affixed(op, text, ignore_case, hit)
        if op == "equals-ignore-case" and isinstance(operand, str):
            return self.flip_case(operand) if hit else self.flip_case(operand) + self.rng.choice(TAILS[1:])
        if op == "wildcard" and isinstance(operand, str):
            text = self.expand_wildcard(operand)
            return text if hit else self.rng.choice((text + "q", text[1:], self.flip_case(text)))
        if op == "anything-but":
            return self._anything_but_value(operand, hit)
        if op == "numeric" and isinstance(operand, list):
            return self._numeric_value(operand, hit)
        if op == "exists":
            wants = operand is True
            return self.any_value() if wants == hit else ABSENT
        if op == "cidr" and isinstance(operand, str):
            return self._ip_for(operand, hit)
        return self.any_value()

    def _near_string(self, text: str, hit: bool) -> Any:
        if hit:
            return self.respell_ip(text) if self.rng.random() < 0.3 else text
        numeric = re.fullmatch(r"-?\d+(\.\d+)?", text)
        return self.rng.choice((self.flip_case(text), text + "x", text[:-1], " " + text,
                                Num(text) if numeric else None))

    def _affixed(self, op: str, text: str, ignore_case: bool, hit: bool) -> str:
        if ignore_case:
            text = self.flip_case(text)
        if not hit:
            text = self.rng.choice((self.flip_case(text), text[:-1], text[1:] + "q"))
        tail = self.rng.choice(TAILS)
        return text + tail if op == "prefix" else tail + text

    def expand_wildcard(self, pattern: str) -> str:
        out = []
        i = 0
        while i < len(pattern):
            if pattern[i] == "\\" and i + 1 < len(pattern):
                out.append(pattern[i + 1])
                i += 2
                continue
            out.append(self.rng.choice(("", "x", "ab", "*", "é")) if pattern[i] == "*" else pattern[i])
            i += 1
        return "".join(out)

    def _anything_but_value(self, operand: Any, hit: bool) -> Any:
        if isinstance(operand, dict) and len(operand) == 1:
            (kind, values), = operand.items()
            values = values if isinstance(values, list) else [values]
            values = [v for v in values if isinstance(v, str)]
            if not values or hit and self.rng.random() < 0.7:
                return self.any_value()  # mostly strings that miss the exclusion, sometimes non-strings
            excluded = self.rng.choice(values)
            if kind == "prefix":
                return excluded + self.rng.choice(TAILS)
            if kind == "suffix":
                return self.rng.choice(TAILS) + excluded
            if kind == "equals-ignore-case":
                return self.flip_case(excluded)
            return self.expand_wildcard(excluded) if kind == "wildcard" else excluded
        excluded = operand if isinstance(operand, list) else [operand]
        if hit or not excluded:
            return self.rng.choice((self.any_value(), self.any_value(),
                                    self.value_for(self.rng.choice(excluded), False) if excluded else None))
        return self.value_for(self.rng.choice(excluded), True)

    def _numeric_value(self, operands: list, hit: bool) -> Any:
        bounds = [(op, n.value) for op, n in zip(operands[::2], operands[1::2])
                  if isinstance(op, str) and isinstance(n, Num)]
        tests = {"=": lambda v, b: v == b, "<": lambda v, b: v < b, "<=": lambda v, b: v <= b,
                 ">": lambda v, b: v > b, ">=": lambda v, b: v >= b}
        candidates = [b + delta for _, b in bounds for delta in (0, 1, -1, Decimal("0.5"), Decimal("-0.000001"))]
        candidates += [self.decimal() for _ in range(3)]
        wanted = [c for c in candidates
                  if all(op in tests and tests[op](c, b) for op, b in bounds) == hit]
        value = self.rng.choice(wanted or candidates)
        if value == 0 and self.rng.random() < 0.3:
            value = Decimal("-0")
        spelled = self.spell(value)
        return spelled.text if not hit and self.rng.random() < 0.15 else spelled  # a numeric-looking string

    def _ip_for(self, cidr: str, hit: bool) -> str:
        found = re.fullmatch(r"([0-9a-fA-F.:]+)/\+?(\d+)", cidr)
        try:
            if not found:
                raise ValueError(cidr)
            address = found[1]
            if "." in address:  # Java reads 010 as 10; Python refuses leading zeros
                address = ".".join(str(int(octet)) for octet in address.split("."))
            network = ipaddress.ip_network(f"{address}/{int(found[2])}", strict=False)
        except ValueError:
            return self.respell_ip(self.rng.choice(("10.0.0.5", "2001:db8::5")))
        if hit:
            offset = self.rng.choice((0, network.num_addresses - 1, self.rng.randrange(network.num_addresses)))
            address = network.network_address + offset
        else:
            below = int(network.network_address) - 1
            above = int(network.broadcast_address) + 1
            options = [n for n in (below, above) if 0 <= n < 2 ** network.max_prefixlen]
            if not options:
                return self.respell_ip("2001:db8::1" if network.version == 4 else "10.0.0.1")
            address = type(network.network_address)(self.rng.choice(options))
        return self.respell_ip(str(address))

    def respell_ip(self, text: str) -> str:
        """The same address written differently (010.0.0.5, 2001:DB8:0:0::1, ::ffff:10.0.0.5);
        text that is no address comes back as it is."""
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return text
        roll = self.rng.random()
        if address.version == 4:
            octets = str(address).split(".")
            if roll < 0.3:
                i = self.rng.randrange(4)
                octets[i] = "0" + octets[i]
            elif roll < 0.4:
                return "::ffff:" + str(address)
            return ".".join(octets)
        hextets = [format(int(h, 16), "x") for h in address.exploded.split(":")]
        if roll < 0.25:
            return address.exploded.upper()
        if roll < 0.5:
            return ":".join(hextets)
        zeros = [i for i, h in enumerate(hextets) if h == "0"]
        if zeros and roll < 0.8:
            start = self.rng.choice(zeros)
            end = start
            while end < 8 and hextets[end] == "0":
                end += 1
            return (":".join(hextets[:start]) + "::" + ":".join(hextets[end:])).upper()
        return address.compressed

    def mutate(self, event: dict) -> None:
        """One structural or type change at a random place in the event."""
        slots = list(_slots(event))
        if not slots:
            event[self.rng.choice(KEYS)] = self.any_value()
            return
        container, key = self.rng.choice(slots)
        value = container[key]
        op = self.rng.randrange(12)
        if op == 0:
            del container[key]
        elif op == 1:
            if isinstance(value, Num):
                container[key] = value.text
            elif isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?([eE][-+]?\d+)?", value):
                container[key] = Num(value)
            else:
                container[key] = self.number()
        elif op == 2:
            container[key] = None
        elif op == 3:
            other = self.any_value()
            container[key] = self.rng.choice(([value], [value, other], [None, value], [other, value]))
        elif op == 4:
            container[key] = []
        elif op == 5:
            container[key] = self.rng.choice(([[value]], [value, [copy.deepcopy(value)]]))
        elif op == 6:
            container[key] = self._as_object_array(value)
        elif op == 7 and isinstance(container, dict) and isinstance(value, dict) and value:
            inner = self.rng.choice(list(value))  # {"a":{"b":v}} → {"a.b":v}
            container[f"{key}.{inner}"] = value.pop(inner)
        elif op == 8 and isinstance(container, dict) and "." in key:
            head, rest = key.split(".", 1)  # {"a.b":v} → {"a":{"b":v}}
            del container[key]
            if not isinstance(container.get(head), dict):
                container[head] = {}
            container[head][rest] = value
        elif op == 9 and isinstance(value, str):
            container[key] = self.respell_ip(value)
        elif op == 10 and isinstance(value, Num):
            container[key] = self.spell(value.value)
        elif isinstance(container, dict):
            container[self.rng.choice(KEYS)] = self.any_value()
        else:
            container.append(self.any_value())

    def _as_object_array(self, value: Any) -> Any:
        """An object spread over array elements, kept in one element, or next to a decoy."""
        if not isinstance(value, dict) or not value:
            return [value]
        how = self.rng.randrange(3)
        if how == 0:
            return [{k: v} for k, v in value.items()]
        if how == 1:
            return [value]
        decoy = {self.rng.choice(list(value)): self.any_value()}
        return self.rng.choice(([value, decoy], [decoy, value]))


def _slots(value: Any) -> Iterator[tuple[Any, Any]]:
    """(container, key) for every value below the root, in document order."""
    if isinstance(value, dict):
        for key in list(value):
            yield value, key
            yield from _slots(value[key])
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield value, index
            yield from _slots(item)


@dataclass
class Case:
    pattern_text: str
    event_text: str
    pattern: Any = NOT_JSON  # the parsed JSON (numbers as Num), for classifying and shrinking
    event: Any = NOT_JSON

    @property
    def line(self) -> str:
        return f"{self.pattern_text}\t{self.event_text}"


def generate(pairs: int, seed: int) -> list[Case]:
    """`pairs` cases: EVENTS_PER_PATTERN events per pattern, half aimed to hit, half to miss,
    the second half of them mutated."""
    generator = Generator(random.Random(seed))
    cases: list[Case] = []
    while len(cases) < pairs:
        pattern = generator.top_pattern()
        pattern_text = dumps(pattern)
        for i in range(min(EVENTS_PER_PATTERN, pairs - len(cases))):
            mutations = 0 if i < 2 else generator.rng.randint(1, 2)
            event = generator.event(pattern, hit=i % 2 == 0, mutations=mutations)
            cases.append(Case(pattern_text, dumps(event), pattern, event))
    return cases


def _parsed(text: str) -> Any:
    try:
        return loads(text)
    except ValueError:
        return NOT_JSON


def read_cases(path: Path) -> list[Case]:
    """PATTERN<TAB>EVENT lines; lines starting with # and blank lines are skipped, and columns after
    the event (a report's verdicts) are ignored."""
    cases = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        line = line.rstrip("\r")
        if not line or line.startswith("#"):
            continue
        pattern_text, _, rest = line.partition("\t")
        event_text = rest.split("\t", 1)[0]
        cases.append(Case(pattern_text, event_text, _parsed(pattern_text), _parsed(event_text)))
    return cases


def conformance_cases(path: Path) -> list[Case]:
    """tests/patterns/cases.json as pairs: each matching case's pattern with each of its events,
    and each invalid case's pattern with {} (number literals kept as written)."""
    cases = loads(path.read_text(encoding="utf-8"))
    pairs = [(c["pattern"], event) for c in cases["matching"] for event in c["match"] + c["miss"]]
    pairs += [(c["pattern"], {}) for c in cases["invalid"]]
    return [Case(dumps(p), dumps(e), p, e) for p, e in pairs]


# --- known differences ---------------------------------------------------------------------------

SERVICE_NUMERIC_LIMIT = Decimal("5e9")


def _matchers(pattern: Any) -> Iterator[dict]:
    """The operator objects of a pattern's leaf lists; $or alternatives are walked as patterns."""
    if not isinstance(pattern, dict):
        return
    for key, value in pattern.items():
        if isinstance(value, dict):
            yield from _matchers(value)
        elif isinstance(value, list):
            if or_alternatives(key, value):
                for alternative in value:
                    yield from _matchers(alternative)
            else:
                yield from (m for m in value if isinstance(m, dict))


def _numeric_operand_beyond_service_range(pattern: Any) -> bool:
    for matcher in _matchers(pattern):
        for op in ("numeric", "anything-but"):
            operand = matcher.get(op)
            numbers = operand if isinstance(operand, list) else [operand]
            if any(isinstance(n, Num) and abs(n.value) > SERVICE_NUMERIC_LIMIT for n in numbers):
                return True
    return False


def _older_compiler(pattern: Any) -> bool:
    """Whether event-ruler reads the pattern with its older compiler: an "$or" anywhere that is
    not a list of two or more patterns (pattern.cpp's needs_older_compiler)."""
    if not isinstance(pattern, dict):
        return False
    for key, value in pattern.items():
        if key == "$or" and not or_alternatives(key, value):
            return True
        children = value if key == "$or" else [value]
        if any(_older_compiler(child) for child in children):
            return True
    return False


def _alternatives(pattern: dict, prefix: str, older: bool, limit: int) -> list[list[str]] | None:
    """The field names of each alternative the pattern's $or multiply into (None past `limit`)."""
    out: list[list[str]] = [[]]
    for key, value in pattern.items():
        choices: list[list[str]] | None
        if not older and or_alternatives(key, value):
            choices = []
            for alternative in value:
                more = _alternatives(alternative, prefix, older, limit)
                if more is None:
                    return None
                choices += more
        else:
            name = f"{prefix}.{key}" if prefix else key
            choices = _alternatives(value, name, older, limit) if isinstance(value, dict) else [[name]]
            if choices is None:
                return None
        if len(out) * len(choices) > limit:
            return None
        out = [left + right for left in out for right in choices]
    return out


def _field_given_twice(pattern: Any) -> bool:
    if not isinstance(pattern, dict):
        return False
    alternatives = _alternatives(pattern, "", _older_compiler(pattern), PARETO_ALTERNATIVES_LIMIT)
    return alternatives is not None and any(len(set(names)) < len(names) for names in alternatives)


def _too_many_alternatives(pattern: Any) -> bool:
    return isinstance(pattern, dict) and _alternatives(
        pattern, "", _older_compiler(pattern), PARETO_ALTERNATIVES_LIMIT) is None


def _empty_anything_but_list(pattern: Any) -> bool:
    return any(isinstance(m.get("anything-but"), dict) and
               any(v == [] for v in m["anything-but"].values()) for m in _matchers(pattern))


PARETO_ALTERNATIVES_LIMIT = 1024  # pattern.cpp's kMaxAlternatives

# Where pareto deliberately refuses what event-ruler takes: such a pattern must be invalid in
# pareto whatever event-ruler says. (reason, applies to the parsed pattern)
KNOWN_DIFFERENCES: list[tuple[str, Callable[[Any], bool]]] = [
    ("numeric operand beyond ±5e9: the service limits numeric matching to -5.0e9..+5.0e9 "
     "(content-filtering docs); event-ruler 2.1.0 takes any double",
     _numeric_operand_beyond_service_range),
    ("a field given twice (as \"a.b\" and {\"a\": {\"b\"}}, or in an $or and beside it): event-ruler "
     "keeps the one later in the text, and JSON's key order is not something pareto's reader keeps",
     _field_given_twice),
    ("$or choices that multiply past pareto's limit of alternatives: EventBridge refuses patterns "
     "past a complexity limit it does not publish, and event-ruler has none",
     _too_many_alternatives),
    ("anything-but with an empty list: event-ruler accepts it, and fails with a NullPointerException "
     "when the machine holds it alone",
     _empty_anything_but_list),
]


def _numbers(value: Any) -> Iterator[Num]:
    if isinstance(value, Num):
        yield value
    for child in value.values() if isinstance(value, dict) else value if isinstance(value, list) else []:
        yield from _numbers(child)


def _beyond_double(event: Any) -> bool:
    return any(math.isinf(float(n.text)) for n in _numbers(event))


def _inexact_exact_number(pattern: Any) -> bool:
    """An exact number whose text is not its double's (1.00000000000000001): event-ruler also
    compares it as text, which pareto's reader does not keep."""
    def inexact(n: Num) -> bool:
        value = float(n.text)
        return not math.isinf(value) and Decimal(n.text) != Decimal(repr(value))

    def exact_values(value: Any) -> Iterator[Num]:
        if isinstance(value, dict):
            for key, child in value.items():
                for item in child if isinstance(child, list) and key != "numeric" else [child]:
                    if isinstance(item, Num):
                        yield item
                    elif isinstance(item, (dict, list)) and key not in ("numeric", "anything-but"):
                        yield from exact_values(item)
        elif isinstance(value, list):
            for item in value:
                yield from exact_values(item)

    return any(inexact(n) for n in exact_values(pattern))


def _numeric_range(matcher: Any) -> bool:
    terms = matcher.get("numeric") if isinstance(matcher, dict) else None
    return isinstance(terms, list) and any(op != "=" for op in terms[::2])


def _shared_transitions(pattern: Any) -> bool:
    """Matchers of one field that event-ruler's byte machine mixes up: an exact string and another
    string matcher beside a numeric range (["x", {"numeric": ["<", 0]}, "b"] misses "x"), or a
    wildcard beside equals-ignore-case, either of them inside anything-but or not
    ([{"wildcard": "*x"}, {"equals-ignore-case": "ж"}] matches "2"), a wildcard beside a prefix or
    suffix with non-ASCII text ([{"wildcard": "*x"}, {"suffix": "ß"}] matches "é"), and "exists":
    false in two $or alternatives ({"$or": [{"x": [{"exists": false}]}, {"x": [{"exists": false},
    ""]}]} misses {"x": ""}), and two $or alternatives testing one field for a common value
    ({"$or": [{"c": ["a"]}, {"c": ["a", "b"]}]} misses {"c": "b"}), and an exact value beside a
    numeric range in a pattern with an $or ({"b": [null, {"numeric": [">", -2.5, "<=", 2]}],
    "$or": [{"c": …}, {"c": [{"wildcard": "xΣ\\*"}]}]} misses {"b": [null], "c": "Σ*"}).
    One machine holds every $or alternative, so a field's matchers are taken together across them."""
    by_field: dict[str, list] = {}
    for name, items in _named_lists(pattern, ""):
        by_field.setdefault(name, []).extend(items)
    for items in by_field.values():
        ops = {next(iter(m)) for m in items if isinstance(m, dict) and len(m) == 1}
        strings = sum(isinstance(m, str) for m in items)
        string_matchers = strings + len(ops & {"prefix", "suffix", "wildcard", "equals-ignore-case"})
        inner = {next(iter(m["anything-but"])) for m in items if isinstance(m, dict) and
                 isinstance(m.get("anything-but"), dict) and len(m["anything-but"]) == 1}
        wildcard = "wildcard" in ops | inner
        others = (ops | inner) & {"prefix", "suffix", "equals-ignore-case"}
        if (strings and string_matchers >= 2 and any(_numeric_range(m) for m in items)) or \
                (wildcard and "equals-ignore-case" in ops | inner) or \
                (wildcard and others and not dumps(items).isascii()):
            return True
    lists = list(by_field.values())
    literal_beside_range = any(any(m is None or isinstance(m, (bool, str)) for m in items) and
                               any(_numeric_range(m) for m in items) for items in lists)
    if literal_beside_range and _has_or(pattern):
        return True
    absent = [name for name, items in _named_lists(pattern, "") if {"exists": False} in items]
    if len(absent) > len(set(absent)):
        return True
    seen: dict[str, list[set[str]]] = {}
    for name, items in _named_lists(pattern, ""):
        values = {str(float(m.text) + 0.0) if isinstance(m, Num) else dumps(m) for m in items}  # -0 is 0
        if any(values & other for other in seen.get(name, [])):
            return True
        seen.setdefault(name, []).append(values)
    return False


def _has_or(pattern: Any) -> bool:
    return isinstance(pattern, dict) and any(
        bool(or_alternatives(key, value)) or _has_or(value) for key, value in pattern.items())


def _named_lists(pattern: Any, prefix: str) -> Iterator[tuple[str, list]]:
    """The leaf lists of a pattern with their field names, through $or alternatives."""
    if isinstance(pattern, dict):
        for key, value in pattern.items():
            if isinstance(value, list) and or_alternatives(key, value):
                for alternative in value:
                    yield from _named_lists(alternative, prefix)
                continue
            name = f"{prefix}.{key}" if prefix else key
            if isinstance(value, dict):
                yield from _named_lists(value, name)
            elif isinstance(value, list):
                yield name, value


def _address_across_families(pattern: Any, event: Any) -> bool:
    """A cidr block against a number or an address of the other family: event-ruler compares
    their hex encodings digit by digit over the shorter length, so an IPv4 address can fall in
    an IPv6 block and a number in a /0 (pareto: an IPv6 address falls in an IPv4 block by its
    first four bytes; nothing else crosses)."""
    blocks: list[str] = []
    names: set[str] = set()
    _cidr_fields(pattern, "", blocks, names)
    if not blocks:
        return False
    values = [v for name in names for v in _values_at(event, name)]
    if any(isinstance(v, Num) for v in values):
        return True
    v6_block = any(":" in b for b in blocks)
    return any(isinstance(v, str) and _family(v) == (4 if v6_block else 6) for v in values)


def _family(text: str) -> int | None:
    """4 or 6 as Java reads the address (an IPv4-mapped IPv6 address is IPv4), else None."""
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return 4 if "." in text else 6 if ":" in text else None
    return 4 if address.version == 4 or address.ipv4_mapped else 6


def _cidr_fields(pattern: Any, prefix: str, blocks: list[str], names: set[str]) -> None:
    if not isinstance(pattern, dict):
        return
    for key, value in pattern.items():
        if isinstance(value, list) and or_alternatives(key, value):
            for alternative in value:
                _cidr_fields(alternative, prefix, blocks, names)
            continue
        name = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _cidr_fields(value, name, blocks, names)
        elif isinstance(value, list):
            found = [m["cidr"] for m in value if isinstance(m, dict) and isinstance(m.get("cidr"), str)]
            if found:
                blocks += found
                names.add(name)


def _values_at(event: Any, name: str) -> Iterator[Any]:
    """The event's leaf values whose keys, joined with ".", are `name` (arrays looked through)."""
    def walk(node: Any, path: str) -> Iterator[Any]:
        if isinstance(node, list):
            for item in node:
                yield from walk(item, path)
        elif isinstance(node, dict):
            for key, child in node.items():
                joined = f"{path}.{key}" if path else key
                if name == joined or name.startswith(joined + "."):
                    yield from walk(child, joined)
        elif path == name:
            yield node
    return walk(event, "")


# event-ruler answers that come from the library's workings and that pareto does not follow;
# such a pair is left out. (reason, applies to the parsed pattern and event)
LIBRARY_QUIRKS: list[tuple[str, Callable[[Any, Any], bool]]] = [
    ("an event number beyond a double's range: pareto's JSON reader refuses the event",
     lambda pattern, event: _beyond_double(event)),
    ("an exact number whose text is not exactly a double", lambda pattern, event: _inexact_exact_number(pattern)),
    ("a cidr block against a number or the other family's address", _address_across_families),
    ("one field's matchers that event-ruler's byte machine mixes up",
     lambda pattern, event: _shared_transitions(pattern)),
]


def library_quirk(pattern: Any, event: Any) -> str | None:
    if pattern is NOT_JSON or event is NOT_JSON:
        return None
    for reason, applies in LIBRARY_QUIRKS:
        if applies(pattern, event):
            return reason
    return None


def known_difference(pattern: Any) -> str | None:
    """The reason pareto must refuse this pattern although event-ruler may accept it, or None."""
    for reason, applies in KNOWN_DIFFERENCES:
        if applies(pattern):
            return reason
    return None


# --- the two sides -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Verdict:
    word: str  # match | no-match | invalid | bad-event (| error, timeout)
    detail: str = ""

    def __str__(self) -> str:
        return f"{self.word}({self.detail[:100]})" if self.detail else self.word


MATCH, NO_MATCH = Verdict("match"), Verdict("no-match")


class ParetoJudge:
    """pareto's verdict on one pair; the compiled pattern is kept while the pattern text repeats."""

    def __init__(self) -> None:
        self._text: str | None = None
        self._compiled: pareto.Pattern | Verdict | None = None

    def __call__(self, pattern_text: str, event_text: str) -> Verdict:
        if pattern_text != self._text:
            self._text = pattern_text
            try:
                self._compiled = pareto.compile(pattern_text)
            except pareto.ValidationError as error:
                self._compiled = Verdict("invalid", error.errors[0]["message"] if error.errors else str(error))
            except ValueError as error:  # the pattern is not JSON
                self._compiled = Verdict("invalid", str(error))
        if isinstance(self._compiled, Verdict):
            return self._compiled
        try:
            return MATCH if self._compiled.matches(event_text) else NO_MATCH
        except ValueError as error:
            return Verdict("bad-event", str(error))
        except pareto.ParetoError as error:
            return Verdict("error", str(error))


def _oracle_verdict(line: str) -> Verdict:
    word, _, detail = line.partition("\t")
    return Verdict(word, detail)


def require_jar(jar: Path) -> Path:
    if not jar.is_file():
        raise FileNotFoundError(f"{jar} is missing: {BUILD_HINT}")
    return jar


def oracle_batch(jar: Path, lines: list[str]) -> list[Verdict]:
    """event-ruler's verdicts on all lines from one JVM (bytes, split on LF only: a message may
    quote a pattern holding U+2028, which str.splitlines would split on)."""
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    done = subprocess.run(JAVA + [str(require_jar(jar))], input=data, capture_output=True, check=True,
                          timeout=120 + len(lines) / 500)
    answers = done.stdout.decode("utf-8").split("\n")[:-1]
    if len(answers) != len(lines):
        raise RuntimeError(f"the oracle answered {len(answers)} of {len(lines)} lines: {done.stderr[-2000:]!r}")
    return [_oracle_verdict(answer) for answer in answers]


class OracleProcess:
    """event-ruler as a co-process (one line in, one line out), for shrinking, where each step
    depends on the answer to the last."""

    def __init__(self, jar: Path, timeout: float = 30.0) -> None:
        self._command = JAVA + [str(require_jar(jar))]
        self._timeout = timeout
        self._start()

    def _start(self) -> None:
        self._process = subprocess.Popen(self._command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                         stderr=subprocess.DEVNULL)
        self._pending = b""

    def ask(self, line: str) -> Verdict:
        self._process.stdin.write(line.encode("utf-8") + b"\n")
        self._process.stdin.flush()
        deadline = time.monotonic() + self._timeout
        descriptor = self._process.stdout.fileno()
        while b"\n" not in self._pending:
            ready, _, _ = select.select([descriptor], [], [], max(0.0, deadline - time.monotonic()))
            if not ready:  # a pathological pattern: start over rather than wait
                self.close()
                self._start()
                return Verdict("timeout", f"no answer in {self._timeout} s")
            chunk = os.read(descriptor, 1 << 16)
            if not chunk:
                raise RuntimeError("the oracle exited")
            self._pending += chunk
        answer, _, self._pending = self._pending.partition(b"\n")
        return _oracle_verdict(answer.decode("utf-8"))

    def close(self) -> None:
        self._process.stdin.close()
        try:
            self._process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


# --- comparing -----------------------------------------------------------------------------------

def expected_word(pattern: Any, oracle: Verdict) -> str:
    return "invalid" if known_difference(pattern) else oracle.word


@dataclass
class Disagreement:
    case: Case
    pareto: Verdict
    oracle: Verdict
    expected: str

    @property
    def kind(self) -> tuple[str, str, str]:
        """What shrinking must keep: the same two verdicts and the same expectation."""
        return self.pareto.word, self.oracle.word, self.expected


@dataclass
class Outcome:
    pairs: int = 0
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(
        ("match", "no-match", "invalid", "bad-event skipped", "library quirk skipped", "known difference",
         "disagreement"), 0))
    disagreements: list[Disagreement] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)

    def summary(self) -> str:
        counts = ", ".join(f"{name} {count}" for name, count in self.counts.items())
        times = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in self.seconds.items())
        return f"pairs {self.pairs}: {counts}\ntime: {times}"


def compare(cases: list[Case], jar: Path, seconds: dict[str, float] | None = None) -> Outcome:
    """Both sides' verdicts on every case (counts by the expected verdict)."""
    outcome = Outcome(pairs=len(cases), seconds=dict(seconds or {}))
    started = time.perf_counter()
    judge = ParetoJudge()
    paretos = [judge(case.pattern_text, case.event_text) for case in cases]
    outcome.seconds["pareto"] = time.perf_counter() - started
    started = time.perf_counter()
    oracles = oracle_batch(jar, [case.line for case in cases])
    outcome.seconds["oracle"] = time.perf_counter() - started
    for case, ours, theirs in zip(cases, paretos, oracles):
        if theirs.word == "bad-event":
            outcome.counts["bad-event skipped"] += 1
            continue
        if library_quirk(case.pattern, case.event):
            outcome.counts["library quirk skipped"] += 1
            continue
        expected = expected_word(case.pattern, theirs)
        outcome.counts[expected] = outcome.counts.get(expected, 0) + 1
        if expected != theirs.word:
            outcome.counts["known difference"] += 1
        if ours.word != expected:
            outcome.counts["disagreement"] += 1
            outcome.disagreements.append(Disagreement(case, ours, theirs, expected))
    return outcome


# --- shrinking and reporting ---------------------------------------------------------------------

def _children(value: Any) -> list:
    return list(value.values()) if isinstance(value, dict) else value if isinstance(value, list) else []


def _variants(value: Any) -> Iterator[Any]:
    """Strictly simpler copies of a JSON value, biggest cuts first: drop a key or element, put a
    grandchild in its parent's place, then simplify inside (shorter strings; numbers to their
    plain spelling, then 1, then 0)."""
    if isinstance(value, dict):
        items = list(value.items())
        for i in range(len(items)):
            yield dict(items[:i] + items[i + 1:])
        for i, (key, child) in enumerate(items):
            if key == "$or" and isinstance(child, list):  # one alternative in the $or's place
                for alternative in child:
                    if isinstance(alternative, dict):
                        yield dict(items[:i] + list(alternative.items()) + items[i + 1:])
        for i, (key, child) in enumerate(items):
            for grandchild in _children(child):
                yield dict(items[:i] + [(key, grandchild)] + items[i + 1:])
        for i, (key, child) in enumerate(items):
            for simpler in _variants(child):
                yield dict(items[:i] + [(key, simpler)] + items[i + 1:])
    elif isinstance(value, list):
        for i in range(len(value)):
            yield value[:i] + value[i + 1:]
        for i, child in enumerate(value):
            for grandchild in _children(child):
                yield value[:i] + [grandchild] + value[i + 1:]
        for i, child in enumerate(value):
            for simpler in _variants(child):
                yield value[:i] + [simpler] + value[i + 1:]
    else:
        yield from _simpler_leaves(value)


def _simpler_leaves(value: Any) -> list:
    """Shorter strings; numbers in a well-founded order (other spellings → plain, if not longer →
    1 → 0), so that shrinking cannot cycle."""
    if isinstance(value, str):
        return list(dict.fromkeys(s for s in ("", value[:len(value) // 2], value[1:], value[:-1]) if s != value))
    if not isinstance(value, Num) or value.text == "0":
        return []
    plain = canonical(value)
    if value.text == "1":
        return [Num("0")]
    shorter = plain != value and plain.text not in ("0", "1") and len(plain.text) <= len(value.text)
    return ([plain] if shorter else []) + [Num("1"), Num("0")]


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, (dict, list)):
        for child in _children(value):
            yield from _leaves(child)
    elif isinstance(value, (str, Num)):
        yield value


def _replaced(value: Any, old: Any, new: Any) -> Any:
    if isinstance(value, dict):
        return {key: _replaced(child, old, new) for key, child in value.items()}
    if isinstance(value, list):
        return [_replaced(child, old, new) for child in value]
    return new if type(value) is type(old) and value == old else value


def _object_paths(value: Any, path: tuple = ()) -> Iterator[tuple]:
    """The key paths (through objects only) of the objects nested in value."""
    if isinstance(value, dict):
        for key, child in value.items():
            if isinstance(child, dict):
                yield path + (key,)
                yield from _object_paths(child, path + (key,))


def _unwrapped(value: Any, path: tuple) -> Any:
    """value with the object at path merged into its parent, or None when there is none."""
    if not isinstance(value, dict) or path[0] not in value:
        return None
    child = value[path[0]]
    if len(path) == 1:
        if not isinstance(child, dict):
            return None
        items = list(value.items())
        i = list(value).index(path[0])
        return dict(items[:i] + list(child.items()) + items[i + 1:])
    inner = _unwrapped(child, path[1:])
    return None if inner is None else {**value, path[0]: inner}


def _renamed(value: Any, old: str, new: str) -> Any:
    if isinstance(value, dict):
        return {new if key == old else key: _renamed(child, old, new) for key, child in value.items()}
    if isinstance(value, list):
        return [_renamed(child, old, new) for child in value]
    return value


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        yield from value
    for child in _children(value):
        yield from _keys(child)


def _joint_variants(pattern: Any, event: Any) -> Iterator[tuple[Any, Any]]:
    """Changes to both sides at once, which one-sided steps cannot make: a nesting level taken
    out of both, a dotted key renamed without its dots, one string or number simplified
    wherever it occurs."""
    for path in _object_paths(pattern):
        inner_event = _unwrapped(event, path)
        if inner_event is not None:
            yield _unwrapped(pattern, path), inner_event
    for key in dict.fromkeys(k for k in _keys(pattern) if "." in k):
        plain = key.replace(".", "")
        yield _renamed(pattern, key, plain), _renamed(event, key, plain)
    for leaf in dict.fromkeys(_leaves(pattern)):
        for simpler in _simpler_leaves(leaf):
            yield _replaced(pattern, leaf, simpler), _replaced(event, leaf, simpler)


class Shrinker:
    """Greedy delta debugging over the parsed pattern and event: take the first simpler pair that
    keeps the disagreement, repeat until none does."""

    def __init__(self, jar: Path, max_steps: int = 3000) -> None:
        self._oracle = OracleProcess(jar)
        self._pareto = ParetoJudge()
        self._max_steps = max_steps

    def close(self) -> None:
        self._oracle.close()

    def shrink(self, found: Disagreement) -> Disagreement:
        pattern, event = found.case.pattern, found.case.event
        if pattern is NOT_JSON or event is NOT_JSON:
            return found
        kind = found.kind
        seen: set[tuple[str, str]] = set()
        steps = 0

        def keeps(candidate_pattern: Any, candidate_event: Any) -> tuple[Verdict, Verdict] | None:
            nonlocal steps
            key = (dumps(candidate_pattern), dumps(candidate_event))
            if key in seen or steps >= self._max_steps:
                return None
            seen.add(key)
            steps += 1
            ours = self._pareto(*key)
            if ours.word != kind[0] or library_quirk(candidate_pattern, candidate_event):  # in-process and cheap: most candidates stop here
                return None
            theirs = self._oracle.ask("\t".join(key))
            return (ours, theirs) if (ours.word, theirs.word, expected_word(candidate_pattern, theirs)) == kind else None

        verdicts = keeps(pattern, event)
        if verdicts is None:  # re-serializing changed the case (a repeated key): report it as found
            return found
        progress = True
        while progress:
            progress = False
            candidates = list(_joint_variants(pattern, event))
            candidates += [(p, event) for p in _variants(pattern) if isinstance(p, dict)]
            candidates += [(pattern, e) for e in _variants(event) if isinstance(e, dict)]
            for candidate_pattern, candidate_event in candidates:
                kept = keeps(candidate_pattern, candidate_event)
                if kept:
                    pattern, event, verdicts = candidate_pattern, candidate_event, kept
                    progress = True
                    break
        case = Case(dumps(pattern), dumps(event), pattern, event)
        return Disagreement(case, verdicts[0], verdicts[1], kind[2])


def _operator_names(pattern: Any, names: list[str]) -> None:
    if not isinstance(pattern, dict):
        names.append("non-object")
        return
    for key, value in pattern.items():
        if "." in key:
            names.append("dotted-key")
        alternatives = or_alternatives(key, value)
        if alternatives:
            names.append("$or")
            for alternative in alternatives:
                _operator_names(alternative, names)
            continue
        if key == "$or":
            names.append("$or-as-field-name")
        if isinstance(value, dict):
            _operator_names(value, names)
        elif not isinstance(value, list):
            names.append("non-list-leaf")
        elif not value:
            names.append("empty-list")
        else:
            names.extend(map(_matcher_name, value))


def _matcher_name(matcher: Any) -> str:
    if isinstance(matcher, str):
        return "exact-string"
    if isinstance(matcher, Num):
        return "exact-number"
    if matcher is None or isinstance(matcher, bool):
        return "exact-null/bool"
    if not isinstance(matcher, dict):
        return "nested-list"
    if len(matcher) != 1:
        return f"operator-object-of-{len(matcher)}-keys"
    (op, operand), = matcher.items()
    if isinstance(operand, dict) and op in ("prefix", "suffix", "anything-but") and len(operand) == 1:
        return f"{op}/{next(iter(operand))}"
    return "anything-but/list" if op == "anything-but" and isinstance(operand, list) else op


def _event_shapes(event: Any, names: list[str]) -> None:
    for value in _children(event):
        if isinstance(value, list):
            names.extend("array-of-objects" if isinstance(v, dict) else "nested-array"
                         for v in value if isinstance(v, (dict, list)))
        _event_shapes(value, names)
    if isinstance(event, dict) and any("." in key for key in event):
        names.append("dotted-key-in-event")


def _message_shape(detail: str) -> str:
    """A refusal message without its particulars (quoted text, numbers, the echoed source)."""
    detail = detail.split(" at [Source")[0].strip()
    return re.sub(r'"[^"]*"', '"…"', re.sub(r"-?\d[\d.eE+-]*", "N", detail))


def family(found: Disagreement) -> str:
    """A short label, then the verdicts. When one side refused the pattern (or pareto the event),
    the label is its message and the other side's match or no-match is just "valid": the event
    is beside the point. Otherwise it names the operators and shapes in the case."""
    ours, theirs = found.pareto.word, found.oracle.word
    if ours in ("invalid", "bad-event"):
        label = f"pareto says: {_message_shape(found.pareto.detail)}"
        theirs = "valid" if theirs in ("match", "no-match") else theirs
    elif theirs == "invalid":
        label = f"event-ruler says: {_message_shape(found.oracle.detail)}"
        ours = "valid"
    else:
        names: list[str] = []
        _operator_names(found.case.pattern, names)
        _event_shapes(found.case.event, names)
        label = " ".join(sorted(set(names))) or "plain"
    expected = f" expected={found.expected}" if found.expected != found.oracle.word else ""
    return f"{label}: pareto={ours} oracle={theirs}{expected}"


def _take_round_robin(queues: dict[Any, list]) -> Iterator[Any]:
    """Items from each queue in turn until all are empty."""
    while queues:
        for name in list(queues):
            yield queues[name].pop(0)
            if not queues[name]:
                del queues[name]


def report(outcome: Outcome, jar: Path, max_reports: int = 30, per_family: int = 1,
           max_shrinks: int = 300) -> str:
    """The summary, then up to max_reports distinct minimal disagreements grouped by family
    (at most per_family each). What gets shrunk is picked round-robin over the verdict pairs,
    and within each over the unshrunk families, so that one common cause does not crowd out
    the rarer ones."""
    if not outcome.disagreements:
        return outcome.summary()
    by_kind: dict[tuple, dict[str, list[Disagreement]]] = {}
    tried: set[tuple] = set()
    for found in outcome.disagreements:
        if (found.case.pattern_text, found.kind) not in tried:  # one event per pattern and kind is enough
            tried.add((found.case.pattern_text, found.kind))
            by_kind.setdefault(found.kind, {}).setdefault(family(found), []).append(found)
    lines = ["disagreements by verdicts:"]
    counts: dict[tuple, int] = {}
    for found in outcome.disagreements:
        counts[found.kind] = counts.get(found.kind, 0) + 1
    lines += [f"  {count:6d}  pareto={ours} oracle={theirs} expected={expected}"
              for (ours, theirs, expected), count in sorted(counts.items(), key=lambda kv: -kv[1])]

    started = time.perf_counter()
    picks = _take_round_robin({kind: list(_take_round_robin(families)) for kind, families in by_kind.items()})
    shrinker = Shrinker(jar)
    minimal: dict[str, Disagreement] = {}
    family_sizes: dict[str, int] = {}
    shrinks = 0
    try:
        for found in picks:
            if len(minimal) >= max_reports or shrinks >= max_shrinks:
                break
            small = shrinker.shrink(found)
            shrinks += 1
            label = family(small)
            if small.case.line not in minimal and family_sizes.get(label, 0) < per_family:
                minimal[small.case.line] = small
                family_sizes[label] = family_sizes.get(label, 0) + 1
    finally:
        shrinker.close()
    outcome.seconds["shrinking"] = time.perf_counter() - started

    grouped: dict[str, list[Disagreement]] = {}
    for small in minimal.values():
        grouped.setdefault(family(small), []).append(small)
    lines.append(f"{len(minimal)} distinct minimal cases from {shrinks} shrunk disagreements, by family:")
    for name in sorted(grouped):
        lines.append(f"## {name}")
        lines += [f"{small.case.line}\tpareto={small.pareto}\toracle={small.oracle}" for small in grouped[name]]
    return "\n".join([outcome.summary()] + lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pairs", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=25)
    parser.add_argument("--jar", type=Path, default=DEFAULT_JAR)
    parser.add_argument("--cases", type=Path, help="run these PATTERN<TAB>EVENT lines instead of the generator")
    parser.add_argument("--max-reports", type=int, default=30)
    args = parser.parse_args(argv)
    if not args.jar.is_file():
        print(f"{args.jar} is missing: {BUILD_HINT}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    cases = read_cases(args.cases) if args.cases else generate(args.pairs, args.seed)
    outcome = compare(cases, args.jar, {"reading" if args.cases else "generation": time.perf_counter() - started})
    print(report(outcome, args.jar, args.max_reports))
    return 1 if outcome.disagreements else 0


if __name__ == "__main__":
    sys.exit(main())
