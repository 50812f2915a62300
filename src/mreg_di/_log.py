"""The ``mreg_di`` logger, with ``logging`` imported only once something is logged.

``import logging`` costs about 3 ms; the modules on the start-up path ask for the logger here,
at the moment they log, instead of importing it at module level.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import logging

__all__ = ["logger"]


def logger() -> logging.Logger:
    """The ``mreg_di`` logger (log with ``extra=`` fields, never print).

    Example:
        >>> logger().name
        'mreg_di'
    """
    import logging

    return logging.getLogger("mreg_di")
