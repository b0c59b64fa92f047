"""A page's big buffers straight from the OS and back to it: a run's memory follows its pages.

glibc serves a block of 128 KB or more with its own mmap, but after each such block is freed it
raises that threshold to the block's size (up to 32 MB). A run frees page-sized buffers all the time
(a body, its text, the pickle that carries it to a worker), so soon every page comes from the heap,
whose holes are reused only by blocks that fit and seldom go back to the OS: a cold pass of 1000 AEB
pages held 252 MB in the run's process with the moving threshold and 184 MB with a fixed one.
(Dask's nanny sets MALLOC_TRIM_THRESHOLD_ in its workers, which fixes the threshold the same way.)
"""

from __future__ import annotations

import ctypes
import sys

M_MMAP_THRESHOLD = -3  # mallopt's parameter number, from glibc's malloc.h
LARGE_BLOCK_BYTES = 128 * 1024  # glibc's own starting threshold, kept fixed


def keep_large_blocks_mapped() -> bool:
    """Fix glibc's mmap threshold for this process (True), a no-op on other C libraries (False)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    return bool(mallopt(M_MMAP_THRESHOLD, LARGE_BLOCK_BYTES))
