"""``python -m releasekit``."""

from releasekit.cli import cli

if __name__ == "__main__":
    cli()
