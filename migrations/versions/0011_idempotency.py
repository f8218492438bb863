"""idempotency keys

Revision ID: 0011_idempotency
Revises: 0010_hackathons

Create Date: 2026-11-22 23:20:00.000000

"""
from alembic import op
import sqlalchemy as sa
import webapp.db


# revision identifiers, used by Alembic.
revision = "0011_idempotency"
down_revision = "0010_hackathons"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "webapp_idempotency_key",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("resource_id", sa.Integer(), nullable=True),
        sa.Column("created_at", webapp.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["webapp_user.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "key", name="uq_webapp_idempotency_key_user"),
    )
    with op.batch_alter_table("webapp_idempotency_key", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_webapp_idempotency_key_created_at"), ["created_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("webapp_idempotency_key", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_webapp_idempotency_key_created_at"))
    op.drop_table("webapp_idempotency_key")
