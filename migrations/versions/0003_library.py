"""content library, share links, clicks, crisis pause

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('content_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=120), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=False),
    sa.Column('topics', sa.String(length=400), nullable=False),
    sa.Column('language', sa.String(length=5), nullable=False),
    sa.Column('audience_languages', sa.String(length=60), nullable=False),
    sa.Column('caption_linkedin', sa.Text(), nullable=False),
    sa.Column('caption_x', sa.Text(), nullable=False),
    sa.Column('caption_facebook', sa.Text(), nullable=False),
    sa.Column('image_name', sa.String(length=100), nullable=True),
    sa.Column('image_thumb', sa.String(length=100), nullable=True),
    sa.Column('publish_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('source_path', sa.String(length=300), nullable=True),
    sa.Column('content_hash', sa.String(length=64), nullable=True),
    sa.Column('credit', sa.String(length=300), nullable=False),
    sa.Column('suggested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('archived_by_id', sa.Integer(), nullable=True),
    sa.Column('archived_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['archived_by_id'], ['user.id'], name=op.f('fk_content_item_archived_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_content_item_created_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_content_item_published_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('fk_content_item_submitted_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['user.id'], name=op.f('fk_content_item_suggested_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_content_item_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_item')),
    sa.UniqueConstraint('slug', name=op.f('uq_content_item_slug'))
    )
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_item_status'), ['status'], unique=False)

    op.create_table('library_preference',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.Boolean(), nullable=False),
    sa.Column('leaderboard', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_library_preference_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', name=op.f('pk_library_preference'))
    )
    op.create_table('sharing_pause',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('paused_by_id', sa.Integer(), nullable=True),
    sa.Column('paused_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resumed_by_id', sa.Integer(), nullable=True),
    sa.Column('resumed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['paused_by_id'], ['user.id'], name=op.f('fk_sharing_pause_paused_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resumed_by_id'], ['user.id'], name=op.f('fk_sharing_pause_resumed_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sharing_pause'))
    )
    op.create_table('content_item_department',
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('department_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['department_id'], ['department.id'], name=op.f('fk_content_item_department_department_id_department'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_content_item_department_item_id_content_item'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('item_id', 'department_id', name=op.f('pk_content_item_department'))
    )
    with op.batch_alter_table('content_item_department', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_item_department_department_id'), ['department_id'], unique=False)

    op.create_table('content_suggestion',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('link', sa.String(length=1000), nullable=False),
    sa.Column('why', sa.Text(), nullable=False),
    sa.Column('caption', sa.Text(), nullable=False),
    sa.Column('suggested_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_content_suggestion_item_id_content_item'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_content_suggestion_reviewed_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['suggested_by_id'], ['user.id'], name=op.f('fk_content_suggestion_suggested_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_content_suggestion'))
    )
    with op.batch_alter_table('content_suggestion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_content_suggestion_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_content_suggestion_suggested_by_id'), ['suggested_by_id'], unique=False)

    op.create_table('share_link',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_share_link_item_id_content_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_share_link_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_link')),
    sa.UniqueConstraint('code', name=op.f('uq_share_link_code')),
    sa.UniqueConstraint('user_id', 'item_id', 'network', name=op.f('uq_share_link_user_id_item_id_network'))
    )
    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_link_item_id'), ['item_id'], unique=False)

    op.create_table('click',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_link_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('referrer_host', sa.String(length=255), nullable=True),
    sa.Column('is_bot', sa.Boolean(), nullable=False),
    sa.Column('visitor_key', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_click_item_id_content_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['share_link_id'], ['share_link.id'], name=op.f('fk_click_share_link_id_share_link'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_click'))
    )
    with op.batch_alter_table('click', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_click_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_click_occurred_at'), ['occurred_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_click_share_link_id'), ['share_link_id'], unique=False)

    op.create_table('share_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('share_link_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('network', sa.String(length=16), nullable=False),
    sa.Column('personalised', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['content_item.id'], name=op.f('fk_share_event_item_id_content_item'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['share_link_id'], ['share_link.id'], name=op.f('fk_share_event_share_link_id_share_link'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_share_event_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_share_event'))
    )
    with op.batch_alter_table('share_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_share_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_event_item_id'), ['item_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_event_share_link_id'), ['share_link_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_share_event_user_id'), ['user_id'], unique=False)



def downgrade():
    with op.batch_alter_table('share_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_event_user_id'))
        batch_op.drop_index(batch_op.f('ix_share_event_share_link_id'))
        batch_op.drop_index(batch_op.f('ix_share_event_item_id'))
        batch_op.drop_index(batch_op.f('ix_share_event_created_at'))

    op.drop_table('share_event')
    with op.batch_alter_table('click', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_click_share_link_id'))
        batch_op.drop_index(batch_op.f('ix_click_occurred_at'))
        batch_op.drop_index(batch_op.f('ix_click_item_id'))

    op.drop_table('click')
    with op.batch_alter_table('share_link', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_share_link_item_id'))

    op.drop_table('share_link')
    with op.batch_alter_table('content_suggestion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_suggestion_suggested_by_id'))
        batch_op.drop_index(batch_op.f('ix_content_suggestion_status'))

    op.drop_table('content_suggestion')
    with op.batch_alter_table('content_item_department', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_item_department_department_id'))

    op.drop_table('content_item_department')
    op.drop_table('sharing_pause')
    op.drop_table('library_preference')
    with op.batch_alter_table('content_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_content_item_status'))

    op.drop_table('content_item')
