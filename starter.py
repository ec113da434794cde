"""The client side: ``brandpunt`` (console script). Starts cases and sends coordinator commands.

Kept tiny so the CLI starts fast; everything lives in ``cli/``.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    from settings import PRIVATE_UMASK

    # Whatever brandpunt creates (BRANDPUNT_HOME, the ledger and Temporal databases, reports,
    # dossiers) and what the dev server it starts creates is private to its owner: 0700 / 0600.
    os.umask(PRIVATE_UMASK)
    from cli.main import main as cli_main

    code = cli_main()
    # Leave without interpreter finalisation: the Temporal SDK's native runtime threads can abort
    # a finalising interpreter ("Fatal Python error" at exit). Everything is flushed and shut
    # down by now (telemetry in cli.main, clients and workers by their async-with blocks).
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:  # the reader left (`| head`): what it did not read is not wanted
            pass
    os._exit(code)


if __name__ == "__main__":
    main()
