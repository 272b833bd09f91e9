"""Real Cambridgeshire (and neighbouring) towns the demo service's sites gather around."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Town:
    """A real town: centre coordinates, how many sites it gets relative to others."""

    name: str
    code: str
    latitude: float
    longitude: float
    weight: float
    radius_km: float
    area_code: str
    neighbour: bool = False


# Town centres (WGS84, rounded to about 100 m). Weights follow population roughly; the
# radius is how far sites spread around the centre (a city's schools are not all in one street).
TOWNS: tuple[Town, ...] = (
    Town("Cambridge", "CAMB", 52.2053, 0.1218, 20, 2.2, "01223"),
    Town("Huntingdon", "HUNT", 52.3310, -0.1820, 7, 0.9, "01480"),
    Town("St Neots", "STN", 52.2280, -0.2700, 7, 0.9, "01480"),
    Town("Wisbech", "WIS", 52.6660, 0.1590, 6, 0.8, "01945"),
    Town("March", "MAR", 52.5510, 0.0880, 5, 0.7, "01354"),
    Town("Ely", "ELY", 52.3990, 0.2620, 5, 0.7, "01353"),
    Town("St Ives", "STI", 52.3330, -0.0760, 5, 0.7, "01480"),
    Town("Whittlesey", "WHI", 52.5580, -0.1300, 3, 0.5, "01733"),
    Town("Chatteris", "CHA", 52.4560, 0.0530, 2.5, 0.5, "01354"),
    Town("Ramsey", "RAM", 52.4490, -0.1100, 2, 0.4, "01487"),
    Town("Soham", "SOH", 52.3340, 0.3370, 2.5, 0.5, "01353"),
    Town("Littleport", "LIT", 52.4570, 0.3050, 2, 0.4, "01353"),
    Town("Sawston", "SAW", 52.1240, 0.1700, 2, 0.4, "01223"),
    Town("Cambourne", "CBN", 52.2190, -0.0680, 3, 0.6, "01954"),
    Town("Godmanchester", "GOD", 52.3200, -0.1750, 2, 0.4, "01480"),
    Town("Histon", "HIS", 52.2530, 0.1050, 2, 0.4, "01223"),
    Town("Cottenham", "COT", 52.2860, 0.1260, 1.5, 0.4, "01954"),
    Town("Linton", "LIN", 52.0970, 0.2780, 1.5, 0.3, "01223"),
    Town("Papworth Everard", "PAP", 52.2480, -0.1200, 1, 0.3, "01480"),
    Town("Yaxley", "YAX", 52.5130, -0.2600, 2, 0.4, "01733"),
    Town("Sutton", "SUT", 52.3870, 0.1140, 1, 0.3, "01353"),
    Town("Bottisham", "BOT", 52.2210, 0.2600, 1, 0.3, "01223"),
    Town("Melbourn", "MEL", 52.0820, 0.0150, 1.5, 0.3, "01763"),
    Town("Gamlingay", "GAM", 52.1560, -0.1930, 1, 0.3, "01767"),
    Town("Kimbolton", "KIM", 52.2970, -0.3890, 1, 0.3, "01480"),
    Town("Burwell", "BUR", 52.2760, 0.3260, 1.5, 0.3, "01638"),
    Town("Waterbeach", "WAT", 52.2650, 0.1920, 1.5, 0.4, "01223"),
    Town("Sawtry", "SAWT", 52.4390, -0.2820, 1.5, 0.3, "01487"),
    Town("Somersham", "SOM", 52.3830, 0.0000, 1, 0.3, "01487"),
    Town("Fulbourn", "FUL", 52.1800, 0.2230, 1, 0.3, "01223"),
    Town("Comberton", "COM", 52.1850, 0.0140, 1, 0.3, "01223"),
    Town("Great Shelford", "SHEL", 52.1480, 0.1390, 1, 0.3, "01223"),
    Town("Bassingbourn", "BASS", 52.0780, -0.0560, 1, 0.3, "01763"),
    Town("Buckden", "BUCK", 52.2940, -0.2500, 1, 0.3, "01480"),
    Town("Brampton", "BRAM", 52.3190, -0.2210, 1.5, 0.3, "01480"),
    Town("Swavesey", "SWA", 52.3030, -0.0040, 1, 0.3, "01954"),
    Town("Willingham", "WIL", 52.3150, 0.0600, 1, 0.3, "01954"),
    Town("Haddenham", "HAD", 52.3580, 0.1460, 1, 0.3, "01353"),
    # Neighbouring areas, used by the region size only.
    Town("Peterborough", "PBO", 52.5700, -0.2430, 22, 2.5, "01733", neighbour=True),
    Town("Bedford", "BED", 52.1360, -0.4660, 14, 2.0, "01234", neighbour=True),
    Town("Newmarket", "NMK", 52.2450, 0.4050, 3, 0.6, "01638", neighbour=True),
    Town("Royston", "ROY", 52.0480, -0.0240, 3, 0.6, "01763", neighbour=True),
    Town("Haverhill", "HAV", 52.0830, 0.4390, 4, 0.7, "01440", neighbour=True),
    Town("Thetford", "THE", 52.4130, 0.7490, 4, 0.7, "01842", neighbour=True),
    Town("King's Lynn", "KLN", 52.7540, 0.3980, 6, 1.0, "01553", neighbour=True),
    Town("Stamford", "STA", 52.6530, -0.4790, 3, 0.6, "01780", neighbour=True),
    Town("Downham Market", "DOW", 52.6010, 0.3830, 2, 0.5, "01366", neighbour=True),
    Town("Mildenhall", "MIL", 52.3450, 0.5090, 2, 0.5, "01638", neighbour=True),
    Town("Biggleswade", "BIG", 52.0860, -0.2640, 3, 0.6, "01767", neighbour=True),
    Town("Sandy", "SAN", 52.1310, -0.2970, 2, 0.5, "01767", neighbour=True),
    Town("Saffron Walden", "SAF", 52.0240, 0.2410, 3, 0.6, "01799", neighbour=True),
    Town("Oundle", "OUN", 52.4810, -0.4690, 1.5, 0.4, "01832", neighbour=True),
    Town("Brandon", "BRA", 52.4470, 0.6240, 1.5, 0.4, "01842", neighbour=True),
)
TOWN_BY_NAME: dict[str, Town] = {t.name: t for t in TOWNS}


# ------------------------------------------------------------------------------ generator 2
#: Generator 2's market towns, where schools, special schools, units and children's centres
#: cluster (Peterborough is part of the county's service here). The radius is how far a town's
#: sites spread: a city's schools are kilometres apart, a market town's a kilometre or two.
MARKET_TOWNS: tuple[Town, ...] = (
    Town("Cambridge", "CAMB", 52.2053, 0.1218, 20, 3.5, "01223"),
    Town("Peterborough", "PBO", 52.5700, -0.2430, 18, 4.0, "01733"),
    Town("Huntingdon", "HUNT", 52.3310, -0.1820, 6, 1.6, "01480"),
    Town("St Neots", "STN", 52.2280, -0.2700, 6, 1.6, "01480"),
    Town("Wisbech", "WIS", 52.6660, 0.1590, 5, 1.5, "01945"),
    Town("Ely", "ELY", 52.3990, 0.2620, 4, 1.3, "01353"),
    Town("March", "MAR", 52.5510, 0.0880, 4, 1.3, "01354"),
)
_MARKET_NAMES = {t.name for t in MARKET_TOWNS}
#: Generator 2's smaller towns and villages: a primary school or a children's centre or two
#: each, at half the weight generator 1 gives them (most of the work is in the market towns).
VILLAGES: tuple[Town, ...] = tuple(
    Town(t.name, t.code, t.latitude, t.longitude, t.weight / 2, max(t.radius_km, 0.6), t.area_code)
    for t in TOWNS
    if not t.neighbour and t.name not in _MARKET_NAMES
)
#: Generator 2's neighbouring towns, for the region size only.
NEIGHBOUR_TOWNS: tuple[Town, ...] = tuple(
    t for t in TOWNS if t.neighbour and t.name not in _MARKET_NAMES
)
#: Pairs of market towns joined by a main road (A14, A1, A10, A141, A47), each 15 to 40
#: minutes' drive apart in generator 2's service.
NEIGHBOURING_MARKET_TOWNS: tuple[tuple[str, str], ...] = (
    ("Cambridge", "Ely"),
    ("Cambridge", "Huntingdon"),
    ("Cambridge", "St Neots"),
    ("Huntingdon", "St Neots"),
    ("Huntingdon", "Peterborough"),
    ("Peterborough", "March"),
    ("March", "Wisbech"),
    ("March", "Ely"),
)
