"""`python -m content check [--write-readme]`."""

import sys

from content.check import main

if __name__ == "__main__":
    args = sys.argv[1:]
    if args[:1] == ["check"]:
        args = args[1:]
    sys.exit(main(args))
