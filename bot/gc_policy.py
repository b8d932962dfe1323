"""How `infrawork serve` keeps the garbage collector's passes out of the request path.

Measured with ``gc.callbacks`` in the serving process under the request-path benchmark
(bench/RESULTS.md, "Request path"): with Python's defaults the young generation was collected
every 700 net new objects (~60 passes a second at 800 adds/s, each promoting whatever requests
were in flight), which promoted enough to start a full pass every ~3 s; a full pass walked the
~22k objects created after the import-time freeze (engine, Bolt app, SQLAlchemy caches) and
stopped the event loop for 15-25 ms. Together ~4 % of the process's CPU.
"""

from __future__ import annotations

import gc

YOUNG_THRESHOLD = 10_000
"""Net new container objects between young-generation passes (Python's default: 700). A request
leaves few objects behind, so passes become ~14× rarer, each promotes the in-flight requests'
objects once instead of many times, and full passes all but stop. The older generations keep
their defaults."""


def freeze_what_lives() -> None:
    """Collect once, then keep every object alive now out of later passes (gc.freeze).

    Call it when what exists is what the process keeps: after imports, and again once the
    server is up (its engine, Bolt app and caches live as long as the process).
    """
    gc.collect()
    gc.freeze()


def tune_collector() -> None:
    """Raise the young generation's threshold (see YOUNG_THRESHOLD)."""
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_THRESHOLD, middle, old)
