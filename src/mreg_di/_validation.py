"""Checks on single declaration values, shared by the decorators, the scanner and the manifest.

Each `check_*` function returns ``None`` when the value is fine and otherwise the reason, one
sentence, so that each caller can wrap it in its own error type (a `ValueError` at decoration
time, a diagnostic with a caret at build time, a `ManifestError` with a JSON path at load time).

Only the standard library is imported here: the manifest loader runs these on the start-up path,
where importing ``packaging.specifiers`` alone would cost more than checking 5,000 records.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "DEFAULT_PROFILE",
    "KINDS",
    "PROFILES_HINT",
    "SCOPES",
    "check_identifier_list",
    "check_metadata",
    "check_name",
    "check_profiles",
    "check_requirement",
    "check_scope",
    "check_version",
    "close_matches",
    "is_active",
    "split_requirement",
]

SCOPES = ("singleton", "factory", "thread")
"""Allowed values of a plugin's ``scope``."""

KINDS = ("class", "factory")
"""What a manifest record can declare: a class or a factory function."""

DEFAULT_PROFILE = "default"
"""The profile a registry runs in when none is given: only plugins without profiles."""

_NAME = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"
_NAME_RE = re.compile(_NAME)
# Release-only versions ("1", "2.1.0") are valid PEP 440 as they stand; only other spellings
# need packaging's full pattern, whose import is kept off the start-up path.
_PLAIN_VERSION_RE = re.compile(r"[0-9]+(?:\.[0-9]+)*")
_SPEC_CLAUSE_RE = re.compile(
    r"\s*(?P<op>~=|===|==|!=|<=|>=|<|>)\s*(?P<version>[A-Za-z0-9_.!+*-]+)\s*"
)
_REQUIREMENT_RE = re.compile(rf"\s*(?P<name>{_NAME})\s*(?P<spec>[^\s].*)?$", re.DOTALL)


def check_name(value: object, what: str = "plugin name") -> str | None:
    """Check a plugin name: letters, digits, ``.``, ``_`` and ``-``, starting and ending alnum.

    Example:
        >>> check_name("gzip-compressor") is None
        True
        >>> print(check_name("gzip compressor"))  # doctest: +ELLIPSIS
        plugin name 'gzip compressor' must contain only letters, digits, '.', '_' and '-', ...
    """
    if not isinstance(value, str):
        return f"{what} must be a string, not {type(value).__name__}"
    if not _NAME_RE.fullmatch(value):
        return (
            f"{what} {value!r} must contain only letters, digits, '.', '_' and '-', "
            "and start and end with a letter or digit"
        )
    return None


def check_version(value: object) -> str | None:
    """Check a PEP 440 version string.

    Example:
        >>> check_version("2.1.0") is None
        True
        >>> check_version("two")
        "version 'two' is not a valid PEP 440 version (e.g. '1.0', '2.1.0rc1')"
    """
    if not isinstance(value, str):
        return f"version must be a string, not {type(value).__name__}"
    if _PLAIN_VERSION_RE.fullmatch(value):
        return None
    if not _version_re().fullmatch(value.strip()) or value != value.strip():
        return f"version {value!r} is not a valid PEP 440 version (e.g. '1.0', '2.1.0rc1')"
    return None


@functools.cache
def _version_re() -> re.Pattern[str]:
    """PEP 440's version pattern, from packaging (imported on first use)."""
    from packaging.version import VERSION_PATTERN

    return re.compile(VERSION_PATTERN, re.VERBOSE | re.IGNORECASE)


def split_requirement(value: str) -> tuple[str, str] | None:
    """Split ``"memory-storage>=1.0,<2"`` into ``("memory-storage", ">=1.0,<2")``.

    Returns ``None`` when the text is not a requirement. The specifier part may be empty.
    """
    match = _REQUIREMENT_RE.fullmatch(value)
    if match is None:
        return None
    spec = (match.group("spec") or "").strip()
    if spec:
        for clause in spec.split(","):
            clause_match = _SPEC_CLAUSE_RE.fullmatch(clause)
            if clause_match is None:
                return None
            if not _is_valid_clause(clause_match.group("op"), clause_match.group("version")):
                return None
    return match.group("name"), spec.replace(" ", "")


def _is_valid_clause(op: str, version: str) -> bool:
    # PEP 440's rules per operator, as packaging.specifiers applies them (importing it would
    # cost ~8 ms on the start-up path): only == and != take a `.*` prefix (release segments
    # only) or a local version, and ~= needs at least two release segments.
    if op == "===":
        return True
    wildcard = version.endswith(".*")
    parsed = _version_re().fullmatch(version[:-2] if wildcard else version)
    if parsed is None:
        return False
    equality = op in ("==", "!=")
    if wildcard and (not equality or parsed["pre"] or parsed["post"] or parsed["dev"]):
        return False
    if parsed["local"] and (wildcard or not equality):
        return False
    return not (op == "~=" and "." not in parsed["release"])


def check_requirement(value: object) -> str | None:
    """Check a named requirement such as ``"memory-storage>=1.0"`` (PEP 440 specifiers).

    Example:
        >>> check_requirement("memory-storage>=1.0") is None
        True
        >>> print(check_requirement("memory-storage>>1"))  # doctest: +ELLIPSIS
        requirement 'memory-storage>>1' must be a plugin name optionally followed by PEP 440 ...
    """
    if not isinstance(value, str):
        return f"requirement must be a string, not {type(value).__name__}"
    if split_requirement(value) is None:
        return (
            f"requirement {value!r} must be a plugin name optionally followed by PEP 440 "
            "specifiers, e.g. 'memory-storage>=1.0,<2'"
        )
    return None


def check_scope(value: object) -> str | None:
    """Check a scope: one of `SCOPES`.

    Example:
        >>> check_scope("thread") is None
        True
        >>> check_scope("request")
        "scope 'request' is not one of 'singleton', 'factory', 'thread'"
    """
    if value in SCOPES:
        return None
    allowed = ", ".join(repr(s) for s in SCOPES)
    return f"scope {value!r} is not one of {allowed}"


def check_identifier_list(value: object, what: str) -> str | None:
    """Check a list of non-empty strings (capabilities, profiles, permissions, variants)."""
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        return f"{what} must be a list of strings, not {type(value).__name__}"
    for item in value:
        if not isinstance(item, str) or not item:
            return f"{what} must contain only non-empty strings, found {item!r}"
    return None


def check_profiles(value: Iterable[object]) -> str | None:
    """Check that a profile list does not name the reserved default profile.

    ``"default"`` is the profile a registry runs in without one, where only plugins that list
    no profile are active, so a plugin listing it would be active nowhere.

    Example:
        >>> check_profiles(["test"]) is None
        True
        >>> print(check_profiles(["default"]))  # doctest: +ELLIPSIS
        profile 'default' is reserved for running without a profile, ...
    """
    if DEFAULT_PROFILE in value:
        return (
            f"profile {DEFAULT_PROFILE!r} is reserved for running without a profile, where "
            "only plugins that list no profile are active: a plugin listing it is active nowhere"
        )
    return None


PROFILES_HINT = (
    "leave profiles empty to be active in every profile, the default one included, or list "
    "only named profiles such as 'production'"
)
"""What to do about a reserved profile, for every caller's message."""


def close_matches(word: str, candidates: Iterable[str], limit: int = 3) -> list[str]:
    """A few candidates close to `word`, for "did you mean" hints."""
    import difflib

    return difflib.get_close_matches(word, list(candidates), n=limit, cutoff=0.6)


def check_metadata(value: object, path: str = "metadata") -> str | None:
    """Check that metadata holds only JSON values: finite numbers, str keys, no other types.

    Example:
        >>> check_metadata({"tags": ["fast", 1.5]}) is None
        True
        >>> print(check_metadata({"when": object()}))  # doctest: +ELLIPSIS
        metadata['when'] must hold only JSON values (str, int, float, bool, None, list, dict), ...
    """
    if isinstance(value, float) and not math.isfinite(value):
        return f"{path} must hold finite numbers (JSON has no NaN or Infinity), found {value!r}"
    if value is None or isinstance(value, (str, int, float, bool)):
        return None
    if isinstance(value, (list, tuple)):
        for index, item in enumerate(value):
            reason = check_metadata(item, f"{path}[{index}]")
            if reason:
                return reason
        return None
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"{path} keys must be strings, found {key!r}"
            reason = check_metadata(item, f"{path}[{key!r}]")
            if reason:
                return reason
        return None
    return (
        f"{path} must hold only JSON values (str, int, float, bool, None, list, dict), "
        f"found {type(value).__name__}"
    )


def is_active(profiles: Sequence[str], profile: str | None) -> bool:
    """Whether a plugin listing `profiles` is active in `profile`: the one activity rule.

    A plugin listing no profile is active everywhere; one listing profiles is active only in
    those, never in the default profile (``None`` or ``"default"``).

    Example:
        >>> is_active([], None), is_active(["test"], "test"), is_active(["test"], None)
        (True, True, False)
        >>> is_active(["default"], "default")
        False
    """
    if not profiles:
        return True
    return profile is not None and profile != DEFAULT_PROFILE and profile in profiles
