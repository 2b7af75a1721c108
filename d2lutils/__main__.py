"""``python -m d2lutils doctor``: check this machine for the book (see doctor.py)."""

import sys

from .doctor import main

sys.exit(main())
