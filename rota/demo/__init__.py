"""The generated Cambridgeshire service: realistic, pseudonymous, reproducible from a seed."""

from rota.demo.catalogue import SIZES, DemoSize
from rota.demo.generator import generate_problem

__all__ = ["SIZES", "DemoSize", "generate_problem"]
