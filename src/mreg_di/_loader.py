"""Loading a plugin's implementation: check its file, import its module, find its object.

Nothing is imported before a plugin is first needed. Then, in this order:

1. the file's sha256 is compared with the manifest's (unless ``verify=False``), so a file edited
   since ``mreg-codegen scan`` raises `StaleManifestError` *before* its code runs;
2. the module is imported;
3. the qualified name is looked up, and the object must still carry the declaration of the
   same plugin. A missing or renamed class is a `StaleManifestError`, never an `AttributeError`.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

from mreg_di._errors import StaleManifestError

if TYPE_CHECKING:
    from mreg_di._manifest import Manifest
    from mreg_di._spec import PluginRecord

__all__ = ["Loader", "sha256_of"]

_MISSING = object()


def sha256_of(data: bytes) -> str:
    """The lowercase hex sha256 of `data`, as the manifest records it.

    Example:
        >>> sha256_of(b"")[:16]
        'e3b0c44298fc1c14'
    """
    import hashlib  # ~2 ms: only once a file is verified

    return hashlib.sha256(data).hexdigest()


class Loader:
    """Finds the implementations of plugins, importing their modules on first request.

    Args:
        manifest: Where the expected sha256 of each file comes from.
        verify: Compare each file's sha256 with the manifest's before importing it.
        read: Reads a manifest-relative file; by default from `Manifest.file_path`.

    Example:
        >>> from mreg_di._manifest import Manifest
        >>> manifest = Manifest.build([], files={}, order={}, generator="doc")
        >>> loader = Loader(manifest, verify=True)
        >>> loader.add("inline", dict)
        >>> loader.loaded("inline")
        True
    """

    def __init__(
        self,
        manifest: Manifest,
        *,
        verify: bool = True,
        read: Callable[[str], bytes] | None = None,
    ) -> None:
        self._manifest = manifest
        self._verify = verify
        self._read = read or (lambda relative: _read_bytes(manifest.file_name(relative)))
        self._verified: set[str] = set()
        self._objects: dict[str, Any] = {}
        self._lock = threading.Lock()

    def add(self, name: str, obj: Any) -> None:
        """Make `obj` the implementation of plugin `name` (runtime registration)."""
        self._objects[name] = obj

    def discard(self, name: str) -> None:
        """Forget the implementation of plugin `name`, if any."""
        self._objects.pop(name, None)

    def loaded(self, name: str) -> bool:
        """Whether plugin `name`'s implementation is already known."""
        return name in self._objects

    def load(self, record: PluginRecord) -> Any:
        """The class or function implementing `record`, importing its module if needed.

        Raises:
            StaleManifestError: The file changed or vanished since the manifest was generated,
                or the module no longer defines the declared object.
        """
        obj = self._objects.get(record.name, _MISSING)
        if obj is not _MISSING:
            return obj
        if self._verify and record.file is not None:
            self.verify_file(record)
        module = self._import(record)
        obj = module
        for part in record.qualname.split("."):
            obj = getattr(obj, part, _MISSING)
            if obj is _MISSING:
                self._stale(
                    record,
                    f"module `{record.module}` has no `{record.qualname}` (the manifest "
                    f"declares it at {record.location}); it was renamed or removed",
                )
        from mreg_di._decorators import SPEC_ATTRIBUTE  # attrs: off the start-up path

        spec = getattr(obj, "__dict__", {}).get(SPEC_ATTRIBUTE)
        declared = getattr(spec, "name", None)
        if declared != record.name:
            now = f"declares plugin `{declared}`" if declared else "is not decorated"
            self._stale(
                record,
                f"`{record.qualified_name}` {now}, but the manifest has it as plugin "
                f"`{record.name}`",
            )
        self._objects[record.name] = obj
        return obj

    def verify_file(self, record: PluginRecord) -> None:
        """Compare `record`'s file with the sha256 the manifest holds for it (once per file).

        Raises:
            StaleManifestError: The file changed or cannot be read.
        """
        file = record.file
        if file is None or file in self._verified:
            return
        with self._lock:
            if file in self._verified:
                return
            expected = self._manifest.files[file]
            try:
                data = self._read(file)
            except OSError as exc:
                self._stale(
                    record,
                    f"the file cannot be read ({exc.strerror or exc}: "
                    f"{self._manifest.file_path(file)}); it was moved or deleted",
                    cause=exc,
                )
            actual = sha256_of(data)
            if actual != expected:
                self._stale(
                    record,
                    f"the file changed since the manifest was generated (its sha256 is "
                    f"{actual[:12]}..., the manifest has {expected[:12]}...); its module "
                    f"`{record.module}` was not imported",
                )
            self._verified.add(file)

    def _import(self, record: PluginRecord) -> Any:
        try:
            return importlib.import_module(record.module)
        except ModuleNotFoundError as exc:
            missing = exc.name or ""
            if record.module == missing or record.module.startswith(missing + "."):
                exc.add_note(
                    f"mreg-di: plugin `{record.name}` ({record.location}) lives in module "
                    f"`{record.module}`, which is not importable.\nHint: put the source root "
                    "the manifest was scanned from on sys.path (or install the package)"
                )
            else:
                exc.add_note(_import_note(record))
            raise
        except BaseException as exc:
            exc.add_note(_import_note(record))
            raise

    def _stale(
        self, record: PluginRecord, reason: str, cause: BaseException | None = None
    ) -> NoReturn:
        error = StaleManifestError(
            self._manifest.source, record.name, record.file or record.target, reason
        )
        raise error from cause


def _import_note(record: PluginRecord) -> str:
    return (
        f"mreg-di: raised while importing module `{record.module}` for plugin "
        f"`{record.name}` ({record.location})"
    )


def _read_bytes(name: str) -> bytes:
    with open(name, "rb") as file:
        return file.read()
