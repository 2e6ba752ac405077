"""The sub-minute ticker (ticker.py) against moto's in-process mocks: the minute's ticks queued
with their delays, failed ones sent again."""
from __future__ import annotations

import pytest

from inline_support import load, mocked  # noqa: F401 (mocked: a fixture)


class TestTicker:
    @pytest.fixture
    def ticker(self, mocked, monkeypatch: pytest.MonkeyPatch):
        url = mocked("sqs").create_queue(QueueName="ticks")["QueueUrl"]
        monkeypatch.setenv("QUEUE", url)
        monkeypatch.setenv("BODY", '{"beat":true}')
        module = load("ticker")
        module.calls = []
        real = module.sqs().send_message_batch
        monkeypatch.setattr(module.sqs(), "send_message_batch",
                            lambda **kw: module.calls.append(kw["Entries"]) or real(**kw))
        return module

    def test_ticks_spread_over_the_minute(self, ticker, monkeypatch) -> None:
        monkeypatch.setenv("INTERVAL", "15")
        assert ticker.handler({}, None) == {"ticks": 4}
        [batch] = ticker.calls
        assert [e["DelaySeconds"] for e in batch] == [0, 15, 30, 45]
        assert {e["MessageBody"] for e in batch} == {'{"beat":true}'}
        queue = ticker.sqs().get_queue_attributes(QueueUrl=ticker.os.environ["QUEUE"],
                                                  AttributeNames=["All"])["Attributes"]
        assert int(queue["ApproximateNumberOfMessages"]) + int(queue["ApproximateNumberOfMessagesDelayed"]) == 4

    def test_every_second_takes_six_batches(self, ticker, monkeypatch) -> None:
        monkeypatch.setenv("INTERVAL", "1")
        assert ticker.handler({}, None) == {"ticks": 60}
        assert [len(c) for c in ticker.calls] == [10] * 6
        delays = [e["DelaySeconds"] for c in ticker.calls for e in c]
        assert delays == list(range(60))
        assert all(len({e["Id"] for e in c}) == len(c) for c in ticker.calls)

    def test_failed_ticks_are_sent_again_then_reported(self, ticker, monkeypatch) -> None:
        monkeypatch.setenv("INTERVAL", "30")
        answers = [{"Successful": [{"Id": "tick-0"}], "Failed": [{"Id": "tick-1", "Code": "InternalError"}]},
                   {"Successful": [{"Id": "tick-1"}], "Failed": []}]
        sent = []
        monkeypatch.setattr(ticker.sqs(), "send_message_batch",
                            lambda **kw: sent.append([e["Id"] for e in kw["Entries"]]) or answers.pop(0))
        assert ticker.handler({}, None) == {"ticks": 2}
        assert sent == [["tick-0", "tick-1"], ["tick-1"]]
        answers[:] = [{"Failed": [{"Id": "tick-1", "Code": "InternalError"}]}] * 2
        with pytest.raises(RuntimeError, match=r"ticks not queued: tick-1 \(InternalError\)"):
            ticker.handler({}, None)
