"""run_roster: what each run graded, kept after an enterprise is removed (changes between any two runs)

Revision ID: 0104
Revises: 0103
"""
from alembic import op
import sqlalchemy as sa

revision = "0104"
down_revision = "0103"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "run_roster",
        sa.Column("run_id", sa.Integer(), sa.ForeignKey("run.id", ondelete="CASCADE"), primary_key=True),
        sa.Column("enterprise_id", sa.Integer(), primary_key=True),
        sa.Column("credit_code", sa.String(18), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("town", sa.Text()),
        sa.Column("risk_color", sa.String(8)),
        sa.Column("risk_score", sa.Float()),
        sa.Column("major_hazard_grade", sa.Integer()),
        sa.Column("conflicts", sa.Integer(), nullable=False, server_default="0"),
    )
    op.create_index("ix_run_roster_credit_code", "run_roster", ["run_id", "credit_code"])
    # existing runs: their results as they stand (enterprises already removed cannot be recovered)
    op.execute("""
        insert into run_roster (run_id, enterprise_id, credit_code, name, town, risk_color, risk_score,
                                major_hazard_grade, conflicts)
        select er.run_id, e.id, e.credit_code, e.name, a.name, er.risk_color, er.risk_score, er.major_hazard_grade,
               (select count(*) from conflict c where c.run_id = er.run_id and c.enterprise_id = e.id)
        from enterprise_risk er join enterprise e on e.id = er.enterprise_id
        left join admin_area a on a.code = e.town_code""")


def downgrade() -> None:
    op.drop_index("ix_run_roster_credit_code", table_name="run_roster")
    op.drop_table("run_roster")
