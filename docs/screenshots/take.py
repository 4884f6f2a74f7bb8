"""Take README's screenshots of a `make report` output folder, at 1280 pixels wide.

    .venv/bin/python docs/screenshots/take.py outputs

Writes summary.png (Ashbourne Vale's 2024 summary), indicator-03.png (its formal
disciplinary process page; both publication pages) and index.png next to this file: the
top of each page, as a reader first sees it, cut at ``HEIGHT`` pixels and reduced to a
64-colour palette so each stays under about 250 KB. Uses Debian's Chromium through
Playwright, as the tests do.
"""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

from PIL import Image
from playwright.sync_api import sync_playwright

HERE = Path(__file__).resolve().parent
WIDTH, HEIGHT = 1280, 2000
PAGES = {
    "summary.png": "2024/ashbourne-vale/00-summary.publication.html",
    "indicator-03.png": "2024/ashbourne-vale/03-disciplinary.publication.html",
    "index.png": "index.html",
}


def main(outputs: Path) -> None:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        sys.exit("Chromium is not installed: run 'make browser'")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium,
                                             args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
        for name, path in PAGES.items():
            page.goto((outputs / path).resolve().as_uri())
            shot = Image.open(io.BytesIO(page.screenshot(full_page=False)))
            small = shot.convert("RGB").quantize(colors=64, method=Image.Quantize.MEDIANCUT,
                                                 dither=Image.Dither.NONE)
            small.save(HERE / name, optimize=True)
            print(f"{name}: {(HERE / name).stat().st_size:,} bytes")
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "outputs"))
