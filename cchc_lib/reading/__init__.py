"""Reading a workbook: the format as data, safety checks, the sandboxed parse, checks, marked copy."""

__all__ = [
    "cells",
    "channels",
    "column_mapping",
    "intake",
    "marking",
    "marking_splice",
    "model",
    "opc",
    "package",
    "plausibility",
    "problems",
    "raw_sheet",
    "resolve",
    "safety",
    "sandbox",
    "schema",
    "spare",
    "workbook",
]
