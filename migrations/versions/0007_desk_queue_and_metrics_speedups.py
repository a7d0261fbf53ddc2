"""desk queue and metrics speed-ups

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-22

Each open report keeps where it stands against its current target (a deadline on the
report's clock, the moment it falls due, or the share used while paused) so the desk
queue sorts and filters in SQL. The values are filled by the application
(`desk.services.refresh_deadlines`, run on the first desk request after the upgrade).
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('desk_report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('sla_due_clock', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('sla_due_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('sla_paused_used', sa.Double(), nullable=True))
        batch_op.add_column(sa.Column('sla_basis', sa.String(length=16), nullable=True))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index('ix_user_is_social', ['is_social'], unique=False)


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index('ix_user_is_social')
    with op.batch_alter_table('desk_report', schema=None) as batch_op:
        batch_op.drop_column('sla_basis')
        batch_op.drop_column('sla_paused_used')
        batch_op.drop_column('sla_due_at')
        batch_op.drop_column('sla_due_clock')
