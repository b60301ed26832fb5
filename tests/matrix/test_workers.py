"""Per-room workers: order within a room, rooms side by side, the token saved last."""

import asyncio


from bot.matrix.workers import RoomWorkers


TIMEOUT = 5


class Recorder:
    """A handler that records calls; events named in ``gates`` wait to be let through."""

    def __init__(self):
        self.handled: list[tuple[str, str]] = []
        self.started: dict[str, asyncio.Event] = {}
        self.gates: dict[str, asyncio.Event] = {}
        self.saved: list[str] = []
        self.fail: set[str] = set()
        self.done: dict[str, asyncio.Event] = {}

    def done_of(self, item: str) -> asyncio.Event:
        return self.done.setdefault(item, asyncio.Event())

    def gate(self, item: str) -> asyncio.Event:
        self.started[item] = asyncio.Event()
        self.gates[item] = asyncio.Event()
        return self.gates[item]

    async def handle(self, room_id: str, item: str) -> None:
        if item in self.gates:
            self.started[item].set()
            await self.gates[item].wait()
        if item in self.fail:
            raise RuntimeError("handler bug")
        self.handled.append((room_id, item))
        self.done_of(item).set()

    async def save(self, token: str) -> None:
        self.saved.append(token)


async def wait_for(event: asyncio.Event) -> None:
    await asyncio.wait_for(event.wait(), TIMEOUT)


async def idle(workers: RoomWorkers) -> None:
    await asyncio.wait_for(workers.wait_idle(), TIMEOUT)


async def sync(workers: RoomWorkers, token: str, *entries: tuple[str, str]):
    """One sync: a batch with (room, event) entries, the event standing for its own id, sealed."""
    batch = workers.batch(token)
    for room_id, item in entries:
        workers.submit(batch, room_id, item, item)
    await workers.seal(batch)
    return batch


async def test_one_rooms_events_keep_their_order():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    await sync(workers, "t1", ("!r", "a"), ("!r", "b"), ("!r", "c"), ("!r", "d"))
    await idle(workers)
    assert rec.handled == [("!r", "a"), ("!r", "b"), ("!r", "c"), ("!r", "d")]
    assert rec.saved == ["t1"]


async def test_a_slow_room_does_not_hold_up_another():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    slow = rec.gate("slow")
    await sync(workers, "t1", ("!busy", "slow"), ("!busy", "after-slow"), ("!quiet", "status"))
    await wait_for(rec.started["slow"])
    # The quiet room is answered while the busy one still waits on its send.
    await wait_for(rec.done_of("status"))
    assert ("!busy", "after-slow") not in rec.handled
    assert rec.saved == []  # the busy room's events are not handled yet
    slow.set()
    await idle(workers)
    assert [h for h in rec.handled if h[0] == "!busy"] == [("!busy", "slow"), ("!busy", "after-slow")]
    assert rec.saved == ["t1"]


async def test_a_token_waits_for_every_earlier_batch():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    slow = rec.gate("first")
    await sync(workers, "t1", ("!a", "first"))
    await sync(workers, "t2", ("!b", "second"))
    await wait_for(rec.started["first"])
    await wait_for(rec.done_of("second"))
    # The second batch is done but the first is not: saving t2 would lose "first".
    assert rec.saved == []
    slow.set()
    await idle(workers)
    assert rec.saved == ["t2"]


async def test_an_empty_batch_saves_its_token_at_once_when_nothing_is_pending():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    await workers.seal(workers.batch("t1"))
    assert rec.saved == ["t1"]


async def test_an_unsealed_batch_is_not_saved_even_when_its_events_are_done():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    batch = workers.batch("t1")
    workers.submit(batch, "!r", "a", "a")
    await idle(workers)
    assert rec.handled == [("!r", "a")]
    assert rec.saved == []
    await workers.seal(batch)
    assert rec.saved == ["t1"]


async def test_the_same_event_queued_twice_is_handled_once():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    gate = rec.gate("a")
    batch = workers.batch("t1")
    assert workers.submit(batch, "!r", "a", "a")
    assert not workers.submit(batch, "!r", "a", "a")
    await workers.seal(batch)
    gate.set()
    await idle(workers)
    assert rec.handled == [("!r", "a")]


async def test_a_failing_handler_does_not_stop_the_room(caplog):
    rec = Recorder()
    rec.fail.add("bad")
    workers = RoomWorkers(rec.handle, rec.save)
    await sync(workers, "t1", ("!r", "bad"), ("!r", "good"))
    await idle(workers)
    assert rec.handled == [("!r", "good")]
    assert rec.saved == ["t1"]
    assert "Handling an event in !r failed" in caplog.text


async def test_close_finishes_the_current_event_and_drops_the_rest():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    gate = rec.gate("current")
    await sync(workers, "t1", ("!r", "current"), ("!r", "queued"))
    await wait_for(rec.started["current"])
    closing = asyncio.create_task(workers.close())
    gate.set()
    await asyncio.wait_for(closing, TIMEOUT)
    # close() returned after the event being handled was done, not before.
    assert rec.handled == [("!r", "current")]
    assert rec.saved == []  # "queued" was not handled: the next start fetches it again
    assert not workers.submit(workers.batch("t2"), "!r", "late", "late")


async def test_workers_end_when_their_room_is_empty():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    batch = workers.batch("t1")
    for n in range(50):
        workers.submit(batch, f"!room{n}", "x", "x")
    assert workers.busy() == 50
    await workers.seal(batch)
    await idle(workers)
    assert workers.busy() == 0
    assert not workers._rooms  # no task or queue kept per idle room


async def test_an_event_handled_while_a_sync_is_read_is_not_queued_again():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    await sync(workers, "t1", ("!r", "a"))
    # The next sync is being read (its "already handled?" check ran before "a" was
    # marked) while "a" is handled; a backfill brings "a" again.
    second = workers.batch("t2")
    await idle(workers)
    assert not workers.submit(second, "!r", "a", "a")
    await workers.seal(second)
    await idle(workers)
    assert rec.handled == [("!r", "a")]
    assert rec.saved == ["t1", "t2"]
    # Once no sync is being read, the memory of handled ids is dropped.
    assert not workers._recent


async def test_the_sync_loop_waits_while_too_many_events_are_queued():
    rec = Recorder()
    workers = RoomWorkers(rec.handle, rec.save)
    gate = rec.gate("stuck")
    await sync(workers, "t1", ("!r", "stuck"), ("!r", "next"))
    await asyncio.wait_for(workers.wait_below(3), TIMEOUT)  # 2 queued: below 3, no wait
    braking = asyncio.create_task(workers.wait_below(2))
    await wait_for(rec.started["stuck"])
    assert not braking.done()  # 2 queued, the handler stuck on the homeserver
    gate.set()
    await asyncio.wait_for(braking, TIMEOUT)  # one done: the loop may fetch again
    assert workers.busy() < 2
    await idle(workers)
    assert workers.busy() == 0
