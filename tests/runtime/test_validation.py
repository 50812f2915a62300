"""Tests for mreg_di._validation: the single-value checks every side shares."""

from __future__ import annotations

import itertools

import pytest
from packaging.specifiers import InvalidSpecifier, SpecifierSet

from mreg_di._validation import (
    DEFAULT_PROFILE,
    KINDS,
    SCOPES,
    check_identifier_list,
    check_name,
    check_profiles,
    check_requirement,
    check_scope,
    check_version,
    close_matches,
    split_requirement,
)

NAME_RULE = (
    "must contain only letters, digits, '.', '_' and '-', and start and end with a letter or digit"
)


class TestConstants:
    def test_scopes_kinds_and_default_profile(self) -> None:
        """The allowed scopes, kinds and the default profile name are fixed."""
        assert SCOPES == ("singleton", "factory", "thread")
        assert KINDS == ("class", "factory")
        assert DEFAULT_PROFILE == "default"


class TestCheckName:
    @pytest.mark.parametrize("name", ["a", "gzip-compressor", "a.b_c-1", "A9", "9"])
    def test_valid(self, name: str) -> None:
        """Letters, digits, '.', '_' and '-' starting and ending alphanumeric are accepted."""
        assert check_name(name) is None

    @pytest.mark.parametrize("name", ["", "a b", "-a", "a-", ".a", "a_", " a", "a\n", "é", "a/b"])
    def test_invalid_characters(self, name: str) -> None:
        """Any other spelling is rejected with the rule in the message."""
        assert check_name(name) == f"plugin name {name!r} {NAME_RULE}"

    @pytest.mark.parametrize(("value", "kind"), [(5, "int"), (None, "NoneType"), (b"a", "bytes")])
    def test_not_a_string(self, value: object, kind: str) -> None:
        """A non-string is rejected naming its type."""
        assert check_name(value) == f"plugin name must be a string, not {kind}"

    def test_custom_subject(self) -> None:
        """The `what` argument names the thing checked."""
        assert check_name("a b", "variant") == f"variant 'a b' {NAME_RULE}"
        assert check_name(1, "variant") == "variant must be a string, not int"


class TestCheckVersion:
    @pytest.mark.parametrize(
        "version",
        ["0.0.0", "1", "2.1.0", "2.1.0rc1", "v1.0", "1!2.0", "1.0+local.1", "1.0.post1.dev2"],
    )
    def test_valid(self, version: str) -> None:
        """PEP 440 versions are accepted."""
        assert check_version(version) is None

    @pytest.mark.parametrize("version", ["", "two", "1.0-", " 1.0", "1.0 ", "1..0", "1.0.x"])
    def test_invalid(self, version: str) -> None:
        """Anything that is not exactly a PEP 440 version is rejected, surrounding spaces too."""
        assert check_version(version) == (
            f"version {version!r} is not a valid PEP 440 version (e.g. '1.0', '2.1.0rc1')"
        )

    @pytest.mark.parametrize(("value", "kind"), [(1.0, "float"), (1, "int"), (None, "NoneType")])
    def test_not_a_string(self, value: object, kind: str) -> None:
        """A non-string version is rejected naming its type."""
        assert check_version(value) == f"version must be a string, not {kind}"


class TestSplitRequirement:
    @pytest.mark.parametrize(
        ("text", "expected"),
        [
            ("storage", ("storage", "")),
            ("storage>=1.0", ("storage", ">=1.0")),
            ("  storage >= 1.0 , < 2  ", ("storage", ">=1.0,<2")),
            ("a-b.c==1.0.*", ("a-b.c", "==1.0.*")),
            ("a===anything", ("a", "===anything")),
        ],
    )
    def test_splits_name_and_specifier(self, text: str, expected: tuple[str, str]) -> None:
        """The name and the specifier (spaces removed) are returned."""
        assert split_requirement(text) == expected

    @pytest.mark.parametrize(
        "text", ["", " ", "a b", "a>>1", "a>=", "a>=1.0,", "a,", ">=1.0", "a>=1.0;x", "-a>=1"]
    )
    def test_not_a_requirement(self, text: str) -> None:
        """Text that is not a name plus valid specifiers gives None."""
        assert split_requirement(text) is None

    def test_agrees_with_packaging(self) -> None:
        """Every operator/version pair is accepted exactly when packaging accepts it."""
        operators = ["~=", "==", "!=", "<=", ">=", "<", ">", "==="]
        versions = [
            "1", "1.0", "1.0.*", "1.*", "1.0+l", "1.0rc1", "1.0rc1.*", "1.0.post1", "1.0.dev1",
            "1.0.post1.*", "1.0+l.*", "v1.0", "1!2.0", "1.0-1", "x", "1.0.0.0.*", "1.0a",
            "1.0.*.*", "1.0+L-1", "1.0.dev1.*",
        ]  # fmt: skip
        disagreements = []
        for op, version in itertools.product(operators, versions):
            ours = split_requirement(f"a{op}{version}") is not None
            try:
                SpecifierSet(op + version)
            except InvalidSpecifier:
                theirs = False
            else:
                theirs = True
            if ours != theirs:
                disagreements.append((op + version, ours, theirs))
        assert disagreements == []


class TestCheckRequirement:
    @pytest.mark.parametrize("text", ["storage", "storage>=1.0,<2", "s~=1.2", "s!=1.0.*"])
    def test_valid(self, text: str) -> None:
        """Names with optional PEP 440 specifiers are accepted."""
        assert check_requirement(text) is None

    @pytest.mark.parametrize("text", ["", "storage>>1", "storage~=1", "s>=1.0+local", "s<=1.*"])
    def test_invalid(self, text: str) -> None:
        """Specifiers PEP 440 rejects are rejected with an example of the right form."""
        assert check_requirement(text) == (
            f"requirement {text!r} must be a plugin name optionally followed by PEP 440 "
            "specifiers, e.g. 'memory-storage>=1.0,<2'"
        )

    def test_not_a_string(self) -> None:
        """A non-string requirement is rejected naming its type."""
        assert check_requirement(["a"]) == "requirement must be a string, not list"


class TestCheckScope:
    @pytest.mark.parametrize("scope", SCOPES)
    def test_valid(self, scope: str) -> None:
        """Each allowed scope is accepted."""
        assert check_scope(scope) is None

    @pytest.mark.parametrize("scope", ["request", "Singleton", "", None, ["singleton"], 1])
    def test_invalid(self, scope: object) -> None:
        """Anything else is rejected listing the allowed scopes."""
        assert check_scope(scope) == (
            f"scope {scope!r} is not one of 'singleton', 'factory', 'thread'"
        )


class TestCheckProfiles:
    @pytest.mark.parametrize("profiles", [[], ["test"], ("production", "Default", "defaults")])
    def test_named_profiles(self, profiles: list[str]) -> None:
        """Named profiles are accepted; only the exact reserved name is refused."""
        assert check_profiles(profiles) is None

    def test_default_is_reserved(self) -> None:
        """Listing "default", which would make a plugin active nowhere, is refused."""
        assert check_profiles(["test", DEFAULT_PROFILE]) == (
            "profile 'default' is reserved for running without a profile, where only plugins "
            "that list no profile are active: a plugin listing it is active nowhere"
        )


class TestCheckIdentifierList:
    @pytest.mark.parametrize("value", [[], (), ["a", "b c"], ("x",)])
    def test_valid(self, value: object) -> None:
        """Lists and tuples of non-empty strings are accepted."""
        assert check_identifier_list(value, "capabilities") is None

    @pytest.mark.parametrize(
        ("value", "kind"), [("abc", "str"), (None, "NoneType"), ({"a"}, "set"), ({"a": 1}, "dict")]
    )
    def test_not_a_list(self, value: object, kind: str) -> None:
        """A string, set, mapping or None is not a list of strings."""
        assert check_identifier_list(value, "profiles") == (
            f"profiles must be a list of strings, not {kind}"
        )

    @pytest.mark.parametrize(("value", "bad"), [(["a", ""], ""), (["a", 1], 1), ([None], None)])
    def test_bad_item(self, value: list[object], bad: object) -> None:
        """The first empty or non-string item is named."""
        assert check_identifier_list(value, "permissions") == (
            f"permissions must contain only non-empty strings, found {bad!r}"
        )


class TestCloseMatches:
    def test_suggests_close_words(self) -> None:
        """Close candidates come back best first, at most `limit` of them."""
        assert close_matches("gzip", ["gzipp", "zip", "bzip2", "other"]) == [
            "gzipp",
            "zip",
            "bzip2",
        ]
        assert close_matches("gzip", ["gzipp", "zip", "bzip2"], limit=1) == ["gzipp"]

    def test_nothing_close(self) -> None:
        """Unrelated or no candidates give an empty list."""
        assert close_matches("gzip", ["storage"]) == []
        assert close_matches("gzip", iter([])) == []
