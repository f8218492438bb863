"""The search index: one row per public thing (dataset, backlog item, request, inventory…).

Full-text machinery is backend-specific and lives in the migration: on PostgreSQL a
generated `search_vector` tsvector column (French configuration) with a GIN index; on
SQLite an FTS5 table `webapp_search_fts` kept in step by triggers.
"""

from datetime import datetime

from sqlalchemy import Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from webapp.db import UTCDateTime, utcnow
from webapp.extensions import db


class SearchDocument(db.Model):
    __tablename__ = "webapp_search_document"
    __table_args__ = (UniqueConstraint("kind", "object_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), nullable=False, index=True)
    object_id: Mapped[int] = mapped_column(Integer, nullable=False)
    title: Mapped[str] = mapped_column(String(300), nullable=False)
    body: Mapped[str] = mapped_column(Text, nullable=False, default="")
    url: Mapped[str] = mapped_column(String(500), nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
