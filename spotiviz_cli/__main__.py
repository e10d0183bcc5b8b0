"""`python -m spotiviz_cli` runs the same command line as `spotiviz`."""

from spotiviz_cli.cli import main

if __name__ == "__main__":  # not again in the import's second process, which imports this module
    main()
