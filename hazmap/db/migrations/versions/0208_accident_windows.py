"""registry accident counts in the guide's other windows: 三年内重大事故 (major_accidents_3y) and
近一年内亡人事故 (fatal_accidents_1y), so the direct-red conditions of 应急〔2018〕19号 "三年内发生过重大
事故" and "一年内发生两起及以上亡人事故" can be evaluated from the registry; the 双随机 draw's inputs from
the registry: 信用等级 (credit_class, a stratum) and 回避部门 (recused_departments) (issue 12)

Revision ID: 0208
Revises: 0207
"""
from alembic import op
import sqlalchemy as sa

revision = "0208"
down_revision = "0207"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("enterprise", sa.Column("major_accidents_3y", sa.Integer()))
    op.add_column("enterprise", sa.Column("fatal_accidents_1y", sa.Integer()))
    op.add_column("enterprise", sa.Column("credit_class", sa.Text()))
    op.add_column("enterprise", sa.Column("recused_departments", sa.ARRAY(sa.Text())))


def downgrade() -> None:
    op.drop_column("enterprise", "recused_departments")
    op.drop_column("enterprise", "credit_class")
    op.drop_column("enterprise", "fatal_accidents_1y")
    op.drop_column("enterprise", "major_accidents_3y")
