# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""A schedule with a seconds-field cron fires, runs its function, and can be deleted."""

from __future__ import annotations

import pytest
from resonate.context import Context
from resonate.error import ServerError

from harness import append_line, read_lines, run_scenario, sdk_client, unique, wait_for_async, within

CRON_EVERY_2S = "*/2 * * * * *"  # 6 fields: a leading seconds field


def tick(ctx: Context, path: str, label: str) -> str:
    append_line(path, f"tick {label} {ctx.info.id}")
    return f"ticked {label}"


@pytest.mark.timeout(45)
def test_schedule_fires_runs_function_and_delete_removes_it(server, workdir):
    sched_id = unique("every2s")
    effects = workdir / "ticks"

    async def scenario() -> None:
        async with sdk_client(server.url, group="tickers") as r:
            r.register(tick)
            schedule = await within(
                r.schedule(sched_id, CRON_EVERY_2S, "tick", args=(str(effects), "hello")), 10, "schedule create"
            )

            record = await r.schedules.get(sched_id)
            assert record.id == sched_id
            assert record.cron == CRON_EVERY_2S
            assert record.promise_id == "{{.id}}-{{.timestamp}}"
            assert record.promise_tags.get("resonate:target") == "poll://any@tickers"

            async def ticked():
                return read_lines(effects)

            lines = await wait_for_async(ticked, 15, "the scheduled function to run at least once")
            first = lines[0].split()
            assert first[:2] == ["tick", "hello"], lines
            fired_id = first[2]
            assert fired_id.startswith(f"{sched_id}-"), fired_id
            timestamp = int(fired_id[len(sched_id) + 1 :])
            assert timestamp % 2000 == 0, f"fired at {timestamp}, not on an even second"

            async def fired_resolved():
                p = await r.promises.get(fired_id)
                return p if p.state == "resolved" else None

            fired = await wait_for_async(fired_resolved, 10, f"fired promise {fired_id} to resolve")
            assert fired.value.data == "ticked hello"
            assert fired.tags.get("resonate:schedule") == sched_id, fired.tags
            assert fired.param.data["func"] == "tick"

            await within(schedule.delete(), 10, "schedule delete")
            with pytest.raises(ServerError) as gone:
                await r.schedules.get(sched_id)
            assert gone.value.code == 404

    run_scenario(scenario(), timeout=40)
