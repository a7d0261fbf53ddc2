"""compliance standings

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-22

Per-person and per-person-per-module standings for the compliance page, and a small
snapshot table for the rates of large scopes. An install that already has people gets
its standings built here, so nothing is lost on upgrade.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('compliance_person',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('policy_ok', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_compliance_person_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_compliance_person'))
    )
    with op.batch_alter_table('compliance_person', schema=None) as batch_op:
        batch_op.create_index('ix_compliance_person_name', ['name_key', 'user_id'], unique=False)
        batch_op.create_index('ix_compliance_person_department', ['department_id', 'name_key'], unique=False)
        batch_op.create_index('ix_compliance_person_manager', ['manager_id', 'name_key'], unique=False)

    op.create_table('training_standing',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('module_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('manager_id', sa.Integer(), nullable=True),
    sa.Column('name_key', sa.String(length=120), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('never_expires', sa.Boolean(), nullable=False),
    sa.Column('attempted', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['module_id'], ['training_module.id'],
                            name=op.f('fk_training_standing_module_id_training_module'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_training_standing_user_id_user'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'module_id', name=op.f('pk_training_standing'))
    )
    with op.batch_alter_table('training_standing', schema=None) as batch_op:
        batch_op.create_index('ix_training_standing_due', ['due_on', 'name_key', 'user_id'], unique=False)
        batch_op.create_index('ix_training_standing_module', ['module_id', 'due_on', 'name_key', 'user_id'],
                              unique=False)
        batch_op.create_index('ix_training_standing_department', ['department_id', 'due_on', 'name_key', 'user_id'],
                              unique=False)
        batch_op.create_index('ix_training_standing_manager', ['manager_id', 'due_on', 'name_key', 'user_id'],
                              unique=False)

    op.create_table('compliance_snapshot',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('computed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('figures', sa.JSON(), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_compliance_snapshot'))
    )

    connection = op.get_bind()
    if connection.execute(sa.text('SELECT 1 FROM "user" LIMIT 1')).first() is not None:
        from app.training.standings import rebuild

        rebuild(connection)


def downgrade():
    op.drop_table('compliance_snapshot')
    with op.batch_alter_table('training_standing', schema=None) as batch_op:
        batch_op.drop_index('ix_training_standing_manager')
        batch_op.drop_index('ix_training_standing_department')
        batch_op.drop_index('ix_training_standing_module')
        batch_op.drop_index('ix_training_standing_due')
    op.drop_table('training_standing')
    with op.batch_alter_table('compliance_person', schema=None) as batch_op:
        batch_op.drop_index('ix_compliance_person_manager')
        batch_op.drop_index('ix_compliance_person_department')
        batch_op.drop_index('ix_compliance_person_name')
    op.drop_table('compliance_person')
