"""pipeline_demo: the mreg-di example application, a small data pipeline made of plugins.

The plugins live in their own modules (`storage`, `compression`, `encryption`, `analysis`,
`monitoring`, `processing`) and declare themselves with ``@plugin`` / ``@factory``. This package
imports none of them: ``mreg-codegen`` finds them without importing anything, and the registry
imports each module only when one of its plugins is first needed.

Example:
    Build the manifest, then run the pipeline (``examples/pipeline/run.py`` does both)::

        mreg-codegen scan examples/pipeline/src \\
            --output examples/pipeline/src/pipeline_demo/mreg-manifest.json
        python examples/pipeline/run.py
"""

from __future__ import annotations

__all__: list[str] = []
