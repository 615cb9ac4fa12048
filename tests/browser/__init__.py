"""Browser tests of the HTML map page (headless Chromium through Playwright)."""
