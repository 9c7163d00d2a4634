#!/usr/bin/env python
"""Django's command-line utility; `thanglong` (installed console script) is the same thing."""

import sys

from thanglong.cli import main

if __name__ == "__main__":
    sys.exit(main())
