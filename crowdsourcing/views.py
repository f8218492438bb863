"""HTML pages of the pipeline (the inbox, decisions, my contributions, dataset requests)."""

from flask import Blueprint

bp = Blueprint("crowdsourcing", __name__, template_folder="templates")
