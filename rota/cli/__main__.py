"""`python -m rota.cli`."""

from rota.cli import main

main()
