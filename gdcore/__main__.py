"""`python -m gdcore ...`: see gdcore.cli."""
import sys

from .cli import main

sys.exit(main())
