"""Reading and writing files of map features: GeoJSON, CSV, OSM XML and GeoPackage.

Pure helpers without database access; `mapping.services.imports` and
`mapping.services.exports` are the use cases built on them.
"""
