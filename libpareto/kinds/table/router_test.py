"""The table router (router.py) against moto's in-process mocks: records grouped by key, event
and changed keys, and put on the default bus in batches, failed entries retried."""
from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest

import pareto
from inline_support import drain, load, mocked, queue_on_bus, stream_record  # noqa: F401 (mocked: a fixture)


class TestRouter:
    @pytest.fixture
    def router(self, mocked, monkeypatch: pytest.MonkeyPatch):
        monkeypatch.setenv("TABLE", "shop-dev-orders")
        monkeypatch.setenv("SOURCE", "pareto.table")
        monkeypatch.setenv("DEBUG", "false")
        return load("router")

    def test_diff_keys_and_plain_values(self, router) -> None:
        old = {"status": {"S": "new"}, "total": {"N": "10"}, "gone": {"S": "x"}}
        new = {"status": {"S": "paid"}, "total": {"N": "10"}, "tags": {"SS": ["b", "a"]},
               "blob": {"B": b"\x00\x01"}, "ratio": {"N": "0.5"}}
        groups = router.group([stream_record("MODIFY", "o1", old, new)])
        assert groups[0]["diff-keys"] == ["blob", "gone", "ratio", "status", "tags"]
        assert groups[0]["records"][0]["new"] == {
            "status": "paid", "total": 10, "tags": ["a", "b"],
            "blob": base64.b64encode(b"\x00\x01").decode(), "ratio": 0.5}
        assert router.group([stream_record("INSERT", "o1", None, new)])[0]["diff-keys"] == sorted(new)
        removed = router.group([stream_record("REMOVE", "o1", old, None)])[0]
        assert removed["diff-keys"] == sorted(old) and removed["records"] == [{"old": {
            "status": "new", "total": 10, "gone": "x"}}]
        assert router.plain(Decimal("3")) == 3 and isinstance(router.plain(Decimal("3")), int)

    def test_records_group_by_key_event_and_diff_keys(self, router) -> None:
        paid = ({"status": {"S": "new"}}, {"status": {"S": "paid"}})
        shipped = ({"status": {"S": "paid"}}, {"status": {"S": "shipped"}})
        renamed = ({"name": {"S": "a"}}, {"name": {"S": "b"}})
        groups = router.group([stream_record("MODIFY", "o1", *paid), stream_record("MODIFY", "o2", *paid),
                               stream_record("MODIFY", "o1", *shipped), stream_record("MODIFY", "o1", *renamed),
                               stream_record("INSERT", "o1", None, paid[1])])
        assert [(g["key"]["pk"], g["event"], g["diff-keys"], len(g["records"])) for g in groups] == [
            ("o1", "MODIFY", ["status"], 2), ("o2", "MODIFY", ["status"], 1),
            ("o1", "MODIFY", ["name"], 1), ("o1", "INSERT", ["status"], 1)]

    def test_events_reach_the_bus_grouped(self, router, mocked) -> None:
        url = queue_on_bus(mocked, "pareto.table")
        records = [stream_record("MODIFY", "o1", {"status": {"S": "new"}}, {"status": {"S": "paid"}}),
                   stream_record("MODIFY", "o1", {"status": {"S": "paid"}}, {"status": {"S": "sent"}})]
        assert router.handler({"Records": records}, None) == {"records": 2, "entries": 1, "calls": 1}
        [event] = drain(mocked, url)
        assert event["detail-type"] == "MODIFY" and event["source"] == "pareto.table"
        assert event["detail"]["table"] == "shop-dev-orders"
        assert event["detail"]["key"] == {"pk": "o1", "sk": "profile"}
        assert event["detail"]["diff-keys"] == ["status"]
        assert [r["new"]["status"] for r in event["detail"]["records"]] == ["paid", "sent"]
        # What pareto.match says of the app's rule is what EventBridge delivered.
        assert pareto.match({"source": ["pareto.table"], "detail": {"diff-keys": ["status"]}}, event)

    def test_batches_hold_at_most_ten_entries_and_256_kib(self, router, mocked, monkeypatch) -> None:
        url = queue_on_bus(mocked, "pareto.table")
        sizes = []
        real = router.events().put_events
        monkeypatch.setattr(router.events(), "put_events",
                            lambda Entries: sizes.append(len(Entries)) or real(Entries=Entries))
        records = [stream_record("INSERT", f"o{i}", None, {"n": {"N": str(i)}}) for i in range(23)]
        assert router.handler({"Records": records}, None)["calls"] == 3
        assert sizes == [10, 10, 3]
        assert len(drain(mocked, url)) == 23
        big = [router.entries([{"key": {}, "event": "INSERT", "diff-keys": [], "records": [{"new": {"x": "y" * 100_000}}]}],
                              "t", "s", "default")[0]] * 5
        assert [len(b) for b in router.batches(big)] == [2, 2, 1]
        assert all(sum(router.size(e) for e in b) <= router.MAX_REQUEST_BYTES for b in router.batches(big))

    def test_failed_entries_alone_are_retried(self, router, mocked, monkeypatch) -> None:
        url = queue_on_bus(mocked, "pareto.table")
        monkeypatch.setattr(router.time, "sleep", lambda seconds: None)
        sent = []
        real = router.events().put_events

        def flaky(Entries):
            sent.append([json.loads(e["Detail"])["key"]["pk"] for e in Entries])
            if len(sent) == 1:  # the first call: the 2nd and 3rd entries are throttled
                return {"FailedEntryCount": 2, "Entries": [
                    real(Entries=[Entries[0]])["Entries"][0],
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"},
                    {"ErrorCode": "ThrottlingException", "ErrorMessage": "slow down"}]}
            return real(Entries=Entries)

        monkeypatch.setattr(router.events(), "put_events", flaky)
        records = [stream_record("INSERT", f"o{i}", None, {"n": {"N": "1"}}) for i in range(3)]
        assert router.handler({"Records": records}, None)["calls"] == 2
        assert sent == [["o0", "o1", "o2"], ["o1", "o2"]]
        assert sorted(e["detail"]["key"]["pk"] for e in drain(mocked, url)) == ["o0", "o1", "o2"]

    def test_entries_that_keep_failing_fail_the_batch(self, router, mocked, monkeypatch) -> None:
        monkeypatch.setattr(router.time, "sleep", lambda seconds: None)
        calls = []
        monkeypatch.setattr(router.events(), "put_events", lambda Entries: calls.append(Entries) or {
            "FailedEntryCount": 1, "Entries": [{"ErrorCode": "InternalFailure"}] * len(Entries)})
        with pytest.raises(RuntimeError, match="1 events not published after 3 attempts: InternalFailure"):
            router.handler({"Records": [stream_record("INSERT", "o1", None, {"n": {"N": "1"}})]}, None)
        assert len(calls) == 3

    def test_debug_logs_records_and_entries(self, router, mocked, monkeypatch, capsys) -> None:
        queue_on_bus(mocked, "pareto.table")
        record = stream_record("INSERT", "o1", None, {"n": {"N": "1"}})
        router.handler({"Records": [record]}, None)
        assert capsys.readouterr().out == ""
        monkeypatch.setenv("DEBUG", "true")
        router.handler({"Records": [record]}, None)
        lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
        assert [next(iter(line)) for line in lines] == ["record", "entry"]
        assert lines[1]["entry"]["DetailType"] == "INSERT"
