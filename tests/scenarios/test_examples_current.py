"""examples/county.xlsx is what `rota generate --size county --seed 1 --generator 1` writes."""

from pathlib import Path

from rota.demo import generate_problem
from rota.io import read_problem

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_example_base_workbook_matches_the_generator() -> None:
    assert read_problem(EXAMPLES / "county.xlsx") == generate_problem("county", 1, version=1)
