"""Unit tests of first contact's pure parts: a sender's newer session ends the wait,
a backlog's repeats are answered once, when to ask for a resend, cross-signing checks."""

from __future__ import annotations


from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from bot.matrix.identity.device_trust import device_cross_signed, verify_signed_json
from bot.matrix.identity.signing import b64encode, canonical_json
from bot.matrix.late_keys.ordering import REPEAT_WINDOW_MS, RoomQueues
from bot.matrix.late_keys.unreadable import ResendNotice, UnreadableMessages
from tests.helpers.clock import Clock


def test_a_readable_message_from_the_same_sender_ends_the_wait_of_their_lost_one():
    clock = Clock()
    q = RoomQueues(30, clock)
    q.push("!r", "$lost", None, ready=False, sender="@ann")
    q.push("!r", "$bob", "bob's", ready=True, sender="@bob")
    assert q.release("!r") == ([], [], []), "another sender's message does not say ann's key is lost"
    q.push("!r", "$again", "ann's again", ready=True, sender="@ann")
    assert q.release("!r") == (["bob's", "ann's again"], ["$lost"], [])
    assert not q.holding() and q.next_deadline() is None


def test_the_wait_ends_for_the_sender_only():
    q = RoomQueues(30, Clock())
    q.push("!r", "$bob-lost", None, ready=False, sender="@bob")
    q.push("!r", "$ann-lost", None, ready=False, sender="@ann")
    q.push("!r", "$ann", "ann's", ready=True, sender="@ann")
    assert q.release("!r") == ([], [], []), "bob's lost message still holds the room"
    assert q.waiting_ids() == ["$bob-lost", "$ann-lost"]
    assert q.resolve("$bob-lost", "bob's")
    assert q.release("!r") == (["bob's", "ann's"], ["$ann-lost"], [])


def _push_text(q: RoomQueues, event_id: str, sender: str, body: str, ts: int, backlog: bool = False) -> None:
    q.push("!r", event_id, event_id, ready=True, sender=sender, repeat_key=(sender, body), timestamp_ms=ts,
           backlog=backlog)


def test_a_held_backlog_of_identical_messages_from_one_person_is_answered_once():
    q = RoomQueues(30, Clock())
    q.push("!r", "$lost", None, ready=False, sender="@bob")
    for i in range(13):
        _push_text(q, f"$aide{i}", "@ann", "!aide", 1000 + i * 150)
    _push_text(q, "$bob-aide", "@bob", "!aide", 3000)  # someone else's counts on its own
    _push_text(q, "$ann-other", "@ann", "!etat", 3100)
    assert q.resolve("$lost", "lost one")
    released = q.release("!r")
    assert released.ready == ["lost one", "$aide0", "$bob-aide", "$ann-other"]
    assert released.repeats == [f"$aide{i}" for i in range(1, 13)]


def test_repeats_far_apart_or_outside_a_backlog_are_answered_each():
    q = RoomQueues(30, Clock())
    _push_text(q, "$1", "@ann", "!aide", 0)
    _push_text(q, "$2", "@ann", "!aide", 100)
    assert q.release("!r").ready == ["$1", "$2"], "a room that was not held answers each message"
    _push_text(q, "$3", "@ann", "!aide", 0, backlog=True)
    _push_text(q, "$4", "@ann", "!aide", REPEAT_WINDOW_MS + 1, backlog=True)
    _push_text(q, "$5", "@ann", "!aide", REPEAT_WINDOW_MS + 2, backlog=True)
    assert q.release("!r") == (["$3", "$4"], [], ["$5"])


def test_the_sender_is_asked_to_resend_once_the_wait_is_over():
    clock = Clock()
    u = UnreadableMessages(5, clock, interval_seconds=300)
    u.add("!r", "@ann", "$1")
    clock.now += 2
    u.add("!r", "@ann", "$2")
    assert u.next_deadline() == 105
    clock.now += 2.9
    assert u.due() == []
    clock.now += 0.1
    assert u.due() == [ResendNotice("!r", "@ann", ("$1",))]
    clock.now += 2
    assert u.due() == [], "told a moment ago: $2 does not make a second notice"
    assert u.next_deadline() is None
    clock.now += 300
    u.add("!r", "@ann", "$3")
    clock.now += 5
    assert u.due() == [ResendNotice("!r", "@ann", ("$3",))], "a few minutes later, again"


def test_no_resend_is_asked_when_the_key_came_or_the_sender_was_read_since():
    clock = Clock()
    u = UnreadableMessages(5, clock)
    u.add("!r", "@ann", "$1")
    u.add("!r", "@bob", "$2")
    u.add("!other", "@ann", "$3")
    u.decrypted("$2")
    u.read("!r", "@ann")  # ann's next message could be read: the lost one is not her last
    clock.now += 10
    assert u.due() == [ResendNotice("!other", "@ann", ("$3",))]


def test_several_people_are_each_told_once():
    clock = Clock()
    u = UnreadableMessages(5, clock)
    for i, who in enumerate(["@ann", "@bob", "@ann"]):
        u.add("!r", who, f"${i}")
    clock.now += 5
    assert sorted(u.due(), key=lambda n: n.user_id) == [
        ResendNotice("!r", "@ann", ("$0", "$2")), ResendNotice("!r", "@bob", ("$1",))]


# -- cross-signing --------------------------------------------------------------------


def _sign(obj: dict, user_id: str, key: Ed25519PrivateKey, key_id: str) -> dict:
    signed = {k: v for k, v in obj.items() if k not in ("signatures", "unsigned")}
    sig = b64encode(key.sign(canonical_json(signed)))
    out = dict(obj)
    out["signatures"] = {**obj.get("signatures", {}), user_id: {**obj.get("signatures", {}).get(user_id, {}),
                                                                key_id: sig}}
    return out


def _public(key: Ed25519PrivateKey) -> str:
    return b64encode(key.public_key().public_bytes_raw())


USER = "@ann:example.org"


def _keys(sign_device: bool = True, sign_ssk: bool = True) -> dict:
    master, ssk, device_key = (Ed25519PrivateKey.generate() for _ in range(3))
    master_obj = {"user_id": USER, "usage": ["master"], "keys": {f"ed25519:{_public(master)}": _public(master)}}
    ssk_obj = {"user_id": USER, "usage": ["self_signing"], "keys": {f"ed25519:{_public(ssk)}": _public(ssk)}}
    if sign_ssk:
        ssk_obj = _sign(ssk_obj, USER, master, f"ed25519:{_public(master)}")
    device = {"user_id": USER, "device_id": "DEV", "algorithms": ["m.olm.v1.curve25519-aes-sha2"],
              "keys": {"curve25519:DEV": "CURVE", "ed25519:DEV": _public(device_key)}}
    device = _sign(device, USER, device_key, "ed25519:DEV")
    if sign_device:
        device = _sign(device, USER, ssk, f"ed25519:{_public(ssk)}")
    device["unsigned"] = {"device_display_name": "phone"}  # not covered by signatures
    return {"device_keys": {USER: {"DEV": device}}, "master_keys": {USER: master_obj},
            "self_signing_keys": {USER: ssk_obj}}


def test_a_device_signed_by_the_users_self_signing_key_is_cross_signed():
    keys = _keys()
    assert device_cross_signed(keys, USER, "CURVE")
    assert not device_cross_signed(keys, USER, "OTHER-CURVE"), "another device (or a forged sender key)"
    assert not device_cross_signed(keys, "@bob:example.org", "CURVE")


def test_an_unsigned_device_or_a_broken_chain_is_not_cross_signed():
    assert not device_cross_signed(_keys(sign_device=False), USER, "CURVE")
    assert not device_cross_signed(_keys(sign_ssk=False), USER, "CURVE")
    keys = _keys()
    del keys["master_keys"]
    assert not device_cross_signed(keys, USER, "CURVE"), "no cross-signing identity at all"
    tampered = _keys()
    tampered["device_keys"][USER]["DEV"]["keys"]["curve25519:DEV"] = "CURVE2"
    assert not device_cross_signed(tampered, USER, "CURVE2"), "the signature covers the keys"


def test_verify_signed_json_follows_the_spec_example():
    # The spec's "Signing JSON" example: the empty object signed by the key with seed
    # YJDBA9Xnr2sVqXD9Vj7XVUnmFZcZrlw8Md7kMW+3XA1 (its public key below).
    obj = {"signatures": {"domain": {"ed25519:1": "K8280/U9SSy9IVtjBuVeLr+HpOB4BQFWbg+UZaADMtTdGYI7Geitb76LTrr5QV/7Xg4ahLwYGYZzuHGZKM5ZAQ"}}}
    assert verify_signed_json(obj, "domain", "ed25519:1", "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI")
    assert not verify_signed_json({**obj, "extra": 1}, "domain", "ed25519:1",
                                  "XGX0JRS2Af3be3knz2fBiRbApjm2Dh61gXDJA8kcJNI")


def test_a_forwarded_key_is_taken_only_from_the_device_that_made_the_session():
    from types import SimpleNamespace

    from bot.matrix.late_keys.recovery import accept_keys_forwarded_by_their_sender

    device = SimpleNamespace(user_id="@alice:x", ed25519="ALICE-ED")
    nio_said: list[str] = []
    olm = SimpleNamespace(
        outgoing_key_requests={"S": SimpleNamespace(room_id="!r", session_id="S")},
        device_store=SimpleNamespace(device_from_sender_key=lambda user, key: device if key == "ALICE-CURVE" else None),
        _should_accept_forward=lambda sender, key, event: nio_said.append(event.session_id) or False,
    )
    accept_keys_forwarded_by_their_sender(olm)

    def forward(session_id="S", room_id="!r", session_sender="ALICE-CURVE", claimed="ALICE-ED", chain=()):
        content = {"sender_key": session_sender, "sender_claimed_ed25519_key": claimed,
                   "forwarding_curve25519_key_chain": list(chain)}
        return SimpleNamespace(source={"content": content}, session_id=session_id, room_id=room_id,
                               algorithm="m.megolm.v1.aes-sha2", sender="@alice:x")

    assert olm._should_accept_forward("@alice:x", "ALICE-CURVE", forward())
    assert nio_said == []
    # Anything else goes to nio's own rule (which takes only the bot's own verified devices).
    refused = [
        ("ALICE-CURVE", forward(session_sender="MALLORY-CURVE")),  # another device's session
        ("ALICE-CURVE", forward(claimed="MALLORY-ED")),  # a signing key that is not the device's
        ("ALICE-CURVE", forward(chain=["BOB-CURVE"])),  # forwarded on from elsewhere
        ("ALICE-CURVE", forward(session_id="T")),  # never asked for
        ("ALICE-CURVE", forward(room_id="!other")),  # asked for in another room
        ("UNKNOWN-CURVE", forward(session_sender="UNKNOWN-CURVE")),  # an unknown device
    ]
    for key, event in refused:
        assert not olm._should_accept_forward("@alice:x", key, event)
    assert len(nio_said) == len(refused)


async def test_a_lost_message_whose_key_comes_after_it_was_typed_again_is_not_answered_twice():
    from nio import MegolmEvent, RoomMessageText

    from bot.matrix.late_keys.events import LateKeys

    class Store:
        async def add_pending(self, *args):
            pass

    def text(event_id: str, ts: int, body: str = "!aide") -> RoomMessageText:
        return RoomMessageText.from_dict({"event_id": event_id, "sender": "@alice:x", "origin_server_ts": ts,
                                          "type": "m.room.message", "content": {"msgtype": "m.text", "body": body}})

    def lost(event_id: str, ts: int) -> MegolmEvent:
        return MegolmEvent.from_dict({
            "event_id": event_id, "sender": "@alice:x", "origin_server_ts": ts, "type": "m.room.encrypted",
            "content": {"algorithm": "m.megolm.v1.aes-sha2", "ciphertext": "x", "sender_key": "K",
                        "session_id": "S", "device_id": "D"}})

    keys_now: dict[str, RoomMessageText] = {}

    class Client:
        def decrypt_event(self, event):
            return keys_now[event.event_id]

    clock = [0.0]
    now_ms = 1_000_000_000
    late = LateKeys(Store(), 5, lambda: clock[0], wall=lambda: now_ms / 1000)
    late.unreadable.add = lambda *a: None  # not what this test is about
    client = Client()
    await late.push(client, "!r", lost("$lost", now_ms - 5000), history=True)  # asks nobody
    await late.push(client, "!r", lost("$other", now_ms - 4000), history=True)
    await late.push(client, "!r", text("$again", now_ms - 3000))
    assert [e.event_id for _, e in late.release(client)] == ["$again"]
    # The keys come: the lost "!aide" was typed again since, "!other words" was not.
    keys_now["$lost"] = text("$lost", now_ms - 5000)
    keys_now["$other"] = text("$other", now_ms - 4000, "other words")
    released = [e.event_id for _, e in late.release(client)]
    assert sorted(released) == ["$lost", "$other"], "both are marked handled"
    assert late.repeats == {"$lost"}, "only the one typed again is not answered"
