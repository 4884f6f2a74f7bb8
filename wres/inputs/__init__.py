"""Reading and checking what users give: counts, extracts, the ethnicity map, params files.

Imports from `wres.core` and `wres.stats` only.
"""
