"""Economic complexity, computed as the Stata `ecomplexity` package computes it (its outputs are
the tests' reference), year by year on the location × product matrix of export values:

- RCA (Balassa): (X_cp / X_c) / (X_p / X); the presence matrix M_cp = RCA ≥ threshold (1).
- diversity_c = Σ_p M_cp, ubiquity_p = Σ_c M_cp.
- ECI: the eigenvector of M̃_cc' = Σ_p M_cp M_c'p / (diversity_c ubiquity_p) for the second
  largest eigenvalue λ, signed to correlate positively with diversity. PCI: the products'
  counterpart through the same eigenvalue, PCI_p = Σ_c M_cp ECI_c / (ubiquity_p λ), so that a
  location's ECI is the mean PCI of what it exports. Both are standardised with the mean and
  the standard deviation of the ECI vector as Stata holds it: one value per location-product
  row, sample standard deviation.
- Proximity (discrete symmetric, the default): φ_p'p = Σ_c M_cp' M_cp / max(ubiquity_p',
  ubiquity_p), with a zero diagonal. Asymmetric (`asym`): φ_p'p = Σ_c M_cp' M_cp / ubiquity_p,
  the probability of exporting p' given p. Continuous (`cont`): φ = (1 + ρ) / 2, ρ the Pearson
  correlation of the products' RCA columns across locations.
- Density_cp = Σ_p' L_cp' w_p'p with w_p'p = φ_p'p / Σ_p'' φ_p''p: the levels L are M, or the
  RCA values themselves with `cont`. With `knn(k)` a column keeps only the entries at least as
  large as its k-th largest (the zero diagonal counts, ties are kept).
- COI_c = Σ_p density_cp (1 − M_cp) PCI_p (PCI before standardisation), then standardised.
- COG_cp = (1 − M_cp) Σ_p' (1 − M_cp') φ_pp' PCI_p' / Σ_p'' φ_p''p', over the ECI's standard
  deviation: the paths out of each absent product p', as shares of all its paths (with an
  asymmetric φ this is not the density's weighting, and Stata's outputs say so).

Stata computes the symmetric minimum as (a + b − |a − b|) / 2 and takes each k-th largest value
from that; the same floating-point expression is used here, so that values equal on paper but not
in the last bit fall on the same side of the cut. The reference outputs of every option (default,
RCA 0.5, asymmetric, continuous, k nearest, continuous with k nearest) are the tests'.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
from numpy.typing import NDArray

if TYPE_CHECKING:
    from distributed import Client

OUTPUT_COLUMNS = (
    "rca",
    "M",
    "density",
    "eci",
    "pci",
    "diversity",
    "ubiquity",
    "coi",
    "cog",
)


@dataclass(frozen=True, slots=True)
class Options:
    rca_threshold: float = 1.0
    asymmetric: bool = False
    continuous: bool = False
    knn: int | None = None


@dataclass(frozen=True, slots=True)
class YearResult:
    """The measures of one year on its location × product grid."""

    year: int
    locations: list[str]
    products: list[str]
    value: NDArray[np.float64]
    rca: NDArray[np.float64]
    presence: NDArray[np.float64]
    density: NDArray[np.float64]
    eci: NDArray[np.float64]
    pci: NDArray[np.float64]
    diversity: NDArray[np.float64]
    ubiquity: NDArray[np.float64]
    coi: NDArray[np.float64]
    cog: NDArray[np.float64]
    proximity: NDArray[np.float64]

    def rows(self) -> Iterable[tuple[int, str, str, dict[str, float]]]:
        """Long format: one row per location and product, the measures named as in Stata."""
        for i, location in enumerate(self.locations):
            for j, product in enumerate(self.products):
                yield (
                    self.year,
                    location,
                    product,
                    {
                        "rca": float(self.rca[i, j]),
                        "M": float(self.presence[i, j]),
                        "density": float(self.density[i, j]),
                        "eci": float(self.eci[i]),
                        "pci": float(self.pci[j]),
                        "diversity": float(self.diversity[i]),
                        "ubiquity": float(self.ubiquity[j]),
                        "coi": float(self.coi[i]),
                        "cog": float(self.cog[i, j]),
                    },
                )


def _safe_divide(a: NDArray[np.float64], b: NDArray[np.float64]) -> NDArray[np.float64]:
    with np.errstate(divide="ignore", invalid="ignore"):
        result = np.where(b != 0, a / np.where(b != 0, b, 1.0), 0.0)
    return result.astype(np.float64)


def _row_std(values: NDArray[np.float64], repeats: int) -> float:
    """The sample standard deviation of `values` each repeated `repeats` times (Stata keeps
    one row per location and product)."""
    n = len(values) * repeats
    if n < 2:
        return 1.0
    squares = float(((values - values.mean()) ** 2).sum()) * repeats
    return float(np.sqrt(squares / (n - 1))) or 1.0


def year_measures(
    year: int,
    locations: Sequence[str],
    products: Sequence[str],
    value: NDArray[np.float64],
    options: Options = Options(),
) -> YearResult:
    """Every measure for one year's matrix (rows: locations, columns: products)."""
    total = value.sum()
    location_total = value.sum(axis=1, keepdims=True)
    product_total = value.sum(axis=0, keepdims=True)
    rca = _safe_divide(_safe_divide(value, location_total), product_total / total)
    presence = (rca >= options.rca_threshold).astype(np.float64)
    diversity = presence.sum(axis=1)
    ubiquity = presence.sum(axis=0)
    by_diversity = _safe_divide(presence, diversity[:, None])
    by_ubiquity = _safe_divide(presence, ubiquity[None, :])
    mcc = by_diversity @ by_ubiquity.T
    eigenvalues, eigenvectors = np.linalg.eig(mcc)
    order = np.argsort(np.real(eigenvalues))
    second = order[-2] if len(order) > 1 else order[-1]
    kc = np.real(eigenvectors[:, second])
    lam = float(np.real(eigenvalues[second])) or 1.0
    if np.corrcoef(diversity, kc)[0, 1] < 0:
        kc = -kc
    kp = _safe_divide(presence.T @ kc, ubiquity) / lam
    mean, std = float(kc.mean()), _row_std(kc, len(products))
    eci = (kc - mean) / std
    pci = (kp - mean) / std
    proximity = proximity_of(presence, ubiquity, rca, options)
    density = _density(rca if options.continuous else presence, proximity, options.knn)
    absent = 1.0 - presence
    coi_raw = (density * absent * kp[None, :]).sum(axis=1)
    coi = (coi_raw - coi_raw.mean()) / _row_std(coi_raw, len(products))
    # the gain follows the paths out of each absent product p' (φ transposed: p given p'),
    # each path weighted by its share of all paths out of p'
    outward = proximity.T
    shares = _safe_divide(absent * kp[None, :], outward.sum(axis=1)[None, :])
    cog = absent * (shares @ outward) / std
    return YearResult(
        year,
        list(locations),
        list(products),
        value,
        rca,
        presence,
        density,
        eci,
        pci,
        diversity,
        ubiquity,
        coi,
        cog,
        proximity,
    )


def proximity_of(
    presence: NDArray[np.float64],
    ubiquity: NDArray[np.float64],
    rca: NDArray[np.float64],
    options: Options,
) -> NDArray[np.float64]:
    """The product × product proximity φ[p', p], rows the neighbour, columns the product."""
    if options.continuous:
        with np.errstate(divide="ignore", invalid="ignore"):
            correlation = np.corrcoef(rca, rowvar=False)
        # a product exported in the same proportion everywhere correlates with nothing
        proximity = 0.5 * (1.0 + np.nan_to_num(np.atleast_2d(correlation), nan=0.0))
        proximity = np.array(proximity, dtype=np.float64)
        np.fill_diagonal(proximity, 0.0)
        return proximity
    return shared_proximity(presence.T @ presence, ubiquity, options.asymmetric)


def shared_proximity(
    shared: NDArray[np.float64], ubiquity: NDArray[np.float64], asymmetric: bool = False
) -> NDArray[np.float64]:
    """φ[p', p] from how many locations have both products (`shared`, presenceᵀ · presence):
    whoever counts `shared` (one matrix product, or partial counts added up on a cluster)
    gets the same proximity."""
    if asymmetric:
        proximity = _safe_divide(shared, np.broadcast_to(ubiquity[None, :], shared.shape))
    else:
        proximity = _safe_divide(shared, np.maximum(ubiquity[:, None], ubiquity[None, :]))
    proximity = np.array(proximity, dtype=np.float64)
    np.fill_diagonal(proximity, 0.0)
    return proximity


def _density(
    levels: NDArray[np.float64], proximity: NDArray[np.float64], knn: int | None
) -> NDArray[np.float64]:
    """Σ_p' levels_cp' φ_p'p / Σ_p' φ_p'p, over each product's k nearest when `knn` is set."""
    weights = proximity
    if knn is not None and 0 < knn <= proximity.shape[0]:
        # for each product (a column) keep the entries at least as large as its k-th largest
        cutoff = -np.sort(-proximity, axis=0)[knn - 1, :]
        weights = np.where(proximity >= cutoff[None, :], proximity, 0.0)
    return levels @ _safe_divide(weights, weights.sum(axis=0)[None, :])


def complexity(
    rows: Iterable[tuple[int, str, str, float]],
    options: Options = Options(),
    client: Client | None = None,
) -> list[YearResult]:
    """The measures for every year of long-format rows (year, location, product, value);
    values of repeated rows add up, missing combinations count as zero. With a Dask client the
    years are computed on the cluster, one task each (a year depends on no other year)."""
    by_year: dict[int, dict[tuple[str, str], float]] = {}
    for year, location, product, value in rows:
        cell = by_year.setdefault(year, {})
        cell[(location, product)] = cell.get((location, product), 0.0) + value
    grids = []
    for year, cells in sorted(by_year.items()):
        locations = sorted({location for location, _ in cells})
        products = sorted({product for _, product in cells})
        li = {name: n for n, name in enumerate(locations)}
        pi = {name: n for n, name in enumerate(products)}
        matrix = np.zeros((len(locations), len(products)))
        for (location, product), value in cells.items():
            matrix[li[location], pi[product]] = value
        grids.append((year, locations, products, matrix))
    if client is None:
        return [year_measures(*grid, options) for grid in grids]
    futures = [client.submit(year_measures, *grid, options, pure=False) for grid in grids]
    return list(client.gather(futures))
