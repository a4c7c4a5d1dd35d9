# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""The dashboard in a real browser: headless Chromium (Debian's package) drives `/ui` of `resonate dev` while an
official Python SDK worker runs an order that waits for a person's approval (a latent promise).

Each page's screenshot is checked for content; with RESONATE_SCREENSHOTS set to a directory, they are kept there
(that is how the README's screenshots are made).
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import struct
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from harness import raw_request, run_scenario, sdk_client, unique, wait_for, wait_for_async

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def state(url: str, id: str) -> str | None:
    status, data = raw_request(url, "promise.get", {"id": id})
    return data["promise"]["state"] if status == 200 else None


def children(url: str, origin: str) -> list[dict]:
    status, data = raw_request(url, "promise.search", {"tags": {"resonate:origin": origin}, "limit": 100})
    assert status == 200, data
    return data["promises"]


def check_screenshot(path: Path, keep: Path | None) -> None:
    """A PNG of a real page: a valid header, a browser-sized image, and more than a blank page's bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path.name} is not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    assert width >= 1000 and height >= 600, f"{path.name} is {width}x{height}"
    assert len(data) > 20_000, f"{path.name} has only {len(data)} bytes: an empty page?"
    if keep:
        keep.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, keep / path.name)


@pytest.mark.timeout(120)
def test_dashboard_lists_opens_and_settles_an_execution(procs, workdir: Path) -> None:
    assert CHROMIUM, "Chromium is not installed (Debian: apt-get install chromium); scripts/setup.sh installs it"
    keep = Path(os.environ["RESONATE_SCREENSHOTS"]) if os.environ.get("RESONATE_SCREENSHOTS") else None
    server = procs.server("dev", "--port", "0", "--metrics-port", "0")
    procs.worker("approvals", server.url, app="approval", group="workers")
    order = unique("order")
    other = unique("invoice")

    async def start() -> None:
        async with sdk_client(server.url, group="clients") as r:
            r.options(target="workers").rpc(order, "approve_order", order)
            r.options(target="workers").rpc(other, "approve_order", other)

            async def both_created() -> bool:
                return state(server.url, order) is not None and state(server.url, other) is not None

            # The client sends the creations in the background: stay until they are stored.
            await wait_for_async(both_created, 20, "the two executions to be created")
            # A schedule, so the schedules page has something to show.
            status, data = raw_request(
                server.url,
                "schedule.create",
                {"id": f"{order}-nightly", "cron": "0 3 * * *", "promiseId": "nightly-{{.timestamp}}",
                 "promiseTimeout": 60_000, "promiseTags": {"resonate:target": "poll://any@workers"}},
            )
            assert status == 200, data

    run_scenario(start(), timeout=30)
    # The latent promise exists once the workflow waits on it.
    wait_for(lambda: any(p["state"] == "pending" and p["id"] != order for p in children(server.url, order)), 20,
             "the order to wait for its approval")
    latent = next(p["id"] for p in children(server.url, order) if p["id"] != order)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page: Page = browser.new_page(viewport={"width": 1280, "height": 800})
        try:
            # The list: both executions, pending, with their function.
            page.goto(f"{server.url}/ui")
            expect(page.locator("table.executions")).to_contain_text(order)
            expect(page.locator("table.executions")).to_contain_text(other)
            expect(page.locator("table.executions")).to_contain_text("approve_order")
            page.screenshot(path=str(workdir / "executions.png"), full_page=True)

            # Filtered by id prefix: only the order.
            page.fill("input[name=prefix]", order)
            page.click("form.filter button")
            expect(page.locator("table.executions tbody tr")).to_have_count(1)
            expect(page.locator("table.executions")).not_to_contain_text(other)

            # The execution: its tree, with the latent promise waiting, decoded arguments.
            page.click(f"text={order}")
            expect(page.locator("pre.tree")).to_contain_text(latent)
            expect(page.locator("h1")).to_contain_text("pending")
            node = page.locator(f"details.node[data-id='{latent}']")
            expect(node).to_contain_text("pending")
            expect(page.locator(f"details.node[data-id='{order}']")).to_contain_text(f'"{order}"')
            page.screenshot(path=str(workdir / "execution.png"), full_page=True)

            # Resolve the latent promise with a JSON value: the workflow completes with it.
            node.locator("textarea[name=value]").fill(json.dumps({"approved": True, "by": "ops"}))
            node.locator("button[value=resolved]").click()
            expect(page.locator("p.notice")).to_contain_text(f"{latent} resolved")
            wait_for(lambda: state(server.url, order) == "resolved", 20, "the order to complete")
            # The page refreshes itself ("live"), and shows the execution resolved.
            page.wait_for_function("document.body.dataset.refreshed !== undefined", timeout=10_000)
            expect(page.locator("h1")).to_contain_text("resolved", timeout=10_000)
            status, data = raw_request(server.url, "promise.get", {"id": order})
            assert status == 200
            result = json.loads(base64.b64decode(data["promise"]["value"]["data"]))
            assert result == {"order": order, "approval": {"approved": True, "by": "ops"}}, result
            page.screenshot(path=str(workdir / "execution-resolved.png"), full_page=True)

            # Cancel the other one from its page.
            page.goto(f"{server.url}/ui?prefix={other}")
            page.click(f"text={other}")
            page.fill("input[name=reason]", "ordered twice")
            page.click("text=Cancel execution")
            expect(page.locator("p.notice")).to_contain_text(f"{other} canceled")
            assert state(server.url, other) == "rejected_canceled"

            # Workers: the Python worker's process in its group.
            page.goto(f"{server.url}/ui/workers")
            expect(page.locator("table")).to_contain_text("approvals")
            expect(page.locator("table")).to_contain_text("workers")
            page.screenshot(path=str(workdir / "workers.png"), full_page=True)

            # Schedules: the schedule, then deleted.
            page.goto(f"{server.url}/ui/schedules")
            expect(page.locator("table")).to_contain_text(f"{order}-nightly")
            expect(page.locator("table")).to_contain_text("0 3 * * *")
            page.screenshot(path=str(workdir / "schedules.png"), full_page=True)
            page.click("text=Delete")
            expect(page.locator("p.notice")).to_contain_text("deleted")
            status, _ = raw_request(server.url, "schedule.get", {"id": f"{order}-nightly"})
            assert status == 404
        finally:
            browser.close()

    for name in ("executions.png", "execution.png", "execution-resolved.png", "workers.png", "schedules.png"):
        check_screenshot(workdir / name, keep)
