"""Ready-made inventory forms, with the OpenStreetMap tags each field maps to."""

from flask_babel import lazy_gettext as _l


def _choice(value, fr, en, osm=None, sensitive=False):
    return {"value": value, "label_fr": fr, "label_en": en, "osm": osm, "sensitive": sensitive}


BIODIVERSITY = {
    "theme": "biodiversity",
    "geometry_types": ["Point"],
    "licence": "odbl",
    "form_schema": {
        "osm_tags": {},
        "fields": [
            {
                "key": "scientific_name",
                "type": "text",
                "label_fr": "Nom scientifique",
                "label_en": "Scientific name",
                "help_fr": "Genre et espèce, par exemple Quercus ilex.",
                "help_en": "Genus and species, for example Quercus ilex.",
                "required": True,
                "max": 120,
                "osm_tag": "species",
                "locating": False,
                "key_attribute": True,
            },
            {
                "key": "common_name",
                "type": "text",
                "label_fr": "Nom commun",
                "label_en": "Common name",
                "max": 120,
                "osm_tag": "species:fr",
                "locating": False,
            },
            {
                "key": "protection",
                "type": "choice",
                "label_fr": "Statut de protection",
                "label_en": "Protection status",
                "help_fr": "Une espèce protégée n'est montrée précisément qu'aux agents.",
                "help_en": "A protected species is shown precisely to staff only.",
                "choices": [
                    _choice("none", "Non protégée", "Not protected"),
                    _choice("protected", "Protégée", "Protected", sensitive=True),
                    _choice("unknown", "Je ne sais pas", "I do not know"),
                ],
                "locating": False,
            },
            {
                "key": "count",
                "type": "integer",
                "label_fr": "Nombre d'individus",
                "label_en": "Number of individuals",
                "min": 1,
                "max": 100000,
                "locating": False,
            },
            {
                "key": "observed_on",
                "type": "date",
                "label_fr": "Date d'observation",
                "label_en": "Date observed",
                "required": True,
                "min": "1900-01-01",
                "max": "today",
                "osm_tag": "survey:date",
                "locating": False,
            },
            {
                "key": "confidence",
                "type": "choice",
                "label_fr": "Certitude de l'identification",
                "label_en": "Confidence in the identification",
                "choices": [
                    _choice("certain", "Certaine", "Certain"),
                    _choice("probable", "Probable", "Probable"),
                    _choice("doubtful", "Douteuse", "Doubtful"),
                ],
                "locating": False,
            },
            {
                "key": "notes",
                "type": "long_text",
                "label_fr": "Remarques",
                "label_en": "Notes",
                "max": 2000,
                "osm_tag": "note",
            },
            {"key": "photo", "type": "photo", "label_fr": "Photo", "label_en": "Photo"},
        ],
    },
}

HERITAGE = {
    "theme": "heritage",
    "geometry_types": ["Point", "Polygon"],
    "licence": "odbl",
    "form_schema": {
        "osm_tags": {},
        "fields": [
            {
                "key": "name",
                "type": "text",
                "label_fr": "Nom",
                "label_en": "Name",
                "max": 200,
                "osm_tag": "name",
            },
            {
                "key": "heritage_type",
                "type": "choice",
                "label_fr": "Type",
                "label_en": "Type",
                "required": True,
                "key_attribute": True,
                "locating": False,
                "choices": [
                    _choice(
                        "wayside_cross",
                        "Croix de chemin",
                        "Wayside cross",
                        "historic=wayside_cross",
                    ),
                    _choice(
                        "wayside_shrine", "Oratoire", "Wayside shrine", "historic=wayside_shrine"
                    ),
                    _choice("fountain", "Fontaine", "Fountain", "amenity=fountain"),
                    _choice("wash_house", "Lavoir", "Wash house", "amenity=lavoir"),
                    _choice("well", "Puits", "Well", "man_made=water_well"),
                    _choice("memorial", "Monument commémoratif", "Memorial", "historic=memorial"),
                    _choice("boundary_stone", "Borne", "Boundary stone", "historic=boundary_stone"),
                    _choice(
                        "building", "Bâtiment historique", "Historic building", "historic=building"
                    ),
                    _choice(
                        "archaeological_site",
                        "Site archéologique",
                        "Archaeological site",
                        "historic=archaeological_site",
                        sensitive=True,
                    ),
                ],
            },
            {
                "key": "period",
                "type": "choice",
                "label_fr": "Époque",
                "label_en": "Period",
                "osm_tag": "historic:period",
                "locating": False,
                "choices": [
                    _choice("antiquity", "Antiquité", "Antiquity"),
                    _choice("middle_ages", "Moyen Âge", "Middle Ages"),
                    _choice(
                        "early_modern",
                        "Époque moderne (XVIe–XVIIIe)",
                        "Early modern (16th–18th c.)",
                    ),
                    _choice("19th_century", "XIXe siècle", "19th century"),
                    _choice("20th_century", "XXe siècle", "20th century"),
                    _choice("unknown", "Inconnue", "Unknown"),
                ],
            },
            {
                "key": "condition",
                "type": "choice",
                "label_fr": "État",
                "label_en": "Condition",
                "osm_tag": "condition",
                "locating": False,
                "choices": [
                    _choice("good", "Bon", "Good", "condition=good"),
                    _choice("fair", "Moyen", "Fair", "condition=fair"),
                    _choice("bad", "Mauvais", "Bad", "condition=bad"),
                    _choice("ruin", "En ruine", "Ruined", "ruins=yes"),
                ],
            },
            {
                "key": "fragile",
                "type": "boolean",
                "label_fr": "Site fragile (à protéger du public)",
                "label_en": "Fragile site (to protect from visitors)",
                "sensitive": True,
                "locating": False,
            },
            {
                "key": "description",
                "type": "long_text",
                "label_fr": "Description",
                "label_en": "Description",
                "max": 2000,
                "osm_tag": "description",
            },
            {"key": "photo", "type": "photo", "label_fr": "Photo", "label_en": "Photo"},
        ],
    },
}

TREES = {
    "theme": "trees",
    "geometry_types": ["Point"],
    "licence": "odbl",
    "form_schema": {
        "osm_tags": {"natural": "tree"},
        "fields": [
            {
                "key": "species",
                "type": "text",
                "label_fr": "Espèce (nom latin)",
                "label_en": "Species (Latin name)",
                "required": True,
                "max": 120,
                "osm_tag": "species",
                "locating": False,
                "key_attribute": True,
            },
            {
                "key": "common_name",
                "type": "text",
                "label_fr": "Nom usuel",
                "label_en": "Common name",
                "max": 120,
                "osm_tag": "species:fr",
                "locating": False,
            },
            {
                "key": "height_m",
                "type": "decimal",
                "label_fr": "Hauteur (m)",
                "label_en": "Height (m)",
                "min": 0,
                "max": 120,
                "osm_tag": "height",
            },
            {
                "key": "circumference_cm",
                "type": "integer",
                "label_fr": "Circonférence (cm)",
                "label_en": "Circumference (cm)",
                "min": 0,
                "max": 3000,
            },
            {
                "key": "planted",
                "type": "integer",
                "label_fr": "Année de plantation",
                "label_en": "Year planted",
                "min": 1500,
                "max": 2100,
                "osm_tag": "start_date",
            },
            {
                "key": "site",
                "type": "text",
                "label_fr": "Lieu (rue, parc)",
                "label_en": "Place (street, park)",
                "max": 200,
            },
            {"key": "photo", "type": "photo", "label_fr": "Photo", "label_en": "Photo"},
        ],
    },
}

TEMPLATES = {
    "biodiversity": (_l("Biodiversity inventory"), BIODIVERSITY),
    "heritage": (_l("Small heritage inventory"), HERITAGE),
    "trees": (_l("Tree inventory"), TREES),
}
