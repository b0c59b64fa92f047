"""glibc's mmap threshold held fixed: freed page-sized buffers go back to the OS."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

# Page-sized buffers freed between small objects that outlive them: the pattern of a run's
# process, where glibc's moving threshold leaves the freed pages as holes in its heap.
SCRIPT = """
import sys
from articlewatch.malloc_tuning import keep_large_blocks_mapped
def rss_mb():
    lines = open("/proc/self/status").read().splitlines()
    return next(int(line.split()[1]) // 1024 for line in lines if line.startswith("VmRSS"))
tuned = sys.argv[1] == "tuned" and keep_large_blocks_mapped()
first = b"x" * 300_000
del first  # the first freed mmapped block: glibc's moving threshold rises past a page's size
start = rss_mb()
pages, kept = [], []
for index in range(200):
    pages.append(bytes([index % 256]) * 300_000)
    kept.append(bytearray(2000))
del pages
print(tuned, rss_mb() - start)
"""


def _held_mb(mode: str) -> tuple[str, int]:
    # A clean environment: malloc reads its own settings (MALLOC_*, GLIBC_TUNABLES) from it.
    clean = {"PATH": os.environ.get("PATH", ""), "LANG": "C.UTF-8"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, mode],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
        env=clean,
    )
    tuned, held = done.stdout.split()
    return tuned, int(held)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc is Linux's")
def test_freed_page_buffers_go_back_to_the_os_with_the_fixed_threshold() -> None:
    tuned, held = _held_mb("tuned")
    if tuned != "True":
        pytest.skip("not glibc: no mallopt threshold to fix")
    assert held < 10  # 60 MB of pages allocated and freed
    # Without it the same pattern keeps them: what the test would catch if the tuning broke.
    assert _held_mb("default")[1] > 40, sorted(os.environ)
