"""Figures from a parsed workbook: plan against actual, selections, follow-up, reporting status."""

__all__ = ["followup", "metrics", "reporting", "reporting_matrix", "selection"]
