"""Browser tests: the real Streamlit server driven by Debian's Chromium through Playwright."""
