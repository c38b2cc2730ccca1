"""``python -m sklearn_fer`` runs the ``sklearn-fer`` command line."""

import sys

from .cli import main

sys.exit(main())
