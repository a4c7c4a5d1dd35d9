# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""promises.create/get/resolve/reject/search through the SDK's promises sub-client."""

from __future__ import annotations

import time

import pytest
from resonate.error import ServerError
from resonate.types import Value

from harness import run_scenario, sdk_client, unique, within


@pytest.mark.timeout(40)
def test_promises_get_and_search_by_tags_state_and_cursor(server):
    suite = unique("suite")
    other = unique("other")
    ids = [f"{suite}-p{i}" for i in range(7)]
    colors = ["red", "blue", "red", "green", "red", "blue", "green"]

    async def scenario() -> None:
        async with sdk_client(server.url, group="promisers") as r:
            timeout_at = int(time.time() * 1000) + 10 * 60 * 1000
            for pid, color in zip(ids, colors, strict=True):
                created = await r.promises.create(
                    pid, timeout_at, Value(data={"n": pid, "color": color}), {"suite": suite, "color": color}
                )
                assert created.id == pid and created.state == "pending"
            # Noise that must never match the suite's tag filter.
            await r.promises.create(f"{other}-x", timeout_at, Value(data=1), {"suite": other, "color": "red"})

            await r.promises.resolve(ids[0], Value(data={"ok": 0}))
            await r.promises.resolve(ids[1], Value(data={"ok": 1}))
            await r.promises.reject(ids[2], Value(data="nope"))
            expected_state = {pid: "pending" for pid in ids}
            expected_state |= {ids[0]: "resolved", ids[1]: "resolved", ids[2]: "rejected"}

            # get returns what was created / settled.
            for pid, color in zip(ids, colors, strict=True):
                got = await r.promises.get(pid)
                assert got.state == expected_state[pid], (pid, got.state)
                assert got.param.data == {"n": pid, "color": color}
                assert got.tags == {"suite": suite, "color": color}
                assert got.timeout_at == timeout_at
            assert (await r.promises.get(ids[0])).value.data == {"ok": 0}
            assert (await r.promises.get(ids[2])).value.data == "nope"
            with pytest.raises(ServerError) as missing:
                await r.promises.get(f"{suite}-does-not-exist")
            assert missing.value.code == 404

            async def search_all(state, tags, limit):
                """Every page of a search, checking the page size and cursor contract."""
                seen, cursor, pages = [], None, 0
                while True:
                    page = await within(r.promises.search(state, tags, limit, cursor), 10, "promises.search")
                    pages += 1
                    assert len(page.promises) <= limit
                    seen.extend(page.promises)
                    if page.cursor is None:
                        return seen, pages
                    assert page.promises, "a non-final page must not be empty"
                    cursor = page.cursor
                    assert pages < 50, "search paging does not terminate"

            # By tag, paged two at a time: all seven, in id order, no duplicates.
            found, pages = await search_all(None, {"suite": suite}, 2)
            assert [p.id for p in found] == sorted(ids)
            assert pages == 4
            assert {p.id: p.state for p in found} == expected_state

            # By tag and state.
            found, _ = await search_all("resolved", {"suite": suite}, 100)
            assert sorted(p.id for p in found) == sorted([ids[0], ids[1]])
            assert all(p.value.data in ({"ok": 0}, {"ok": 1}) for p in found)
            found, _ = await search_all("rejected", {"suite": suite}, 100)
            assert [p.id for p in found] == [ids[2]]
            found, _ = await search_all("pending", {"suite": suite}, 3)
            assert [p.id for p in found] == sorted(ids[3:])

            # Several tags: subset match.
            found, _ = await search_all(None, {"suite": suite, "color": "red"}, 100)
            assert [p.id for p in found] == sorted(pid for pid, c in zip(ids, colors, strict=True) if c == "red")

            # No match.
            found, _ = await search_all(None, {"suite": suite, "color": "purple"}, 10)
            assert found == []

    run_scenario(scenario(), timeout=35)
