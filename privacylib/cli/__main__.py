"""python -m privacylib.cli: the `privacy-audit` command."""

import sys

from privacylib.cli import main

sys.exit(main())
