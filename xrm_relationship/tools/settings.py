# Copyright 2026 XRM Relationship contributors
# License AGPL-3.0 or later (https://www.gnu.org/licenses/agpl).
"""Reading the addon's Settings (``xrm_relationship.*`` system parameters)."""


def xrm_setting(env, key, default=None):
    """A Settings value; without ``default``, a switch read as a boolean.

    Unticking a Settings checkbox deletes its parameter, so a missing
    switch is off (the module's data turns them on at install).
    """
    value = (
        env["ir.config_parameter"].sudo().get_param(f"xrm_relationship.{key}", default)
    )
    if default is None:
        return value not in (None, False, "False", "0", "")
    return value


def xrm_setting_number(env, key, default, cast=float):
    """A numeric Settings value; ``default`` when it is empty or not a number."""
    try:
        return cast(xrm_setting(env, key, str(default)) or default)
    except (TypeError, ValueError):
        return default
