# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Capture's switch and its safety net, for any code that triggers capture."""

import contextvars
import logging

from odoo.service.model import PG_CONCURRENCY_EXCEPTIONS_TO_RETRY

_logger = logging.getLogger(__name__)


class _NoCapture(str):
    """Context value that switches capture off: only server code can make it.

    JSON-2 and RPC callers choose the context, but what they send arrives as
    plain JSON types, never as an instance of this class.
    """


# with_context(xrm_no_capture=NO_CAPTURE): demo loading, automatic mails.
NO_CAPTURE = _NoCapture("xrm_no_capture")


# The cursor whose savepoint run_isolated holds while its function runs: work
# inside on that cursor is isolated already (set by server code only).
_ISOLATED = contextvars.ContextVar("xrm_isolated", default=None)


def capture_suspended(env):
    return isinstance(env.context.get("xrm_no_capture"), _NoCapture)


def run_isolated(env, func, *args, what="capture", level=logging.WARNING):
    """Run the addon's bookkeeping ``func(*args)`` so it never costs the caller.

    The caller's pending work is flushed first and ``func`` runs in its own
    savepoint: if it fails, only its own work is rolled back, a warning is
    logged and None is returned, so the message, activity or save that
    triggered it goes through. Concurrency errors still propagate: the
    request is retried as a whole.
    """
    env.flush_all()
    token = _ISOLATED.set(env.cr)
    try:
        with env.cr.savepoint(flush=False):
            result = func(*args)
            env.flush_all()  # fail here, inside the savepoint, not later
            return result
    except PG_CONCURRENCY_EXCEPTIONS_TO_RETRY:
        raise
    except Exception:  # noqa: BLE001 - bookkeeping never refuses a message
        # Only what ran inside the savepoint was pending: drop it.
        env.clear()
        _logger.log(level, "XRM: %s failed and was skipped", what, exc_info=True)
        return None
    finally:
        _ISOLATED.reset(token)


def isolated(env):
    """Whether the caller already runs inside run_isolated's savepoint."""
    return _ISOLATED.get() is env.cr
