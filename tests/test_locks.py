"""The Redis lock: only its holder extends or releases it."""
from __future__ import annotations

from bot.locks import held
from bot.store import Store


def test_the_holder_extends_its_lock_to_a_full_ttl(store: Store) -> None:
    with held(store.redis, "pufa:lock", 60_000) as lease:
        store.redis.pexpire("pufa:lock", 1_000)  # most of the lock's time used up
        assert lease.extend()
        assert store.redis.pttl("pufa:lock") > 50_000


def test_a_holder_that_lost_its_lock_neither_extends_nor_frees_the_next_holders(store: Store) -> None:
    with held(store.redis, "pufa:lock", 60_000) as lease:
        store.redis.set("pufa:lock", "the-next-holder", px=1_000)  # ours expired; another process took it
        assert not lease.extend()
        assert store.redis.pttl("pufa:lock") <= 1_000
    assert store.redis.get("pufa:lock") == b"the-next-holder"


def test_a_lock_already_held_yields_no_lease(store: Store) -> None:
    with held(store.redis, "pufa:lock", 60_000), held(store.redis, "pufa:lock", 60_000) as second:
        assert second is None


def test_a_step_runs_only_while_its_lease_holds_the_lock(store: Store) -> None:
    step = "return redis.call('incrby', KEYS[2], ARGV[2])"
    with held(store.redis, "pufa:lock", 60_000) as lease:
        assert lease.if_held(step, ("pufa:count",), 5) == 5
        store.redis.set("pufa:lock", "the-next-holder", px=1_000)  # ours expired; another process took it
        assert lease.if_held(step, ("pufa:count",), 5) is None
    assert store.redis.get("pufa:count") == b"5"
