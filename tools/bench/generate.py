# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""``odoo-bin shell`` entry point of ``tools/xrm.py generate``.

Reads ``XRM_SCALE`` and ``XRM_BENCH_DIR`` (this folder) from the environment,
fills the database through ``xrm_generator.generate`` and commits.
"""

import os
import sys

sys.path.insert(0, os.environ["XRM_BENCH_DIR"])

from xrm_generator import generate  # noqa: E402 (after the path is known)

env = globals()["env"]  # provided by odoo shell
generate(
    env, float(os.environ.get("XRM_SCALE", "0.1")), log=lambda m: print(m, flush=True)
)
env.cr.commit()
