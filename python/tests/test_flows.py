"""The engine's transcript vectors (tests/vectors/flows/), replayed through the Python host:
boto3's real clients build and validate each request, and botocore's Stubber answers it with the
recorded answer in place of the network. The steps, the output and the exit status must be the
recorded ones, as in the C++ and Node suites."""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import botocore.stub
import pytest

from conftest import ROOT
from pareto.host import Host, request

FLOWS = ROOT / "tests" / "vectors" / "flows"
CASES = sorted(p for p in FLOWS.iterdir() if (p / "transcript.json").exists())


class Replay(Host):
    """The Python host with the recording in place of AWS: each call goes through a real client
    whose answer is the recorded one."""

    def __init__(self, steps: list[dict[str, Any]]) -> None:
        super().__init__(interactive=False, write=self.keep)
        self.steps = list(steps)
        self.output = {"stdout": "", "stderr": ""}
        self.stubbers: dict[str, botocore.stub.Stubber] = {}

    def keep(self, stream: str, text: str) -> None:
        self.output[stream] += text

    def perform(self, step: dict[str, Any], flow: Any) -> Any:
        if step["step"] == "write":
            return super().perform(step, flow)
        assert self.steps, f"a step past the recording: {step}"
        recorded = self.steps.pop(0)
        assert step == recorded["step"]
        if recorded["answer"] == {"interrupted": True}:
            raise KeyboardInterrupt  # Ctrl-C, as the host meets it
        if step["step"] == "load":
            return super().perform(step, flow)
        if step["step"] == "connect" and "error" not in recorded["answer"]:
            super().perform(step, flow)
            return recorded["answer"]
        if step["step"] == "call":
            return self.stubbed_call(step, recorded["answer"])
        return recorded["answer"]

    def stubbed_call(self, step: dict[str, Any], answer: dict[str, Any]) -> Any:
        error = answer.get("error")
        if error and error["status"] == 0:  # no HTTP answer came: nothing for the Stubber to give
            return answer
        client = self.client(step["service"])
        stubber = self.stubbers.setdefault(step["service"], botocore.stub.Stubber(client))
        stubber.activate()
        method = __import__("botocore").xform_name(step["operation"])
        if error:
            stubber.add_client_error(method, service_error_code=error["code"],
                                     service_message=error["message"],
                                     http_status_code=error["status"])
        else:
            stubber.add_response(method, modelled(answer["response"]), request(step["params"]))
        return self.call(step["service"], step["operation"], step["params"])


def modelled(value: Any) -> Any:
    """The answer as the Stubber takes it: moto, like DynamoDB, gives an on-demand table
    NumberOfDecreasesToday 0, which botocore's model bounds at 1 (its parser does not check)."""
    if isinstance(value, dict):
        return {key: modelled(member) for key, member in value.items()
                if not (key == "NumberOfDecreasesToday" and member == 0)}
    if isinstance(value, list):
        return [modelled(member) for member in value]
    return value


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_replays_the_recording(case: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    for name in ("AWS_PROFILE", "PARETO_ENDPOINT_URL", "PARETO_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    transcript = json.loads((case / "transcript.json").read_text())
    host = Replay(transcript["steps"])
    exit_status, _ = host.run_request(transcript["request"])
    assert not host.steps, "the flow ended before the recording"
    assert host.output["stdout"] == (case / "stdout").read_text()
    assert host.output["stderr"] == (case / "stderr").read_text()
    assert exit_status == transcript["exit"]
