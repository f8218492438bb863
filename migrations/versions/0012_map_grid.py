"""map grid: per-inventory counts of published features per grid cell, kept by triggers

Revision ID: 0012_map_grid
Revises: 0011_idempotency

The zoomed-out map reads these cells instead of grouping every feature of the box.
Triggers on mapping_feature keep them in the same transaction as any insert, delete or
change of status or public position, whatever code (or SQL) makes it. A batch
migration that rebuilds mapping_feature on SQLite drops the triggers: create them again.
"""

from alembic import op
import sqlalchemy as sa


revision = "0012_map_grid"
down_revision = "0011_idempotency"
branch_labels = None
depends_on = None

# Frozen copy of mapping.models.GRID_LEVELS.
LEVELS = (15, 18)
CELL = "mapping_map_cell"


def _index(expr, offset, level, sqlite):
    size = f"(CAST(360.0 AS DOUBLE PRECISION) / {2**level})" if not sqlite else f"(360.0 / {2**level})"
    value = f"(({expr}) + {offset}.0) / {size}"
    # Both sides are positive (lon + 180, lat + 90): truncation is the floor.
    return f"CAST({value} AS INTEGER)" if sqlite else f"CAST(floor({value}) AS INTEGER)"


def _cell_where(row, level, sqlite):
    return (
        f"inventory_id = {row}.inventory_id AND level = {level} "
        f"AND cx = {_index(row + '.public_lon', 180, level, sqlite)} "
        f"AND cy = {_index(row + '.public_lat', 90, level, sqlite)}"
    )


def _add(row, level, sqlite, condition="1 = 1"):
    return (
        f"INSERT INTO {CELL} (inventory_id, level, cx, cy, n, sum_lon, sum_lat) "
        f"SELECT {row}.inventory_id, {level}, {_index(row + '.public_lon', 180, level, sqlite)}, "
        f"{_index(row + '.public_lat', 90, level, sqlite)}, 1, {row}.public_lon, {row}.public_lat "
        f"WHERE {condition} "
        f"ON CONFLICT (inventory_id, level, cx, cy) DO UPDATE SET n = {CELL}.n + 1, "
        f"sum_lon = {CELL}.sum_lon + excluded.sum_lon, sum_lat = {CELL}.sum_lat + excluded.sum_lat"
    )


def _remove(row, level, sqlite, condition="1 = 1"):
    # An update only: the cell exists unless the inventory itself is being deleted.
    return (
        f"UPDATE {CELL} SET n = n - 1, sum_lon = sum_lon - {row}.public_lon, "
        f"sum_lat = sum_lat - {row}.public_lat WHERE {_cell_where(row, level, sqlite)} "
        f"AND {condition}"
    )


CHANGED = (
    "OLD.status IS DISTINCT FROM NEW.status OR OLD.public_lon IS DISTINCT FROM NEW.public_lon "
    "OR OLD.public_lat IS DISTINCT FROM NEW.public_lat "
    "OR OLD.inventory_id IS DISTINCT FROM NEW.inventory_id"
)


def _sqlite_triggers():
    changed = CHANGED.replace("IS DISTINCT FROM", "IS NOT")
    adds_new = "; ".join(_add("NEW", lv, True, "NEW.status = 'published'") for lv in LEVELS)
    removes_old = "; ".join(_remove("OLD", lv, True, "OLD.status = 'published'") for lv in LEVELS)
    return [
        f"CREATE TRIGGER mapping_feature_grid_insert AFTER INSERT ON mapping_feature "
        f"WHEN NEW.status = 'published' BEGIN {adds_new}; END",
        f"CREATE TRIGGER mapping_feature_grid_delete AFTER DELETE ON mapping_feature "
        f"WHEN OLD.status = 'published' BEGIN {removes_old}; END",
        f"CREATE TRIGGER mapping_feature_grid_update AFTER UPDATE OF status, public_lon, "
        f"public_lat, inventory_id ON mapping_feature WHEN {changed} "
        f"BEGIN {removes_old}; {adds_new}; END",
    ]


def _postgres_triggers():
    adds = "\n    ".join(_add("NEW", lv, False) + ";" for lv in LEVELS)
    removes = "\n    ".join(_remove("OLD", lv, False) + ";" for lv in LEVELS)
    function = f"""
CREATE FUNCTION mapping_feature_grid() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' AND OLD.status = 'published' THEN
    {removes}
  END IF;
  IF TG_OP <> 'DELETE' AND NEW.status = 'published' THEN
    {adds}
  END IF;
  RETURN NULL;
END $$"""
    return [
        function,
        "CREATE TRIGGER mapping_feature_grid_insert AFTER INSERT ON mapping_feature "
        "FOR EACH ROW WHEN (NEW.status = 'published') EXECUTE FUNCTION mapping_feature_grid()",
        "CREATE TRIGGER mapping_feature_grid_delete AFTER DELETE ON mapping_feature "
        "FOR EACH ROW WHEN (OLD.status = 'published') EXECUTE FUNCTION mapping_feature_grid()",
        "CREATE TRIGGER mapping_feature_grid_update AFTER UPDATE OF status, public_lon, "
        f"public_lat, inventory_id ON mapping_feature FOR EACH ROW WHEN ({CHANGED}) "
        "EXECUTE FUNCTION mapping_feature_grid()",
    ]


def _fill(sqlite):
    for level in LEVELS:
        cx = _index("public_lon", 180, level, sqlite)
        cy = _index("public_lat", 90, level, sqlite)
        op.execute(
            f"INSERT INTO {CELL} (inventory_id, level, cx, cy, n, sum_lon, sum_lat) "
            f"SELECT inventory_id, {level}, {cx}, {cy}, count(*), sum(public_lon), sum(public_lat) "
            f"FROM mapping_feature WHERE status = 'published' GROUP BY inventory_id, {cx}, {cy}"
        )


def upgrade():
    op.create_table(
        CELL,
        sa.Column("inventory_id", sa.Integer(), nullable=False),
        sa.Column("level", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cx", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cy", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("sum_lon", sa.Float(), nullable=False),
        sa.Column("sum_lat", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(["inventory_id"], ["mapping_inventory.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("inventory_id", "level", "cx", "cy"),
    )
    op.create_index(
        "ix_mapping_feature_latest",
        "mapping_feature",
        ["inventory_id", "status", "created_at", "id"],
        unique=False,
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    _fill(sqlite)
    for statement in _sqlite_triggers() if sqlite else _postgres_triggers():
        op.execute(statement)


def downgrade():
    for name in ("insert", "delete", "update"):
        op.execute(f"DROP TRIGGER IF EXISTS mapping_feature_grid_{name}" + (
            "" if op.get_bind().dialect.name == "sqlite" else " ON mapping_feature"
        ))
    if op.get_bind().dialect.name != "sqlite":
        op.execute("DROP FUNCTION IF EXISTS mapping_feature_grid()")
    op.drop_table(CELL)
    op.drop_index("ix_mapping_feature_latest", table_name="mapping_feature")
