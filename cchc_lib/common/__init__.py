"""The basics every layer uses: settings, errors, text keys, Vietnamese numbers and dates, periods."""

__all__ = ["atomic", "cell_text", "errors", "formatting", "labels", "periods", "settings", "text"]
