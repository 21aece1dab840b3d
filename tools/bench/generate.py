# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo-bin shell`` entry point of ``tools/xrm.py generate``.

Reads ``XRM_SCALE`` and ``XRM_BENCH_DIR`` (this folder) from the environment,
fills the database through ``xrm_generator.generate``, commits and prints
the row counts and the time on a ``GENERATE_RESULT`` line.
"""

import json
import os
import sys
import time

sys.path.insert(0, os.environ["XRM_BENCH_DIR"])

from xrm_generator import generate  # noqa: E402 (after the path is known)

env = globals()["env"]  # provided by odoo shell
# The scratch tables (a million partners at 10x) stay in the session's own
# buffers instead of going through the OS for each of 10M lookups; set before
# the session touches a temporary table, as PostgreSQL requires.
env.cr.execute("SET temp_buffers = '1GB'")
started = time.perf_counter()
counts = generate(
    env,
    float(os.environ.get("XRM_SCALE", "0.1")),
    log=lambda m: print(m, flush=True),
    return_ids=False,
)
env.cr.commit()
# tools/xrm.py reads this line: rows per model and the time the data took.
counts["seconds"] = time.perf_counter() - started
print("GENERATE_RESULT " + json.dumps(counts), flush=True)
