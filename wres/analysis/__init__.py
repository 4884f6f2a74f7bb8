"""Results from counts: relative likelihoods per authority, the national view, disclosure control.

Imports from `wres.core`, `wres.stats` and `wres.inputs`.
"""
