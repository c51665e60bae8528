"""`python -m service` is the `rightsline` command."""

from service.cli import main

raise SystemExit(main())
