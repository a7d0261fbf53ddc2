"""report channel and triage desk

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('desk_canned_reply',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_canned_reply')),
    sa.UniqueConstraint('title', name=op.f('uq_desk_canned_reply_title'))
    )
    op.create_table('desk_category_route',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_desk_category_route_department_id_department'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_category_route')),
    sa.UniqueConstraint('category', name=op.f('uq_desk_category_route_category'))
    )
    op.create_table('desk_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_key', sa.String(length=64), nullable=False),
    sa.Column('category', sa.String(length=32), nullable=False),
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('urgency', sa.String(length=16), nullable=False),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=True),
    sa.Column('receipt_hash', sa.String(length=64), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('dismiss_reason', sa.Text(), nullable=True),
    sa.Column('assignee_id', sa.Integer(), nullable=True),
    sa.Column('department_id', sa.Integer(), nullable=True),
    sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('first_response_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('first_response_minutes', sa.Double(), nullable=True),
    sa.Column('first_response_met', sa.Boolean(), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('amplified_item_id', sa.Integer(), nullable=True),
    sa.Column('screenshots_purged_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['assignee_id'], ['user.id'], name=op.f('fk_desk_report_assignee_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_desk_report_department_id_department'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['duplicate_of_id'], ['desk_report.id'], name=op.f('fk_desk_report_duplicate_of_id_desk_report'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_desk_report_reporter_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_report')),
    sa.UniqueConstraint('receipt_hash', name=op.f('uq_desk_report_receipt_hash')),
    sa.UniqueConstraint('submission_key', name=op.f('uq_desk_report_submission_key'))
    )
    with op.batch_alter_table('desk_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_report_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_closed_at'), ['closed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_department_id'), ['department_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_duplicate_of_id'), ['duplicate_of_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_status'), ['status'], unique=False)
        batch_op.create_index('ix_desk_report_status_created', ['status', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_urgency'), ['urgency'], unique=False)
    op.create_table('desk_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('to_user_id', sa.Integer(), nullable=False),
    sa.Column('by_user_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['by_user_id'], ['user.id'], name=op.f('fk_desk_escalation_by_user_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['desk_report.id'], name=op.f('fk_desk_escalation_report_id_desk_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['to_user_id'], ['user.id'], name=op.f('fk_desk_escalation_to_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_escalation'))
    )
    with op.batch_alter_table('desk_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_escalation_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_escalation_to_user_id'), ['to_user_id'], unique=False)
    op.create_table('desk_internal_note',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_desk_internal_note_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['desk_report.id'], name=op.f('fk_desk_internal_note_report_id_desk_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_internal_note'))
    )
    with op.batch_alter_table('desk_internal_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_internal_note_report_id'), ['report_id'], unique=False)
    op.create_table('desk_report_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('link_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['desk_report.id'], name=op.f('fk_desk_report_link_report_id_desk_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_report_link'))
    )
    with op.batch_alter_table('desk_report_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_report_link_link_key'), ['link_key'], unique=False)
        batch_op.create_index(batch_op.f('ix_desk_report_link_report_id'), ['report_id'], unique=False)
    op.create_table('desk_report_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('from_team', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('author_name', sa.String(length=120), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_desk_report_message_author_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['report_id'], ['desk_report.id'], name=op.f('fk_desk_report_message_report_id_desk_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_report_message'))
    )
    with op.batch_alter_table('desk_report_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_report_message_report_id'), ['report_id'], unique=False)
    op.create_table('desk_report_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['desk_report.id'], name=op.f('fk_desk_report_pause_report_id_desk_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_report_pause'))
    )
    with op.batch_alter_table('desk_report_pause', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_report_pause_report_id'), ['report_id'], unique=False)
    op.create_table('desk_report_screenshot',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('thumbnail', sa.String(length=100), nullable=True),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['desk_report.id'], name=op.f('fk_desk_report_screenshot_report_id_desk_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_desk_report_screenshot'))
    )
    with op.batch_alter_table('desk_report_screenshot', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_desk_report_screenshot_report_id'), ['report_id'], unique=False)



def downgrade():
    with op.batch_alter_table('desk_report_screenshot', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_report_screenshot_report_id'))
    op.drop_table('desk_report_screenshot')
    with op.batch_alter_table('desk_report_pause', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_report_pause_report_id'))
    op.drop_table('desk_report_pause')
    with op.batch_alter_table('desk_report_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_report_message_report_id'))
    op.drop_table('desk_report_message')
    with op.batch_alter_table('desk_report_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_report_link_report_id'))
        batch_op.drop_index(batch_op.f('ix_desk_report_link_link_key'))
    op.drop_table('desk_report_link')
    with op.batch_alter_table('desk_internal_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_internal_note_report_id'))
    op.drop_table('desk_internal_note')
    with op.batch_alter_table('desk_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_escalation_to_user_id'))
        batch_op.drop_index(batch_op.f('ix_desk_escalation_report_id'))
    op.drop_table('desk_escalation')
    with op.batch_alter_table('desk_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_desk_report_urgency'))
        batch_op.drop_index('ix_desk_report_status_created')
        batch_op.drop_index(batch_op.f('ix_desk_report_status'))
        batch_op.drop_index(batch_op.f('ix_desk_report_reporter_id'))
        batch_op.drop_index(batch_op.f('ix_desk_report_duplicate_of_id'))
        batch_op.drop_index(batch_op.f('ix_desk_report_department_id'))
        batch_op.drop_index(batch_op.f('ix_desk_report_created_at'))
        batch_op.drop_index(batch_op.f('ix_desk_report_closed_at'))
        batch_op.drop_index(batch_op.f('ix_desk_report_category'))
        batch_op.drop_index(batch_op.f('ix_desk_report_assignee_id'))
    op.drop_table('desk_report')
    op.drop_table('desk_category_route')
    op.drop_table('desk_canned_reply')

