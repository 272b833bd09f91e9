"""Problem.model_copy must not keep lookups cached from the original (scenarios rely on it)."""

from rota.models import Problem, Site, TravelOverride


def test_model_copy_drops_cached_lookups() -> None:
    a = Site(site_id="A", name="a", latitude=52.2, longitude=0.1)
    b = Site(site_id="B", name="b", latitude=52.3, longitude=0.0)
    base = Problem(
        sites=(a, b), travel=(TravelOverride(from_site_id="A", to_site_id="B", minutes=20),)
    )
    assert set(base.site_by_id) == {"A", "B"}
    assert base.travel_minutes("A", "B") == 20

    copy = base.model_copy(update={"sites": (a,), "travel": ()})

    assert set(copy.site_by_id) == {"A"}
    assert set(base.site_by_id) == {"A", "B"}
    faster = base.model_copy(
        update={"travel": (TravelOverride(from_site_id="A", to_site_id="B", minutes=7),)}
    )
    assert faster.travel_minutes("B", "A") == 7
    assert base.travel_minutes("B", "A") == 20
