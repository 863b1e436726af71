from __future__ import annotations

from collections import OrderedDict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from moodmix.store import LRU, HotKeys


def test_least_recently_used_is_evicted_first() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.set("a", 1)
    lru.set("b", 2)
    assert lru.get("a") == 1  # "a" is now the most recently used
    lru.set("c", 3)
    assert list(lru.keys()) == ["a", "c"]
    assert lru.get("b") is None
    assert lru.evictions == 1


def test_peek_does_not_change_recency() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.set("a", 1)
    lru.set("b", 2)
    assert lru.peek("a") == 1
    lru.set("c", 3)
    assert "a" not in lru
    assert "b" in lru


def test_replacing_a_key_does_not_grow_and_refreshes_recency() -> None:
    lru: LRU[str, int] = LRU(2)
    lru.set("a", 1)
    lru.set("b", 2)
    lru.set("a", 10)
    lru.set("c", 3)
    assert dict(lru.items()) == {"a": 10, "c": 3}


def test_remove_where_pop_and_clear() -> None:
    lru: LRU[str, int] = LRU(10)
    for i in range(6):
        lru.set(f"k{i}", i)
    assert lru.remove_where(lambda _, v: v % 2 == 0) == 3
    assert sorted(lru.keys()) == ["k1", "k3", "k5"]
    assert lru.pop("k1") == 1
    assert lru.pop("k1") is None
    assert lru.clear() == 2
    assert len(lru) == 0


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "3"])
def test_max_entries_must_be_a_positive_integer(bad: object) -> None:
    with pytest.raises(ValueError, match="max_entries must be an integer >= 1"):
        LRU(bad)  # type: ignore[arg-type]


ops = st.lists(
    st.tuples(st.sampled_from(["set", "get", "pop"]), st.integers(0, 30), st.integers()),
    max_size=300,
)


@given(bound=st.integers(1, 10), operations=ops)
def test_lru_never_exceeds_its_bound_and_matches_a_reference(
    bound: int, operations: list[tuple[str, int, int]]
) -> None:
    lru: LRU[int, int] = LRU(bound)
    model: OrderedDict[int, int] = OrderedDict()
    for op, key, value in operations:
        if op == "set":
            lru.set(key, value)
            model[key] = value
            model.move_to_end(key)
            while len(model) > bound:
                model.popitem(last=False)
        elif op == "get":
            assert lru.get(key) == model.get(key)
            if key in model:
                model.move_to_end(key)
        else:
            assert lru.pop(key) == model.pop(key, None)
        assert len(lru) <= bound
    assert list(lru.items()) == list(model.items())


def test_hot_keys_rank_by_count() -> None:
    hot: HotKeys[str] = HotKeys(capacity=10)
    for key in ["a", "b", "a", "c", "a", "b"]:
        hot.add(key)
    assert hot.top(2) == [("a", 3), ("b", 2)]
    assert hot.count("c") == 1
    assert hot.count("zzz") == 0


@given(keys=st.lists(st.integers(0, 500), max_size=2_000), capacity=st.integers(1, 20))
def test_hot_keys_stay_bounded(keys: list[int], capacity: int) -> None:
    hot: HotKeys[int] = HotKeys(capacity)
    for key in keys:
        hot.add(key)
        assert len(hot) <= hot.max_size == 2 * capacity


def test_hot_keys_keep_the_heavy_hitter_through_churn() -> None:
    hot: HotKeys[str] = HotKeys(capacity=4)
    for i in range(1_000):
        hot.add("popular")
        hot.add(f"once-{i}")
    assert hot.top(1)[0][0] == "popular"
    assert len(hot) <= 8


def test_hot_keys_reject_bad_arguments() -> None:
    with pytest.raises(ValueError, match="capacity must be an integer >= 1"):
        HotKeys(0)
    with pytest.raises(ValueError, match="n must be >= 0"):
        HotKeys[str]().top(-1)
