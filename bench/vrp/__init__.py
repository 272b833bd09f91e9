"""Vehicle-routing-shaped benchmark: Solomon instances as rota services, an exact model, a run."""
