"""The command line behind `python -m cchc_lib`: validate, summary, report, template, store, users."""

__all__ = ["cli", "cli_backup", "cli_report", "cli_store", "cli_store_pg"]
