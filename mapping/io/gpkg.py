"""GeoPackage 1.3 written with the standard library's sqlite3, following the OGC spec.

No GDAL at run time: the file holds the three required tables, one feature table named
after the inventory, typed columns per form field, and the licence and attribution both
in the layer's description and as GDAL-readable layer metadata (gpkg_metadata extension).
"""

import sqlite3
import struct
from xml.sax.saxutils import escape

from mapping import formschema

APPLICATION_ID = 0x47504B47  # "GPKG"
USER_VERSION = 10300
WGS84_WKT = (
    'GEOGCS["WGS 84",DATUM["WGS_1984",SPHEROID["WGS 84",6378137,298.257223563,'
    'AUTHORITY["EPSG","7030"]],AUTHORITY["EPSG","6326"]],PRIMEM["Greenwich",0,'
    'AUTHORITY["EPSG","8901"]],UNIT["degree",0.0174532925199433,AUTHORITY["EPSG","9122"]],'
    'AXIS["Latitude",NORTH],AXIS["Longitude",EAST],AUTHORITY["EPSG","4326"]]'
)
COLUMN_TYPES = {
    formschema.TEXT: "TEXT",
    formschema.LONG_TEXT: "TEXT",
    formschema.INTEGER: "INTEGER",
    formschema.DECIMAL: "REAL",
    formschema.CHOICE: "TEXT",
    formschema.MULTI_CHOICE: "TEXT",
    formschema.BOOLEAN: "BOOLEAN",
    formschema.DATE: "DATE",
}
METADATA_EXTENSION = "http://www.geopackage.org/spec121/#extension_metadata"
_SCHEMA = """
CREATE TABLE gpkg_spatial_ref_sys (srs_name TEXT NOT NULL, srs_id INTEGER PRIMARY KEY,
  organization TEXT NOT NULL, organization_coordsys_id INTEGER NOT NULL,
  definition TEXT NOT NULL, description TEXT);
CREATE TABLE gpkg_contents (table_name TEXT NOT NULL PRIMARY KEY, data_type TEXT NOT NULL,
  identifier TEXT UNIQUE, description TEXT DEFAULT '',
  last_change DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  min_x DOUBLE, min_y DOUBLE, max_x DOUBLE, max_y DOUBLE, srs_id INTEGER,
  CONSTRAINT fk_gc_r_srs_id FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys(srs_id));
CREATE TABLE gpkg_geometry_columns (table_name TEXT NOT NULL, column_name TEXT NOT NULL,
  geometry_type_name TEXT NOT NULL, srs_id INTEGER NOT NULL, z TINYINT NOT NULL,
  m TINYINT NOT NULL, CONSTRAINT pk_geom_cols PRIMARY KEY (table_name, column_name),
  CONSTRAINT uk_gc_table_name UNIQUE (table_name),
  CONSTRAINT fk_gc_tn FOREIGN KEY (table_name) REFERENCES gpkg_contents(table_name),
  CONSTRAINT fk_gc_srs FOREIGN KEY (srs_id) REFERENCES gpkg_spatial_ref_sys (srs_id));
CREATE TABLE gpkg_extensions (table_name TEXT, column_name TEXT, extension_name TEXT NOT NULL,
  definition TEXT NOT NULL, scope TEXT NOT NULL,
  CONSTRAINT ge_tce UNIQUE (table_name, column_name, extension_name));
CREATE TABLE gpkg_metadata (id INTEGER CONSTRAINT m_pk PRIMARY KEY ASC NOT NULL,
  md_scope TEXT NOT NULL DEFAULT 'dataset', md_standard_uri TEXT NOT NULL,
  mime_type TEXT NOT NULL DEFAULT 'text/xml', metadata TEXT NOT NULL DEFAULT '');
CREATE TABLE gpkg_metadata_reference (reference_scope TEXT NOT NULL, table_name TEXT,
  column_name TEXT, row_id_value INTEGER,
  timestamp DATETIME NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ','now')),
  md_file_id INTEGER NOT NULL, md_parent_id INTEGER,
  CONSTRAINT crmr_mfi_fk FOREIGN KEY (md_file_id) REFERENCES gpkg_metadata(id),
  CONSTRAINT crmr_mpi_fk FOREIGN KEY (md_parent_id) REFERENCES gpkg_metadata(id));
"""


def _quote(name):
    return '"' + name.replace('"', '""') + '"'


def geometry_blob(geometry):
    """GeoPackageBinary: header (magic, version, little-endian flags with an XY envelope,
    SRS id) followed by the geometry's little-endian WKB."""
    minx, miny, maxx, maxy = geometry.bounds
    header = b"GP" + bytes([0, 0b00000011]) + struct.pack("<i", 4326)
    return header + struct.pack("<4d", minx, maxx, miny, maxy) + geometry.wkb


def column_value(field, value):
    if value is None:
        return None
    if field["type"] == formschema.MULTI_CHOICE and isinstance(value, list):
        return ";".join(value)
    if field["type"] == formschema.BOOLEAN:
        return 1 if value else 0
    return value


class Writer:
    """One layer named after the inventory; call `add` per feature, then `close`."""

    def __init__(self, path, layer, fields, description, metadata):
        self.layer, self.fields = layer, [f for f in fields if f["type"] in COLUMN_TYPES]
        self.types, self.bounds = set(), None
        self.db = sqlite3.connect(path)
        self.db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        self.db.execute(f"PRAGMA user_version = {USER_VERSION}")
        self.db.executescript(_SCHEMA)
        self._reference_systems()
        columns = "".join(f", {_quote(f['key'])} {COLUMN_TYPES[f['type']]}" for f in self.fields)
        self.db.execute(
            f"CREATE TABLE {_quote(layer)} (fid INTEGER PRIMARY KEY AUTOINCREMENT NOT NULL, "
            f"geom GEOMETRY{columns})"
        )
        self.db.execute(
            "INSERT INTO gpkg_contents (table_name, data_type, identifier, description, srs_id)"
            " VALUES (?, 'features', ?, ?, 4326)",
            (layer, layer, description),
        )
        self._metadata(metadata)
        names = ", ".join(["fid", "geom"] + [_quote(f["key"]) for f in self.fields])
        marks = ", ".join("?" * (len(self.fields) + 2))
        self.insert = f"INSERT INTO {_quote(layer)} ({names}) VALUES ({marks})"

    def _reference_systems(self):
        self.db.executemany(
            "INSERT INTO gpkg_spatial_ref_sys VALUES (?, ?, ?, ?, ?, ?)",
            [
                ("Undefined cartesian SRS", -1, "NONE", -1, "undefined", None),
                ("Undefined geographic SRS", 0, "NONE", 0, "undefined", None),
                ("WGS 84 geodetic", 4326, "EPSG", 4326, WGS84_WKT, "longitude/latitude"),
            ],
        )

    def _metadata(self, items):
        body = "".join(f'<MDI key="{escape(k)}">{escape(v)}</MDI>' for k, v in items.items())
        cursor = self.db.execute(
            "INSERT INTO gpkg_metadata (md_scope, md_standard_uri, mime_type, metadata)"
            " VALUES ('dataset', 'http://gdal.org', 'text/xml', ?)",
            (f"<GDALMultiDomainMetadata><Metadata>{body}</Metadata></GDALMultiDomainMetadata>",),
        )
        self.db.execute(
            "INSERT INTO gpkg_metadata_reference (reference_scope, table_name, md_file_id)"
            " VALUES ('table', ?, ?)",
            (self.layer, cursor.lastrowid),
        )
        self.db.executemany(
            "INSERT INTO gpkg_extensions VALUES (?, NULL, 'gpkg_metadata', ?, 'read-write')",
            [
                ("gpkg_metadata", METADATA_EXTENSION),
                ("gpkg_metadata_reference", METADATA_EXTENSION),
            ],
        )

    def add(self, fid, geometry, values):
        self.types.add(geometry.geom_type)
        minx, miny, maxx, maxy = geometry.bounds
        if self.bounds is None:
            self.bounds = [minx, miny, maxx, maxy]
        else:
            b = self.bounds
            self.bounds = [min(b[0], minx), min(b[1], miny), max(b[2], maxx), max(b[3], maxy)]
        row = [fid, geometry_blob(geometry)]
        row += [column_value(f, values.get(f["key"])) for f in self.fields]
        self.db.execute(self.insert, row)

    def close(self, declared_types=()):
        types = self.types or set(declared_types)
        kind = next(iter(types)).upper() if len(types) == 1 else "GEOMETRY"
        self.db.execute(
            "INSERT INTO gpkg_geometry_columns VALUES (?, 'geom', ?, 4326, 0, 0)",
            (self.layer, kind),
        )
        if self.bounds:
            self.db.execute(
                "UPDATE gpkg_contents SET min_x = ?, min_y = ?, max_x = ?, max_y = ?"
                " WHERE table_name = ?",
                (*self.bounds, self.layer),
            )
        self.db.commit()
        self.db.close()
