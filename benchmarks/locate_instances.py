"""Benchmark instances for the locate engine: seeded random Euclidean and real Norfolk data."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

ROOT = Path(__file__).resolve().parent.parent
Matrix = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Instance:
    name: str
    costs: Matrix | sp.csr_array
    weights: Matrix
    p: int
    groups: list[str] | None = None


def random_euclidean(n: int, m: int, seed: int = 1, side_km: float = 50.0) -> tuple[Matrix, Matrix]:
    """Demand and candidate points uniform in a square, weights 1–99, Euclidean km."""
    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, side_km, (n, 2))
    sites = rng.uniform(0, side_km, (m, 2))
    costs = np.sqrt(((demand[:, None, :] - sites[None, :, :]) ** 2).sum(-1))
    weights = rng.integers(1, 100, n).astype(float)
    return costs, weights


def england_scale(
    n: int = 32_844, m: int = 10_000, k: int = 50, seed: int = 1
) -> tuple[sp.csr_array, Matrix]:
    """England-sized random instance: points in a 400 km square, each demand's k nearest."""
    from scipy.spatial import cKDTree

    rng = np.random.default_rng(seed)
    demand = rng.uniform(0, 400, (n, 2))
    sites = rng.uniform(0, 400, (m, 2))
    distance, index = cKDTree(sites).query(demand, k=k)
    rows = np.repeat(np.arange(n), k)
    costs = sp.csr_array((distance.ravel(), (rows, index.ravel())), shape=(n, m))
    weights = rng.integers(1, 100, n).astype(float)
    return costs, weights


def norfolk_folder() -> Path:
    local = ROOT / "data" / "norfolk"
    if (local / "lsoa_master.csv").exists():
        return local
    return ROOT.parent / "shared" / "data" / "norfolk"


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def haversine_km(lat1: Matrix, lon1: Matrix, lat2: Matrix, lon2: Matrix) -> Matrix:
    lat1, lon1, lat2, lon2 = (np.radians(a) for a in (lat1, lon1, lat2, lon2))
    a = (
        np.sin((lat2 - lat1) / 2) ** 2
        + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    )
    result: Matrix = 2 * 6371.0088 * np.arcsin(np.sqrt(a))
    return result


def norfolk() -> tuple[Matrix, Matrix, list[str], list[str]]:
    """538 LSOA population-weighted centroids × open libraries and schools, straight-line km.

    Returns (costs, weights = children 0–15 in mid-2015, candidate district codes, candidate
    names). A school's district comes from its LSOA; the few whose 2021 LSOA code is not a 2011
    code take the district of the nearest LSOA centroid.
    """
    folder = norfolk_folder()
    lsoas = _rows(folder / "lsoa_master.csv")
    lsoa_lat = np.array([float(r["pwc_lat"]) for r in lsoas])
    lsoa_lon = np.array([float(r["pwc_lon"]) for r in lsoas])
    weights = np.array([float(r["pop_0_15_mid2015"]) for r in lsoas])
    district_of = {r["lsoa11_code"]: r["lad19_code"] for r in _rows(folder / "lsoa_lad_lookup.csv")}
    lsoa_district = [r["lad19_code"] for r in lsoas]
    lat: list[float] = []
    lon: list[float] = []
    districts: list[str] = []
    names: list[str] = []
    for row in _rows(folder / "libraries.csv"):
        if row["is_open"].strip().lower() != "true":
            continue
        lat.append(float(row["lat"]))
        lon.append(float(row["lon"]))
        districts.append(row["admin_district_code"])
        names.append(row["library_name"])
    for row in _rows(folder / "schools_gias_2025.csv"):
        school_lat, school_lon = float(row["lat"]), float(row["lon"])
        district = district_of.get(row["lsoa21_code"])
        if district is None:
            nearest = int(np.argmin(haversine_km(lsoa_lat, lsoa_lon, school_lat, school_lon)))
            district = lsoa_district[nearest]
        lat.append(school_lat)
        lon.append(school_lon)
        districts.append(district)
        names.append(row["establishment_name"])
    costs = haversine_km(
        lsoa_lat[:, None], lsoa_lon[:, None], np.array(lat)[None, :], np.array(lon)[None, :]
    )
    return costs, weights, districts, names
