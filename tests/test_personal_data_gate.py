"""Contact details are reached only through the scope macros, which gate them on the scope's
personal-data permission (queries/scope/macros.sql: scoped_contacts, scoped_project_leads)."""
from __future__ import annotations

from pie import db, queries
from pie.config import QUERIES_DIR
from pie.scope import Scope


def test_no_query_reads_the_contacts_table():
    """Test that no named query reads participant_contacts except through the scope macros."""
    readers = [name for name in queries.names() if "participant_contacts" in queries.sql(name)]
    assert readers == []
    assert "participant_contacts" in (QUERIES_DIR / "scope" / "macros.sql").read_text(encoding="utf-8")


def test_the_macros_return_contacts_only_with_personal_data(small_db):
    """Test that scoped_contacts has no row and scoped_project_leads no contact without the permission."""
    con = db.reader(small_db).connection()
    for role, allowed in (("manager", True), ("leadership", False)):
        values = Scope.for_role(role).parameters()
        assert values["personal_data"] is allowed
        with con.cursor() as cur:
            contacts = cur.execute("select count(*) from scoped_contacts($academic_year, $region, $establishment, "
                                   "$bank, $incubator, $personal_data, (select list(participant_id) from participants))",
                                   values).fetchone()[0]
            leads = cur.execute("select count(*), count(lead_id), count(lead_name) from scoped_project_leads("
                                "$academic_year, $region, $establishment, $bank, $incubator, $personal_data, "
                                "(select list(project_id) from projects))",
                                values).fetchone()
        assert (contacts > 0) is allowed
        assert leads[0] == leads[1] > 0 and (leads[2] > 0) is allowed
