"""Entry point of `python -m pie` (see pie/cli.py)."""
import sys

from pie.cli import main

sys.exit(main())
