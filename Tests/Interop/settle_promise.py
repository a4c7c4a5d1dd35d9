# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Another client: resolves a promise by id with ``promises.resolve``.

Usage: settle_promise.py --url URL --id ID --value JSON
Prints ``SETTLED <state> <value-json>``.
"""

from __future__ import annotations

import argparse
import asyncio
import json

from resonate.resonate import Resonate
from resonate.types import Value

from harness import within


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", required=True)
    parser.add_argument("--id", required=True)
    parser.add_argument("--value", required=True)
    args = parser.parse_args()

    resonate = Resonate(url=args.url, group="approvers")
    try:
        record = await within(
            resonate.promises.resolve(args.id, Value(data=json.loads(args.value))), 15, "promises.resolve"
        )
        print(f"SETTLED {record.state} {json.dumps(record.value.data)}", flush=True)
    finally:
        await within(resonate.stop(), 10, "resonate.stop()")


if __name__ == "__main__":
    asyncio.run(main())
