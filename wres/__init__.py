"""wres: a reproducible analysis workbook for the Social Care Workforce Race Equality Standard."""

__version__ = "0.1.0"
