"""What every map needs from settings: the tile layer (if any), the shipped basemap, and the
attributes that hand both to the map scripts.

Production sets an XYZ tile URL (the OS Maps API, or any other XYZ source); without one, maps
draw the approximate basemap the project ships (geo/basemap.py), which needs no network."""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured
from django.utils.html import format_html
from django.utils.safestring import SafeString

# Hosts where a plain-http tile server is acceptable: one run on the same machine for offline work.
LOCAL_HOSTS = {"localhost", "127.0.0.1", "[::1]"}


def tile_url_problem(url: str) -> str | None:
    """Why this tile URL cannot work, in words, or None if it can. Checked when settings load,
    so a bad deploy fails at start rather than showing grey boxes."""
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"} or not parts.netloc:
        return "must be an absolute https:// URL"
    if parts.scheme == "http" and parts.hostname not in {h.strip("[]") for h in LOCAL_HOSTS}:
        return "must use https:// (plain http only for a tile server on localhost)"
    missing = [p for p in ("{z}", "{x}") if p not in url]
    if "{y}" not in url and "{-y}" not in url:
        missing.append("{y}")
    if missing:
        return f"must be an XYZ template with {', '.join(missing)} in it"
    return None


def tile_origin(url: str) -> str:
    """The Content-Security-Policy source that lets the browser load this template's tiles:
    its scheme and host. Leaflet's `{s}` subdomain placeholder becomes a wildcard subdomain."""
    parts = urlsplit(url.replace("{s}", "tile-subdomain"))
    host = parts.netloc.replace("tile-subdomain", "*")
    if "*" in host and not host.startswith("*."):
        # CSP allows a wildcard only as the leftmost label: "a.tile.x" -> "*.tile.x".
        host = "*." + host.split(".", 1)[1]
    return f"{parts.scheme}://{host}"


def checked_tile_settings(*, url: str, attribution: str) -> tuple[str, str]:
    url, attribution = url.strip(), attribution.strip()
    if not url:
        return "", ""
    problem = tile_url_problem(url)
    if problem:
        raise ImproperlyConfigured(f"FAMILYREACH_MAP_TILE_URL {problem} (docs/runbooks/maps.md)")
    if not attribution:
        # Every tile provider's licence requires its credit on the map (OS: "Contains OS data ...").
        raise ImproperlyConfigured(
            "FAMILYREACH_MAP_TILE_ATTRIBUTION is required with FAMILYREACH_MAP_TILE_URL (docs/runbooks/maps.md)"
        )
    return url, attribution


def map_attributes() -> SafeString:
    """The data attributes every map container carries (a Jinja global: `{{ map_attributes() }}`).
    Read at render time so a test's override_settings is seen."""
    from django.conf import settings
    from django.templatetags.static import static

    basemap = settings.MAP_BASEMAP
    return format_html(
        'data-tile-url="{}" data-tile-attribution="{}" data-tile-max-zoom="{}" '
        'data-basemap-url="{}" data-basemap-attribution="{}"',
        settings.MAP_TILE_URL,
        settings.MAP_TILE_ATTRIBUTION,
        settings.MAP_TILE_MAX_ZOOM,
        static(basemap) if basemap else "",
        settings.MAP_BASEMAP_ATTRIBUTION if basemap else "",
    )
