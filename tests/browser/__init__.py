"""Browser tests: Casework in headless Chromium (Debian's /usr/bin/chromium), driven by Playwright."""
