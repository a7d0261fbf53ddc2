"""sharing analytics rollups

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-22

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('library_rollup_state',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rolled_until', sa.Date(), nullable=True),
    sa.Column('refreshed_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_library_rollup_state'))
    )
    op.create_table('library_item_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('personalised', sa.Integer(), nullable=False),
    sa.Column('shares_linkedin', sa.Integer(), nullable=False),
    sa.Column('shares_x', sa.Integer(), nullable=False),
    sa.Column('shares_facebook', sa.Integer(), nullable=False),
    sa.Column('shares_email', sa.Integer(), nullable=False),
    sa.Column('shares_copy', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('bots', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'],
                            name=op.f('fk_library_item_day_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('day', 'item_id', name=op.f('pk_library_item_day'))
    )
    with op.batch_alter_table('library_item_day', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_item_day_item_id'), ['item_id'], unique=False)

    op.create_table('library_department_day',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('day', 'department_id', name=op.f('pk_library_department_day'))
    )
    op.create_table('library_item_period',
    sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('personalised', sa.Integer(), nullable=False),
    sa.Column('shares_linkedin', sa.Integer(), nullable=False),
    sa.Column('shares_x', sa.Integer(), nullable=False),
    sa.Column('shares_facebook', sa.Integer(), nullable=False),
    sa.Column('shares_email', sa.Integer(), nullable=False),
    sa.Column('shares_copy', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('bots', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.Column('sharers', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'],
                            name=op.f('fk_library_item_period_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period', 'item_id', name=op.f('pk_library_item_period'))
    )
    with op.batch_alter_table('library_item_period', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_library_item_period_item_id'), ['item_id'], unique=False)

    op.create_table('library_department_period',
    sa.Column('period', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('department_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('shares', sa.Integer(), nullable=False),
    sa.Column('sharers', sa.Integer(), nullable=False),
    sa.Column('clicks', sa.Integer(), nullable=False),
    sa.Column('visitors', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('period', 'department_id', name=op.f('pk_library_department_period'))
    )


def downgrade():
    op.drop_table('library_department_period')
    with op.batch_alter_table('library_item_period', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_item_period_item_id'))

    op.drop_table('library_item_period')
    op.drop_table('library_department_day')
    with op.batch_alter_table('library_item_day', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_library_item_day_item_id'))

    op.drop_table('library_item_day')
    op.drop_table('library_rollup_state')
