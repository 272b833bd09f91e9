"""rota: weekly timetable optimiser for multi-site therapy services."""

__version__ = "0.1.0"
