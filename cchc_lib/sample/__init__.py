"""The deterministic workbook writer and the sample workbook it builds (also used by the tests)."""

__all__ = ["builder", "sample_data"]
