"""World regions for the tile grid of /countries: every ISO 3166-1 country in one region
(the UN geoscheme's continents, with Europe and the Americas split as readers expect).

Shipped with the project so the overview needs no map service. Knows nothing of Flask.
"""

from __future__ import annotations

from dataclasses import dataclass

import pycountry

REGIONS: dict[str, str] = {
    "northern_europe": "AX DK EE FI FO GB GG IE IM IS JE LT LV NO SE SJ",
    "western_europe": "AT BE CH DE FR LI LU MC NL",
    "southern_europe": "AD AL BA ES GI GR HR IT ME MK MT PT RS SI SM VA CY",
    "eastern_europe": "BG BY CZ HU MD PL RO RU SK UA",
    "north_america": "BM CA GL PM US",
    "latin_america": "AG AI AR AW BB BL BO BQ BR BS BZ CL CO CR CU CW DM DO EC FK GD GF GP GT GY "
    "HN HT JM KN KY LC MF MQ MS MX NI PA PE PR PY SR SV SX TC TT UY VC VE VG VI",
    "middle_east_north_africa": "AE BH DZ EG EH IL IQ IR JO KW LB LY MA OM PS QA SA SD SY TN TR YE",
    "sub_saharan_africa": "AO BF BI BJ BW CD CF CG CI CM CV DJ ER ET GA GH GM GN GQ GW KE KM LR LS "
    "MG ML MR MU MW MZ NA NE NG RE RW SC SH SL SN SO SS ST SZ TD TG TZ UG YT ZA ZM ZW",
    "asia": "AF AM AZ BD BN BT CN GE HK ID IN IO JP KG KH KP KR KZ LA LK MM MN MO MV MY NP PH "
    "PK SG TH TJ TL TM TW UZ VN",
    "oceania": "AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK TO TV UM VU "
    "WF WS",
}
OTHER = "other"
_REGION_OF = {code: region for region, codes in REGIONS.items() for code in codes.split()}


def region_of(code: str) -> str:
    return _REGION_OF.get(code.upper(), OTHER)


@dataclass(frozen=True)
class Tile:
    code: str
    count: int
    shade: int  # 0 (none) to 5 (the busiest countries)


def shade(count: int, busiest: int) -> int:
    """0 for none, else 1–5 on a square-root scale (one busy country does not wash out the rest)."""
    if count <= 0 or busiest <= 0:
        return 0
    return min(5, 1 + int(4 * (count / busiest) ** 0.5))


def tile_grid(counts: dict[str, int]) -> dict[str, list[Tile]]:
    """region → tiles of all its countries (alphabetical by code), shaded by count."""
    busiest = max(counts.values(), default=0)
    codes = {c.alpha_2 for c in pycountry.countries} | set(counts)
    grid: dict[str, list[Tile]] = {region: [] for region in (*REGIONS, OTHER)}
    for code in sorted(codes):
        count = counts.get(code, 0)
        grid[region_of(code)].append(Tile(code, count, shade(count, busiest)))
    return {region: tiles for region, tiles in grid.items() if tiles}
