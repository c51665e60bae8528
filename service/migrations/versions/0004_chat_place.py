"""chat_session.place: the establishment a chat named (its id in places.yaml)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 20:30:00

An establishment is not personal: it says which rules and which nation's bodies apply
(Parc and Hillside are in Wales). Nullable: most chats never name one.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_session") as batch:
        batch.add_column(
            sa.Column("place", sqlmodel.sql.sqltypes.AutoString(length=32), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_session") as batch:
        batch.drop_column("place")
