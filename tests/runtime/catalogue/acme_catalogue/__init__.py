"""A catalogue of 58 realistic plugins, used by the discovery tests as data.

Discovery must answer every query from the manifest alone, so this package is never meant to
be imported: importing it fails loudly, and any discovery call that did so would fail its test.
"""

raise RuntimeError(
    "acme_catalogue was imported: discovery must answer from the manifest alone, "
    "without importing any plugin module"
)
