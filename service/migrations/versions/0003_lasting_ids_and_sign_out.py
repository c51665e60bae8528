"""Ids that are never handed out twice; advocate.token_version for signing out

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 10:00:00

SQLite gives a new row the largest id plus one, so after the newest referral is deleted the
next one gets its id, and the audit log shows that referral's claims and closes against the
new one. AUTOINCREMENT makes SQLite remember the largest id ever used. It can only be set
when a table is made, so on SQLite these tables are rebuilt (batch mode copies every row and
keeps every id). PostgreSQL's sequences never go back, so there only the column is added.
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

# The tables whose ids other rows or the audit log name.
LASTING_IDS = ("advocate", "referral", "audit_entry")


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # Rebuilding drops the old table; with foreign keys on, that would empty the tables that
    # point at it (relay messages go with their referral). env.py turns them off first.
    if op.get_bind().exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("SQLite foreign keys must be off while tables are rebuilt")
    for table in LASTING_IDS:
        with op.batch_alter_table(
            table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
        ):
            pass


def upgrade() -> None:
    with op.batch_alter_table("advocate") as batch:
        batch.add_column(
            sa.Column("token_version", sa.Integer(), nullable=False, server_default="0")
        )
    _rebuild(autoincrement=True)


def downgrade() -> None:
    _rebuild(autoincrement=False)
    with op.batch_alter_table("advocate") as batch:
        batch.drop_column("token_version")
