"""The outbox with a scripted homeserver: what is refused for good, what is retried, what is cut."""

from __future__ import annotations

import asyncio
import logging
from types import SimpleNamespace

from nio import RoomSendError, RoomSendResponse

from bot.matrix import size
from bot.matrix.outbox import Outbox
from bot.matrix.retry import ConnectionStats, MatrixError, Retrier

ROOM = "!room:test"
NOTICE = {"msgtype": "m.notice", "body": "refused notice"}


def refusal(code: str, status: int) -> RoomSendError:
    error = RoomSendError(f"{code} says no", code)
    error.transport_response = SimpleNamespace(status=status)
    return error


class Client:
    """Answers each send with the next scripted answer (a refusal), else accepts it."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.sent: list[tuple[str, dict, str]] = []
        self.rooms = {}

    async def room_send(self, room_id, event_type, content, tx_id, ignore_unverified_devices):
        self.sent.append((event_type, content, tx_id))
        if self.answers:
            return self.answers.pop(0)
        return RoomSendResponse(f"$ev{len(self.sent)}", room_id)


def outbox(client: Client) -> Outbox:
    async def notice(room_id: str) -> dict:
        return NOTICE

    retry = Retrier(0.01, asyncio.Event(), ConnectionStats())
    return Outbox(client, retry, send_retries=2, notice=notice)


async def test_a_permanent_refusal_becomes_the_notice_with_one_warning_naming_the_room(caplog):
    for code, status in (("M_TOO_LARGE", 413), ("M_FORBIDDEN", 403), ("M_BAD_JSON", 400), ("M_UNKNOWN", 404)):
        client = Client(refusal(code, status))
        caplog.clear()
        with caplog.at_level(logging.INFO):
            event_id = await outbox(client).send(ROOM, {"msgtype": "m.notice", "body": "Secret words"}, "tx1")
        assert event_id == "$ev2"
        assert [c for _, c, _ in client.sent][1] == NOTICE
        assert len(client.sent) == 2, "a permanent refusal is not retried"
        warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1 and ROOM in warnings[0].getMessage() and code in warnings[0].getMessage()
        assert "Secret" not in caplog.text


async def test_a_refused_notice_too_is_dropped_and_the_send_moves_on(caplog):
    client = Client(refusal("M_FORBIDDEN", 403), refusal("M_FORBIDDEN", 403))
    with caplog.at_level(logging.INFO):
        assert await outbox(client).send(ROOM, {"msgtype": "m.notice", "body": "x"}, "tx1") == ""
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 1


async def test_server_errors_and_a_lost_login_are_not_refusals_for_good():
    client = Client(refusal("M_UNKNOWN", 502), refusal("M_UNKNOWN", 503))
    assert await outbox(client).send(ROOM, {"body": "x"}, "tx1") == "$ev3"  # retried, then sent
    client = Client(refusal("M_UNKNOWN_TOKEN", 401))
    try:
        await outbox(client).send(ROOM, {"body": "x"}, "tx1")
    except MatrixError as exc:
        assert "M_UNKNOWN_TOKEN" in str(exc)
    else:
        raise AssertionError("a lost login must stop the send, not be papered over")


async def test_a_message_too_big_goes_in_parts_with_derived_transaction_ids():
    client = Client()
    content = {"msgtype": "m.notice", "body": "\n\n".join(f"Section {n} " + "é" * 4000 for n in range(12))}
    first = await outbox(client).send(ROOM, content, "tx1")
    assert first == "$ev1"
    assert [tx for _, _, tx in client.sent] == ["tx1"] + [f"tx1.{n}" for n in range(1, len(client.sent))]
    assert len(client.sent) > 1
    assert all(size.fits(ROOM, "m.room.message", c) for _, c, _ in client.sent)
    assert "\n\n".join(c["body"] for _, c, _ in client.sent) == content["body"]
