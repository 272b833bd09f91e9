"""The drive matrix's plausibility: longest and shortest drives, one place entered twice, and
Travel rows that do not fit the straight-line distance."""

from __future__ import annotations

from rota.models import Problem, Site, TravelOverride, haversine_km
from rota.models.drives import drive_report

# Real town centres: Cambridge to Ely is about 23.6 km in a straight line.
CAMBRIDGE = (52.2053, 0.1218)
ELY = (52.3990, 0.2620)
HUNTINGDON = (52.3310, -0.1820)


def site(site_id: str, where: tuple[float, float], name: str = "") -> Site:
    return Site(
        site_id=site_id,
        name=name or f"{site_id} school",
        kind="school",
        latitude=where[0],
        longitude=where[1],
    )


def problem(*sites: Site, travel: tuple[TravelOverride, ...] = ()) -> Problem:
    return Problem(sites=sites, travel=travel)


def drive(a: str, b: str, minutes: int) -> TravelOverride:
    return TravelOverride(from_site_id=a, to_site_id=b, minutes=minutes)


def test_longest_and_shortest_drives_name_the_sites() -> None:
    p = problem(site("CAM", CAMBRIDGE), site("ELY", ELY), site("HUN", HUNTINGDON))
    report = drive_report(p)
    assert report.issues == []
    assert report.longest is not None and report.shortest is not None
    # Ely-Huntingdon (31 km) is the longest, Cambridge-Ely (24 km) the shortest.
    assert {report.longest.from_site_id, report.longest.to_site_id} == {"ELY", "HUN"}
    assert {report.shortest.from_site_id, report.shortest.to_site_id} == {"CAM", "ELY"}
    assert report.longest.minutes == p.travel_minutes("ELY", "HUN")
    text = "\n".join(report.lines)
    assert f"longest: {report.longest.minutes} minutes, ELY school (ELY) to HUN school" in text
    assert "shortest: " in text and "CAM school (CAM)" in text
    assert "sites closer than 200 m to another site: 0" in text


def test_a_measured_drive_counts_as_a_leg() -> None:
    p = problem(site("CAM", CAMBRIDGE), site("ELY", ELY), travel=(drive("CAM", "ELY", 28),))
    report = drive_report(p)
    assert report.longest is not None and report.longest.minutes == 28
    assert "1 measured in Travel" in report.lines[0]


def test_two_sites_closer_than_200_m_are_probably_one_place() -> None:
    near = (CAMBRIDGE[0] + 0.001, CAMBRIDGE[1])  # about 111 m north
    p = problem(
        site("CAM-OAK", CAMBRIDGE, "Oak Primary School"),
        site("ELY", ELY),
        site("CAM-OAKS", near, "Oaks Academy"),
    )
    report = drive_report(p)
    [issue] = report.issues
    assert (issue.level, issue.sheet, issue.index, issue.record) == (
        "warning",
        "Sites",
        2,
        "CAM-OAKS",
    )
    assert "Oaks Academy (CAM-OAKS) is 111 m from Oak Primary School (CAM-OAK" in issue.message
    assert "Sites record 1" in issue.message  # the other row, named too
    assert "probably one place" in issue.message
    assert "  sites closer than 200 m to another site: 1 (see the warnings)" in report.lines


def test_sites_250_m_apart_are_two_places() -> None:
    apart = (CAMBRIDGE[0] + 0.00225, CAMBRIDGE[1])
    assert drive_report(problem(site("A", CAMBRIDGE), site("B", apart))).issues == []


def test_a_drive_faster_than_100_kmh_is_flagged_on_its_travel_row() -> None:
    # 23.6 km in 12 minutes is 118 km/h.
    p = problem(site("CAM", CAMBRIDGE), site("ELY", ELY), travel=(drive("CAM", "ELY", 12),))
    [issue] = drive_report(p).issues
    assert (issue.sheet, issue.index, issue.column, issue.record) == (
        "Travel",
        0,
        "minutes",
        "CAM->ELY",
    )
    assert "12 minutes for 23.6 km in a straight line means driving at over 118 km/h" in (
        issue.message
    )


def test_a_drive_of_a_minute_or_two_between_distant_sites_is_flagged() -> None:
    for minutes in (0, 1, 2):
        p = problem(
            site("CAM", CAMBRIDGE), site("ELY", ELY), travel=(drive("CAM", "ELY", minutes),)
        )
        [issue] = drive_report(p).issues
        assert "between sites 23.6 km apart in a straight line" in issue.message
    # Two minutes between sites 1 km apart is a short hop, not a typo.
    close = (CAMBRIDGE[0] + 0.009, CAMBRIDGE[1])
    p = problem(site("A", CAMBRIDGE), site("B", close), travel=(drive("A", "B", 2),))
    assert drive_report(p).issues == []


def test_a_drive_far_longer_than_the_estimate_is_flagged() -> None:
    p = problem(site("CAM", CAMBRIDGE), site("ELY", ELY), travel=(drive("ELY", "CAM", 300),))
    estimate = p.estimated_minutes(haversine_km(*CAMBRIDGE, *ELY))
    [issue] = drive_report(p).issues
    assert issue.record == "ELY->CAM"
    assert f"300 minutes is more than 4 times the {estimate}-minute estimate" in issue.message
    # A plausible measured time (slower than the estimate, as town traffic is) is not.
    ok = problem(site("CAM", CAMBRIDGE), site("ELY", ELY), travel=(drive("ELY", "CAM", 60),))
    assert drive_report(ok).issues == []
    # Nor is a few minutes' parking on a hop of 300 m (more than 4 times its 1-minute estimate).
    hop = (CAMBRIDGE[0] + 0.0027, CAMBRIDGE[1])
    p = problem(site("A", CAMBRIDGE), site("B", hop), travel=(drive("A", "B", 8),))
    assert drive_report(p).issues == []


def test_fewer_than_two_sites() -> None:
    report = drive_report(problem(site("CAM", CAMBRIDGE)))
    assert report.issues == [] and report.longest is None
    assert "fewer than two sites" in report.lines[0]
