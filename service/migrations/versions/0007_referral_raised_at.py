"""referral.raised_at: when a child's words made a referral urgent while an advocate held it

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 21:45:00

Until the advocate holding it answers, such a referral counts as urgent and waiting in the
queue's alarm (the tab's title, the beep), and goes overdue like an unclaimed urgent one: the
advocate may have gone home. Older referrals have none.
"""

import sqlalchemy as sa
import sqlmodel
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.add_column(sa.Column("raised_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("referral") as batch:
        batch.drop_column("raised_at")
