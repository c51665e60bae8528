"""chat_session.worries: the risks "Are you safe right now?" was asked about

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-06 19:00:00

A "No" to the question is urgent; its referral carries these labels (self_harm, abuse), so the
advocate sees what kind of danger the child said they were in. Empty when the question came
from sad or scared words that named no risk, and for every chat before this revision.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("chat_session") as batch:
        batch.add_column(
            sa.Column(
                "worries",
                sqlmodel.sql.sqltypes.AutoString(length=32),
                nullable=False,
                server_default="",
            )
        )


def downgrade() -> None:
    with op.batch_alter_table("chat_session") as batch:
        batch.drop_column("worries")
