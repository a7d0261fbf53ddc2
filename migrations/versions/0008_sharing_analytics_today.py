"""sharing analytics: today rolled up every few minutes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-22

The rollup state's `rolled_until` becomes a moment (today is summarised up to a minute before each
run), `period_day` the UTC day the period summaries end on and `periods` the periods they hold. A
state that was complete until a midnight is the same state in the new terms: everything before that
midnight, periods of 30, 90 and 365 days and all time ending that day (the next run adds the others).
Two side tables hold the visitor keys already counted on the last summarised day, written by the
rollup only.

Downgrading clears the state, so the older code reads the raw tables until its next rollup rebuilds
every summary.
"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('library_rollup_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('period_day', sa.Date(), nullable=True))
        batch_op.add_column(sa.Column('rolled_until_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('periods', sa.String(length=60), nullable=True))
    op.execute("UPDATE library_rollup_state SET period_day = rolled_until, periods = '30,90,365,0' "
               "WHERE rolled_until IS NOT NULL")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("UPDATE library_rollup_state SET rolled_until_at = rolled_until::timestamp AT TIME ZONE 'UTC'")
    else:
        op.execute("UPDATE library_rollup_state SET rolled_until_at = rolled_until || ' 00:00:00.000000' "
                   "WHERE rolled_until IS NOT NULL")
    with op.batch_alter_table('library_rollup_state', schema=None) as batch_op:
        batch_op.drop_column('rolled_until')
        batch_op.alter_column('rolled_until_at', new_column_name='rolled_until')

    op.create_table('library_item_visitor_today',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('visitor_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'],
                            name=op.f('fk_library_item_visitor_today_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'visitor_key', name=op.f('pk_library_item_visitor_today'))
    )
    op.create_table('library_department_visitor_today',
    sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('visitor_key', sa.String(length=64), nullable=False),
    sa.PrimaryKeyConstraint('department_id', 'visitor_key', name=op.f('pk_library_department_visitor_today'))
    )


def downgrade():
    op.drop_table('library_department_visitor_today')
    op.drop_table('library_item_visitor_today')
    with op.batch_alter_table('library_rollup_state', schema=None) as batch_op:
        batch_op.drop_column('rolled_until')
        batch_op.drop_column('periods')
        batch_op.drop_column('period_day')
    with op.batch_alter_table('library_rollup_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rolled_until', sa.Date(), nullable=True))
