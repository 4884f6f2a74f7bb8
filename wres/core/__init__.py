"""The bottom layer: domain definitions, names, method names, paths and atomic writes.

Imports nothing from the rest of `wres`, and nothing heavy: the CLI and params
checks use it before the numerical stack is loaded.
"""
