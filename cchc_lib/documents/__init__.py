"""What the office downloads: charts, tables, Excel templates, the periodic report, reminders."""

__all__ = [
    "annex",
    "chart_links",
    "charts",
    "exports",
    "narrative",
    "reminders",
    "report_assessment",
    "report_content",
    "report_facts",
    "report_model",
    "report_number",
    "report_results",
    "report_tracked",
    "report_wording",
    "reports",
    "templates",
]
