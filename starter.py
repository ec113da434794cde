"""The client side: ``brandpunt`` (console script). Starts cases and sends coordinator commands.

Kept tiny so the CLI starts fast; everything lives in ``cli/``.
"""

from __future__ import annotations

import sys


def main() -> None:
    from cli.main import main as cli_main

    sys.exit(cli_main())


if __name__ == "__main__":
    main()
