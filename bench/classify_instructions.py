"""Instructions per classified item, counted by callgrind: comparable across commits on a busy
machine, where items/s are not.

    .venv/bin/python bench/classify_instructions.py [--items 6000] [--tree DIR]

Runs this file twice under ``valgrind --tool=callgrind`` (``--loop``): each run classifies the
texts of bench/data/extra.jsonl and the dev set once (warm-up), empties the word cache as
``bench/classify.py --only throughput`` does before each pass, then classifies N of them (0, then
``--items``); instructions per item = (Ir at N − Ir at 0) / N. ``--tree`` measures another
checkout (``git worktree add --detach /tmp/base <commit>``) with this machine's venv. Not in
run-all (valgrind makes it take about a minute).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT.parent / "shared" / "data" / "workitems-dev.jsonl"


def loop(tree: Path, items: int) -> None:
    sys.path.insert(0, str(tree))
    from core.classify import classify
    from core.signals import clear_cache

    texts: list[str] = []
    for path in (tree / "bench" / "data" / "extra.jsonl", DEV):
        if path.exists():
            lines = path.read_text(encoding="utf-8").splitlines()
            texts += [json.loads(line)["text"] for line in lines if line.strip()]
    for t in texts:
        classify(t)
    corpus = (texts * (items // max(len(texts), 1) + 1))[:items]
    clear_cache()
    for t in corpus:
        classify(t)


def collected(tree: Path, items: int) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        run = subprocess.run(
            [
                "valgrind",
                "--tool=callgrind",
                f"--callgrind-out-file={tmp}/out",
                sys.executable,
                __file__,
                "--loop",
                "--tree",
                str(tree),
                "--items",
                str(items),
            ],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONHASHSEED": "0"},
            check=True,
        )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"no instruction count in valgrind's output:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=6000)
    parser.add_argument("--tree", type=Path, default=ROOT)
    parser.add_argument("--loop", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.loop:
        loop(args.tree.resolve(), args.items)
        return 0
    base, full = collected(args.tree, 0), collected(args.tree, args.items)
    print(f"{args.tree}: {(full - base) / args.items:,.0f} instructions per item")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
