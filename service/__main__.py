"""`python -m service`: the service on its own, serving the web chat alone.

The `rightsline` command (`python -m rightsline`) is the same with every channel wired in.
"""

from service.cli import main

raise SystemExit(main())
