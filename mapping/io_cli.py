"""`flask --app webapp export-inventory SLUG --format gpkg --output PATH`, `map-grid-rebuild`."""

import click
from flask.cli import with_appcontext


@click.command("export-inventory")
@click.argument("slug")
@click.option(
    "--format", "fmt", type=click.Choice(["geojson", "csv", "gpkg", "osm"]), default="gpkg"
)
@click.option("--output", required=True, type=click.Path(dir_okay=False, writable=True))
@click.option("--exact", is_flag=True, help="Exact positions of sensitive features (staff use).")
@with_appcontext
def export_inventory(slug, fmt, output, exact):
    """Write an inventory's published features to a file, with its licence and attribution."""
    from sqlalchemy import select

    from mapping.models import Inventory
    from mapping.services import exports
    from webapp.extensions import db

    inventory = db.session.scalar(select(Inventory).where(Inventory.slug == slug))
    if inventory is None:
        raise click.ClickException(f"No inventory {slug}.")
    written = exports.write_file(inventory, fmt, exact, output)
    click.echo(f"{written} features written to {output}.")


@click.command("map-grid-rebuild")
@click.argument("slug", required=False)
@with_appcontext
def map_grid_rebuild(slug):
    """Recompute the map grid (cluster counts) of one inventory, or of all, from the
    features: after loading rows in SQL with the triggers off."""
    from sqlalchemy import select

    from mapping.models import Inventory
    from mapping.services import map_grid
    from webapp.extensions import db

    inventory_id = None
    if slug:
        inventory_id = db.session.scalar(select(Inventory.id).where(Inventory.slug == slug))
        if inventory_id is None:
            raise click.ClickException(f"No inventory {slug}.")
    click.echo(f"{map_grid.rebuild(inventory_id)} grid cells written.")
