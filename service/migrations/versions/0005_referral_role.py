"""referral.role: who wrote in (child, family, professional)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 21:00:00

Copied from the chat when the referral is made, like its topic and setting, because a chat can
be forgotten or purged while its urgent referral stays, and the advocate must still see that a
parent, not the child, raised it. Older referrals are left without one ("not known").
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(
            sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=16), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("role")
