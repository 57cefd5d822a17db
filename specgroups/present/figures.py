"""The study's figures, drawn from stage outputs with one matplotlib style (``specgroups/present/figures.mplstyle``)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import yaml  # noqa: E402

from specgroups.names import chemical_formula  # noqa: E402
from specgroups.study.contrast import HEADLINE_CATIONS as HEADLINE_ELEMENTS  # noqa: E402

STYLE = Path(__file__).with_name("figures.mplstyle")
GROUP_COLOURS = {"isolated_alkali": "#1b7837", "other": "#762a83"}
# V/Cr polyhedra in (b) and V/Cr sites in (c): one colour, so the two panels read together
POLYHEDRON_COLOUR = "#35978f"


def element_colour(symbol: str):
    """The Jmol colour of an element (ASE's table): the same element looks the same in every panel."""
    from ase.data import atomic_numbers
    from ase.data.colors import jmol_colors

    return tuple(jmol_colors[atomic_numbers[symbol]])


def save(figure, stem: Path, dpi: int = 300) -> list[Path]:
    """PNG at ``dpi`` and SVG beside it; returns both paths. The SVG carries no creation date and the style's fixed
    id salt, so that a rerun writes the same file."""
    from specgroups.io.atomic import atomic_path

    written = []
    for suffix in (".png", ".svg"):
        path = stem.with_suffix(suffix)
        with atomic_path(path) as temporary:
            metadata = {"Date": None} if suffix == ".svg" else None
            with plt.style.context(STYLE):  # its svg.hashsalt: the same SVG ids in every process
                figure.savefig(temporary, dpi=dpi, format=suffix[1:], bbox_inches="tight", metadata=metadata)
        written.append(path)
    plt.close(figure)
    return written


def pipeline_graph(dvc_yaml: str | Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Stages of a dvc.yaml and the edges between them (an out of one is, or contains, a dep of another)."""
    stages = yaml.safe_load(Path(dvc_yaml).read_text())["stages"]
    outs = {}
    for name, stage in stages.items():
        for entry in stage.get("outs", []) + stage.get("metrics", []) + stage.get("plots", []):
            outs[next(iter(entry)) if isinstance(entry, dict) else entry] = name
    edges = set()
    for name, stage in stages.items():
        for dep in stage.get("deps", []):
            for out, producer in outs.items():
                if producer != name and (dep == out or dep.startswith(out.rstrip("/") + "/")):
                    edges.add((producer, name))
    return list(stages), sorted(edges)


def workflow_figure(stages: list[str], edges: list[tuple[str, str]], notes: dict[str, str]):
    """Figure 1: the pipeline as DVC knows it, one box per stage in dependency order, with numbers from params/metrics.

    Edges between consecutive layers are vertical arrows. An edge that skips layers would run behind
    the boxes, so each stage with such edges gets its own vertical line right of the boxes, with an
    arrow from it into every later stage that reads its outputs: every edge of ``dvc dag`` is visible.
    """
    depth = {stage: 0 for stage in stages}
    for _ in stages:  # longest-path layering; the graph is a DAG
        for source, target in edges:
            depth[target] = max(depth[target], depth[source] + 1)
    skipping = {}
    for source, target in edges:
        if depth[target] - depth[source] > 1:
            skipping.setdefault(source, []).append(target)
    with plt.style.context(STYLE):
        figure, axes = plt.subplots(figsize=(3.4, 0.5 * (max(depth.values()) + 1) + 0.3))
        columns: dict[int, list[str]] = {}
        for stage in stages:
            columns.setdefault(depth[stage], []).append(stage)
        position = {}
        for level, names in columns.items():
            for k, stage in enumerate(names):
                position[stage] = ((k - (len(names) - 1) / 2) * 1.6, -level)
        boxes = {
            stage: axes.text(
                x,
                y,
                f"{stage}\n{notes.get(stage, '')}".strip(),
                ha="center",
                va="center",
                fontsize=6.5,
                zorder=3,
                bbox={"boxstyle": "round,pad=0.3", "fc": "#f0f0f0", "ec": "0.4", "lw": 0.6},
            )
            for stage, (x, y) in position.items()
        }
        xs = [x for x, _ in position.values()]
        axes.set_xlim(min(xs) - 1.6, max(xs) + 1.6 + 0.12 * len(skipping))
        axes.set_ylim(-max(depth.values()) - 0.5, 0.5)
        axes.axis("off")
        figure.canvas.draw()  # the boxes' extents, for where the lines start and end
        to_data = axes.transData.inverted()
        right = {
            stage: to_data.transform(box.get_bbox_patch().get_window_extent())[1, 0] for stage, box in boxes.items()
        }
        arrow = {"arrowstyle": "->", "lw": 0.7, "color": "0.3", "shrinkA": 0, "shrinkB": 0}
        for source, target in edges:
            if depth[target] - depth[source] == 1:
                (x0, y0), (x1, y1) = position[source], position[target]
                axes.annotate(
                    "", xy=(x1, y1 + 0.2), xytext=(x0, y0 - 0.2), arrowprops={**arrow, "shrinkA": 2, "shrinkB": 2}
                )
        start = max(right.values()) + 0.12
        for k, source in enumerate(sorted(skipping, key=lambda stage: depth[stage])):
            bus = start + 0.12 * k
            y0 = position[source][1] - 0.08
            targets = skipping[source]
            axes.plot(
                [right[source], bus, bus],
                [y0, y0, min(position[t][1] for t in targets) + 0.08 - 0.04 * k],
                color="0.45",
                lw=0.6,
            )
            for target in targets:
                y1 = position[target][1] + 0.08 - 0.04 * k
                axes.annotate(
                    "", xy=(right[target], y1), xytext=(bus, y1), arrowprops={**arrow, "color": "0.45", "lw": 0.6}
                )
    return figure


LOG_ALPHA_LABEL = r"log$_{10}$ $\alpha$ (cm$^{-1}$)"


def cluster_grid_figure(
    grid: np.ndarray,
    spectra: np.ndarray,
    labels: np.ndarray,
    onsets: np.ndarray,
    columns: int,
    ylabel: str = LOG_ALPHA_LABEL,
):
    """Figure 2: every cluster's member spectra in colour with their mean in black, on shared axes."""
    clusters = sorted(set(labels.tolist()))
    rows = math.ceil(len(clusters) / columns)
    with plt.style.context(STYLE):
        figure, axes = plt.subplots(
            rows, columns, figsize=(7.0, 0.95 * rows + 0.4), sharex=True, sharey=True, squeeze=False
        )
        colours = plt.get_cmap("viridis")
        for axis, cluster in zip(axes.flat, clusters):
            members = np.flatnonzero(labels == cluster)
            for k, member in enumerate(members):
                axis.plot(grid, spectra[member], lw=0.5, color=colours(k / max(1, len(members) - 1)), alpha=0.7)
            axis.plot(grid, spectra[members].mean(axis=0), lw=1.0, color="black")
            onset = np.nanmean(onsets[members])
            # bottom right: below 10^4 cm^-1 past the onset the panel is empty
            axis.text(
                0.97,
                0.05,
                f"#{cluster}  n={len(members)}\nonset {onset:.2f} eV",
                transform=axis.transAxes,
                ha="right",
                va="bottom",
                fontsize=5.5,
            )
        for axis in list(axes.flat)[len(clusters) :]:
            axis.axis("off")
        axes[0, 0].set_xlim(grid[0], grid[-1])
        # robust limits: one divergent spectrum (eps_imag of a near-metal at 0 eV) must not flatten every panel
        low, high = float(spectra.min()), float(np.percentile(spectra, 99.9))
        axes[0, 0].set_ylim(low - 0.03 * (high - low), high + 0.05 * (high - low))
        figure.supxlabel("Photon energy (eV)", fontsize=8)
        figure.supylabel(ylabel, fontsize=8)
    return figure


def workflow_notes(
    params: dict, dataset_summary: dict, evaluation: dict, clustering: tuple[int, str]
) -> dict[str, str]:
    """Figure 1's line under each stage, from a profile's params, the dataset's summary, the model's evaluation
    and the (cluster count, representation) used."""
    architecture = params["train"]["architecture"]
    return {
        "dataset": f"{dataset_summary['materials']} materials, {params['figures']['quantity']}",
        "graphs": f"k-nearest, {params['graphs']['max_neighbors']} neighbours",
        "train": f"ALIGNN {architecture['alignn_layers']}+{architecture['gcn_layers']} layers x {len(evaluation['ensemble']['members'])}, test MAE {evaluation['spectrum_mae']['test']:.3f}",
        "embed": "features of every layer",
        "cluster": f"Ward consensus, {clustering[0]} clusters ({clustering[1]})",
        "chemistry": "oxidation states, ChemEnv",
        "scan": "every representation and count; the rule's pick",
        "interpret": "enrichment, guidelines, V/Cr contrast",
        "electronic": "GPAW CBM localisation",
    }


def representatives_for_figure(
    representatives: dict, structures: dict[str, dict], electronic_dir: str | Path
) -> tuple[dict, dict]:
    """({group: Structure}, {group: CBM density grid}) of the electronic stage's representatives
    (its summary's ``representatives``), reading each one's cube file from ``electronic_dir``."""
    from ase.io.cube import read_cube_data
    from pymatgen.core import Structure

    chosen, densities = {}, {}
    for group, result in representatives.items():
        if result.get("material"):
            chosen[group] = Structure.from_dict(structures[result["material"]])
            densities[group], _ = read_cube_data(str(Path(electronic_dir) / result["cube_file"]))
    return chosen, densities


def contrast_figure(
    grid,
    spectra_by_group: dict,
    titles: dict,
    structures: dict,
    densities: dict,
    bond_cutoff: float,
    ylabel: str = LOG_ALPHA_LABEL,
):
    """Figure 3: (a) the two sides' spectra (the contrasted pair of clusters: every member, and the mean), (b) a
    representative structure of each (V/Cr polyhedra made of the atoms within ``bond_cutoff``, A), (c) its CBM
    density. ``titles`` names each side (e.g. "cluster 4")."""
    groups = list(spectra_by_group)
    with plt.style.context(STYLE):
        figure = plt.figure(figsize=(7.0, 4.6), layout="constrained")
        layout = figure.add_gridspec(2, 4, height_ratios=[1.0, 0.8])
        spectra_axis = figure.add_subplot(layout[0, :])
        for group in groups:
            colour = GROUP_COLOURS.get(group, "0.3")
            block = spectra_by_group[group]
            for row in block:
                spectra_axis.plot(grid, row, color=colour, lw=0.4, alpha=0.35)
            if len(block):
                spectra_axis.plot(
                    grid, block.mean(axis=0), color=colour, lw=1.4, label=f"{titles[group]} (n={len(block)})"
                )
        spectra_axis.set_xlabel("Photon energy (eV)")
        spectra_axis.set_ylabel(ylabel)
        spectra_axis.set_xlim(grid[0], grid[-1])
        spectra_axis.legend(loc="lower right", fontsize=7)
        spectra_axis.set_title("(a)", loc="left", fontsize=8)
        mesh = None
        for k, group in enumerate(groups):
            structure_axis = figure.add_subplot(layout[1, 2 * k])
            density_axis = figure.add_subplot(layout[1, 2 * k + 1])
            structure = structures.get(group)
            name = (
                f"{titles[group]}: {chemical_formula(structure.composition)}"
                if structure is not None
                else titles[group]
            )
            draw_structure(structure_axis, structure, f"(b) {name}", bond_cutoff)
            drawn = draw_density_slice(density_axis, densities.get(group), "(c) its CBM", structure)
            mesh = drawn if drawn is not None else mesh
        if mesh is not None:
            colour_bar = figure.colorbar(mesh, ax=figure.axes[-1], shrink=0.7, pad=0.02)
            colour_bar.set_label("CBM density along c\n(fraction of its maximum)", fontsize=6.5)
            colour_bar.ax.tick_params(labelsize=6)
    return figure


def draw_structure(axis, structure, title: str, bond_cutoff: float) -> None:
    """Projection of the cell along c: the cell outline, V/Cr-O polyhedra as shaded outlines of their anions,
    and every atom coloured by element with a legend."""
    from matplotlib.patches import Polygon
    from scipy.spatial import ConvexHull

    axis.set_title(title, loc="left", fontsize=7.5)
    axis.set_aspect("equal")
    axis.axis("off")
    if structure is None:
        axis.text(0.5, 0.5, "not in this dataset", ha="center", va="center", fontsize=6.5, transform=axis.transAxes)
        return
    a, b = structure.lattice.matrix[0, :2], structure.lattice.matrix[1, :2]
    corners = np.array([[0, 0], a, a + b, b, [0, 0]])
    axis.plot(corners[:, 0], corners[:, 1], color="0.6", lw=0.5)
    symbols = sorted({site.specie.symbol for site in structure})
    colours = {symbol: element_colour(symbol) for symbol in symbols}
    coordinates = structure.cart_coords
    for index, site in enumerate(structure):
        if site.specie.symbol not in HEADLINE_ELEMENTS:
            continue
        corners = np.array([neighbour.coords[:2] for neighbour in structure.get_neighbors(site, bond_cutoff)])
        for corner in corners:
            axis.plot(
                [coordinates[index, 0], corner[0]], [coordinates[index, 1], corner[1]], color="0.35", lw=0.5, zorder=2
            )
        if len(corners) >= 3:
            try:
                hull = ConvexHull(corners)
            except Exception:  # corners on a line in this projection: the bonds alone show the polyhedron
                continue
            axis.add_patch(
                Polygon(
                    corners[hull.vertices],
                    closed=True,
                    facecolor=POLYHEDRON_COLOUR,
                    alpha=0.3,
                    edgecolor=POLYHEDRON_COLOUR,
                    lw=0.8,
                    zorder=1,
                )
            )
            axis.scatter(corners[:, 0], corners[:, 1], s=9, color=colours.get("O", "0.5"), zorder=3)
    for symbol in symbols:
        chosen = [i for i, site in enumerate(structure) if site.specie.symbol == symbol]
        axis.scatter(
            coordinates[chosen, 0],
            coordinates[chosen, 1],
            s=12 if symbol in ("O", "S", "Se", "Te") else 24,
            color=colours[symbol],
            label=symbol,
            zorder=4,
            edgecolors="0.2",
            linewidths=0.4,
        )
    axis.legend(fontsize=6.5, loc="upper right", frameon=False, handletextpad=0.1, bbox_to_anchor=(1.3, 1.0))


def draw_density_slice(axis, density: np.ndarray | None, title: str, structure=None):
    """The CBM density summed along c, as a fraction of its maximum, drawn in the cell's own ab plane (the
    geometry of panel b), with the V/Cr sites marked so the density can be read against the polyhedra.
    Returns the colour mesh (None when there is no density)."""
    axis.set_title(title, loc="left", fontsize=7.5)
    axis.set_aspect("equal")
    axis.axis("off")
    if density is None:
        axis.text(0.5, 0.5, "not computed", ha="center", va="center", fontsize=6.5, transform=axis.transAxes)
        return None
    projected = density.sum(axis=2)
    projected = projected / projected.max()
    if structure is None:
        return axis.imshow(projected.T, origin="lower", cmap="magma", vmin=0, vmax=1)
    a, b = structure.lattice.matrix[0, :2], structure.lattice.matrix[1, :2]
    u, v = np.meshgrid(
        np.linspace(0, 1, projected.shape[0] + 1), np.linspace(0, 1, projected.shape[1] + 1), indexing="ij"
    )
    mesh = axis.pcolormesh(
        u * a[0] + v * b[0],
        u * a[1] + v * b[1],
        projected,
        cmap="magma",
        vmin=0,
        vmax=1,
        shading="flat",
        rasterized=True,
    )
    corners = np.array([[0, 0], a, a + b, b, [0, 0]])
    axis.plot(corners[:, 0], corners[:, 1], color="0.6", lw=0.5)
    # the map is the density at fractional (u, v), summed over w: a site belongs where its own (u, v), wrapped
    # into the cell, falls; its Cartesian x, y would add w times c's in-plane part and can leave the map
    sites = [
        (site.frac_coords[0] % 1.0) * a + (site.frac_coords[1] % 1.0) * b
        for site in structure
        if site.specie.symbol in HEADLINE_ELEMENTS
    ]
    if sites:
        axis.scatter(
            *np.array(sites).T, s=16, facecolors="none", edgecolors=POLYHEDRON_COLOUR, linewidths=1.0, label="V/Cr"
        )
        axis.legend(fontsize=6.5, loc="upper right", frameon=False, handletextpad=0.1, bbox_to_anchor=(1.3, 1.0))
    return mesh


def cluster_panel_figure(
    grid, spectra, labels, onsets, log_edge_integrals, cluster: int, ylabel: str = LOG_ALPHA_LABEL
):
    """A cluster's page: member spectra with their mean, and onset vs log10 of the absorption-edge integral
    I (cm^-1 eV) against all materials."""
    members = np.flatnonzero(labels == cluster)
    with plt.style.context(STYLE):
        figure, (left, right) = plt.subplots(1, 2, figsize=(7.0, 2.4))
        for member in members:
            left.plot(grid, spectra[member], lw=0.6, alpha=0.7)
        left.plot(grid, spectra[members].mean(axis=0), color="black", lw=1.2, label="mean")
        left.set_xlabel("Photon energy (eV)")
        left.set_ylabel(ylabel)
        left.set_title(f"cluster {cluster}: {len(members)} materials", loc="left")
        right.scatter(onsets, log_edge_integrals, s=6, color="0.75", label="all materials")
        right.scatter(onsets[members], log_edge_integrals[members], s=12, color="#d6604d", label=f"cluster {cluster}")
        right.set_xlabel("Onset energy (eV)")
        right.set_ylabel(r"log$_{10}$ $I$ / (cm$^{-1}$ eV)")
        right.legend(loc="best")
    return figure


@dataclass(frozen=True)
class FigureSettings:
    """What the spectra are (a short name for figure 1, the axis label in matplotlib mathtext), the columns of
    figure 2's grid of clusters, and the resolution of the per-cluster panels."""

    quantity: str
    quantity_label: str
    grid_columns: int
    panel_dpi: int


def draw_figures(
    params: dict,
    settings: FigureSettings,
    dataset,
    clusters: dict[str, np.ndarray],
    pair: dict | None,
    summaries: dict,
    dvc_yaml: Path,
    electronic_dir: Path,
    output: Path,
) -> list[Path]:
    """Figures 1-4 and the per-cluster panels in ``output``; ``clusters``: a clusters.npz's arrays; ``summaries``:
    the results of the dataset, train, cluster and electronic stages; ``pair``: the contrasted pair of clusters.
    The files written."""
    from specgroups.present.stability import stability_figure
    from specgroups.study.contrast import pair_sides

    labels, chosen = clusters["labels"], summaries["cluster"]

    grid, spectra, table, label = dataset.energy_grid, dataset.spectra, dataset.materials, settings.quantity_label
    onsets = table["onset_energy_ev"].to_numpy()
    clustering = (len(np.unique(labels)), summaries["cluster"]["representation"])
    notes = workflow_notes(params, summaries["dataset"], summaries["train"], clustering)
    written = save(workflow_figure(*pipeline_graph(dvc_yaml), notes), output / "figure1_workflow")
    written += save(
        cluster_grid_figure(grid, spectra, labels, onsets, settings.grid_columns, label), output / "figure2_clusters"
    )
    sides, titles = pair_sides(pair, labels)
    structures, densities = representatives_for_figure(
        summaries["electronic"]["representatives"], dataset.structures, electronic_dir
    )
    bond_cutoff = float(params["electronic"]["bond_cutoff"])
    figure = contrast_figure(
        grid, {side: spectra[rows] for side, rows in sides.items()}, titles, structures, densities, bond_cutoff, label
    )
    written += save(figure, output / "figure3_contrast")
    consensus = chosen["consensus"][chosen["representation"]]
    figure = stability_figure(clusters["coassociation"], labels, consensus, chosen["split_half_consensus_ari"])
    written += save(figure, output / "figure4_stability")
    edges = table["log10_edge_integral"].to_numpy()
    for cluster in sorted(set(labels.tolist())):
        figure = cluster_panel_figure(grid, spectra, labels, onsets, edges, cluster, label)
        written += save(figure, output / "clusters" / f"cluster_{cluster:03d}", dpi=settings.panel_dpi)
    return written
