#!/usr/bin/env python3
# resonate-swift — durable execution for Swift, compatible with Resonate.
# SPDX-License-Identifier: Apache-2.0
"""Copies each example file into the README block marked `<!-- example: PATH -->` that follows it.

The Documentation test fails when the README and the compiled examples differ; run this to bring them back in
line after editing an example.
"""

import pathlib
import re

root = pathlib.Path(__file__).resolve().parent.parent
readme = root / "README.md"
text = readme.read_text()
pattern = re.compile(r"(<!-- example: (?P<path>[^ ]+) -->\n```swift\n)(?P<body>.*?)(```\n)", re.S)
text = pattern.sub(lambda m: m.group(1) + (root / m.group("path")).read_text() + m.group(4), text)
readme.write_text(text)
