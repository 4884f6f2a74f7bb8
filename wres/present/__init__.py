"""What readers see: findings in words, tables, figures and what notebooks display.

Imports from the layers below (`core`, `stats`, `inputs`, `analysis`), never from `batch`.
"""
