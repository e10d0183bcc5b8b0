"""`python -m spotiviz_cli` runs the same command line as `spotiviz`."""

from spotiviz_cli.cli import main

main()
