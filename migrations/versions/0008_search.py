"""search: one index of public things, full text per backend

Revision ID: 0008_search
Revises: 0007_mapping
Create Date: 2026-11-22 20:38:29.347362

PostgreSQL: a generated tsvector in the French configuration (title weighted above the
body) with a GIN index. SQLite: an FTS5 table over the same rows, kept in step by
triggers (diacritics folded, since SQLite has no French stemmer).
"""

import sqlalchemy as sa
from alembic import op

import webapp.db

revision = "0008_search"
down_revision = "0007_mapping"
branch_labels = None
depends_on = None

SQLITE_FTS = [
    "CREATE VIRTUAL TABLE webapp_search_fts USING fts5(title, body, "
    "content='webapp_search_document', content_rowid='id', "
    "tokenize='unicode61 remove_diacritics 2')",
    "CREATE TRIGGER webapp_search_fts_ai AFTER INSERT ON webapp_search_document BEGIN "
    "INSERT INTO webapp_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
    "CREATE TRIGGER webapp_search_fts_ad AFTER DELETE ON webapp_search_document BEGIN "
    "INSERT INTO webapp_search_fts(webapp_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); END",
    "CREATE TRIGGER webapp_search_fts_au AFTER UPDATE ON webapp_search_document BEGIN "
    "INSERT INTO webapp_search_fts(webapp_search_fts, rowid, title, body) "
    "VALUES ('delete', old.id, old.title, old.body); "
    "INSERT INTO webapp_search_fts(rowid, title, body) VALUES (new.id, new.title, new.body); END",
]
POSTGRES_FTS = [
    "ALTER TABLE webapp_search_document ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('french', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('french', coalesce(body, '')), 'B')) STORED",
    "CREATE INDEX ix_webapp_search_document_vector ON webapp_search_document "
    "USING gin (search_vector)",
]


def upgrade():
    op.create_table(
        "webapp_search_document",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("object_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("url", sa.String(length=500), nullable=False),
        sa.Column("updated_at", webapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webapp_search_document")),
        sa.UniqueConstraint("kind", "object_id", name=op.f("uq_webapp_search_document_kind")),
    )
    op.create_index(
        op.f("ix_webapp_search_document_kind"), "webapp_search_document", ["kind"], unique=False
    )
    statements = SQLITE_FTS if op.get_bind().dialect.name == "sqlite" else POSTGRES_FTS
    for statement in statements:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for trigger in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS webapp_search_fts_{trigger}")
        op.execute("DROP TABLE IF EXISTS webapp_search_fts")
    op.drop_index(op.f("ix_webapp_search_document_kind"), table_name="webapp_search_document")
    op.drop_table("webapp_search_document")
