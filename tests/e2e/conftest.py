"""End-to-end tests: the pages in headless Chromium against the service and the simulator.

The service harness lives beside the integration tests; put it on the path so the browser
tests start the app the same way (real uvicorn on a loopback port, the simulator upstream).
"""

from __future__ import annotations

import sys
from pathlib import Path

HARNESS_DIR = Path(__file__).resolve().parent.parent / "integration"
if str(HARNESS_DIR) not in sys.path:
    sys.path.insert(0, str(HARNESS_DIR))
