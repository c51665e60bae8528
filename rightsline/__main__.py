"""`python -m rightsline` is the `rightsline` command."""

from rightsline.cli import main

raise SystemExit(main())
