"""referral_note: advocates' private notes on a referral, and why it was passed on

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 21:30:00

Redacted before they are stored, like a child's words; never sent to the child. A note goes
with its referral (cascade), and with the chat when the child says "forget me".
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "referral_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("referral_id", sa.Integer(), nullable=False),
        sa.Column("advocate_id", sa.Integer(), nullable=True),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
        sa.Column("text", sqlmodel.sql.sqltypes.AutoString(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["advocate_id"], ["advocate.id"]),
        sa.ForeignKeyConstraint(["referral_id"], ["referral.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    with op.batch_alter_table("referral_note") as batch:
        batch.create_index(batch.f("ix_referral_note_referral_id"), ["referral_id"], unique=False)
        batch.create_index(batch.f("ix_referral_note_created_at"), ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("referral_note") as batch:
        batch.drop_index(batch.f("ix_referral_note_created_at"))
        batch.drop_index(batch.f("ix_referral_note_referral_id"))
    op.drop_table("referral_note")
