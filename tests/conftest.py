"""Hypothesis profiles: the same examples on every CI run, no deadlines anywhere.

CI sets the environment variable ``CI``; there the ``ci`` profile derandomises
hypothesis (a failure seen once is seen on every run, and in the log with the
blob that reproduces it). Elsewhere examples stay random. Tests that give their
own ``@settings`` keep them (``max_examples`` in particular); the profile fills
in the rest.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("default", deadline=None)
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")
