"""The weekly digest (issue 17, docs/DIGEST.md): `python -m pie digest --send` delivers each demo
account its digest to a local SMTP server (aiosmtpd on loopback) — to its e-mail, in its
language, in its scope only, with no personal data; `--preview` writes files; `--user` one
account; a refused recipient fails that account only. One figure is counted by hand."""
from __future__ import annotations

import re
import shutil
import socket
from datetime import date
from email import message_from_bytes, policy

import duckdb
import pytest

from conftest import run_cli
from pie import auth, db, i18n
from pie.digest import content, render
from pie.programme import figures as programme
from pie.scope import Scope

aiosmtpd_controller = pytest.importorskip("aiosmtpd.controller")

# account -> (e-mail, language): the three languages spread over the seven demo accounts
ACCOUNTS = {
    "admin": ("admin@ofppt.example", "fr"), "manager": ("manager@ofppt.example", "en"),
    "leadership": ("direction@ofppt.example", "ar"), "boa": ("pie@boa.example", "ar"),
    "cam": ("pie@cam.example", "fr"), "mcise": ("pie@mcise.example", "en"), "cmc09": ("cmc09@ofppt.example", "fr"),
}
REFUSED = "refuse@nowhere.example"
# a word each language's digest holds: the "This week" section title
THIS_WEEK = {"fr": "Cette semaine", "ar": "هذا الأسبوع", "en": "This week"}
PHONE = re.compile(r"\+212\d{9}|\b0[5-7]\d{8}\b")


class Collector:
    """An aiosmtpd handler keeping every message it accepts; it refuses REFUSED."""

    def __init__(self):
        self.messages = []

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address == REFUSED:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), message_from_bytes(envelope.content, policy=policy.default)))
        return "250 Message accepted"


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """A small demo (300 participants) whose accounts have an e-mail and a language."""
    path = tmp_path_factory.mktemp("digest") / "pie.duckdb"
    result = run_cli("demo", "--participants", "300", "--seed", "1", "--db", str(path))
    assert result.returncode == 0, result.stderr
    for name, (email, language) in ACCOUNTS.items():
        auth.set_email(path, name, email)
        auth.set_language(path, name, language)
    return path


@pytest.fixture
def demo_copy(demo, tmp_path):
    """A private copy of the demo (with its accounts store) that the test may change."""
    shutil.copytree(demo.parent, tmp_path / "db")
    return tmp_path / "db" / demo.name


@pytest.fixture
def smtp(monkeypatch):
    """A local SMTP server on a free loopback port, and the PIE_SMTP_* settings pointing at it."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Collector()
    controller = aiosmtpd_controller.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv("PIE_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("PIE_SMTP_PORT", str(port))
    monkeypatch.setenv("PIE_SMTP_FROM", "pie@ofppt.example")
    monkeypatch.setenv("PIE_SMTP_STARTTLS", "0")
    monkeypatch.setenv("PIE_PUBLIC_URL", "https://pie.ofppt.example")
    for name in ("PIE_SMTP_USER", "PIE_SMTP_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield handler
    controller.stop()


def _parts(message) -> str:
    """The subject, the plain text and the HTML of a message, as one text."""
    return "\n".join([message["Subject"], message.get_body(("plain",)).get_content(),
                      message.get_body(("html",)).get_content()])


def _names(path, sql: str) -> set[str]:
    with duckdb.connect(str(path), read_only=True) as con:
        return {row[0] for row in con.execute(sql).fetchall() if row[0]}


def test_send_delivers_each_account_its_digest_in_its_language_and_scope(demo, smtp):
    """Test that --send delivers one message per account to its e-mail, in its language (the
    Content-Language header, <html lang>, a translated word, the subject), each in its own
    scope: no other bank, incubator or establishment named, and no phone, national id or name
    of a participant in any."""
    result = run_cli("digest", "--send", "--db", str(demo))
    assert result.returncode == 0, result.stderr
    by_recipient = {tuple(rcpt): message for rcpt, message in smtp.messages}
    assert sorted(by_recipient) == sorted((email,) for email, _ in ACCOUNTS.values())

    week_end = programme.reference_date(db.reader(demo), Scope())
    with duckdb.connect(str(demo), read_only=True) as con:
        establishment_of = dict(con.execute("select establishment_id, name from establishments").fetchall())
    incubators = _names(demo, "select distinct incubator from incubation_stages")
    banks = _names(demo, "select distinct bank from financing_decisions")
    assert {"BOA", "CAM"} <= banks and "MCISE" in incubators and len(incubators) >= 2  # DESIGN.md demo
    personal = _names(demo, "select full_name from participant_contacts") | \
        _names(demo, "select national_id from participant_contacts")
    users = {user["user_name"]: user for user in auth.list_users(demo)}

    for name, (email, language) in ACCOUNTS.items():
        message = by_recipient[(email,)]
        assert message["To"] == email
        assert message["Content-Language"] == language
        html = message.get_body(("html",)).get_content()
        assert f'<html lang="{language}" dir="{"rtl" if language == "ar" else "ltr"}">' in html
        assert message["Subject"] == i18n.t("digest.subject", language, date=i18n.fmt_date(week_end, language))
        text = _parts(message)
        assert THIS_WEEK[language] in text
        assert "https://pie.ofppt.example/" in text
        assert PHONE.search(text) is None, name
        assert not [value for value in personal if re.search(rf"\b{re.escape(value)}\b", text)], name

        scope_code = users[name]["scope_code"]
        role = users[name]["role"]
        if role == "bank":
            for other in banks - {scope_code}:
                names = {other} | {i18n.bank_name(other, lang) for lang in i18n.LANGUAGES}
                assert not [n for n in names if n in text], (name, other)
            assert i18n.bank_name(scope_code, language) in text
        if role == "incubator":
            assert not [other for other in incubators - {scope_code} if other in text], name
        if role == "establishment":
            own = establishment_of[scope_code]
            others = {other for code, other in establishment_of.items() if code != scope_code and other not in own}
            assert not [other for other in others if other in text], name
            assert own in text


def test_an_account_without_email_is_skipped_and_listed(demo_copy, smtp):
    """Test that --send skips an account without e-mail, names it on stderr and still exits 0."""
    auth.set_email(demo_copy, "cam", None)
    result = run_cli("digest", "--send", "--db", str(demo_copy))
    assert result.returncode == 0, result.stderr
    assert "cam" in result.stderr
    assert len(smtp.messages) == len(ACCOUNTS) - 1
    assert ["pie@cam.example"] not in [rcpt for rcpt, _ in smtp.messages]


def test_one_refused_recipient_fails_only_that_account(demo_copy, smtp):
    """Test that a recipient the server refuses fails that account (exit 1, named on stderr)
    while every other account is still delivered."""
    auth.set_email(demo_copy, "mcise", REFUSED)
    result = run_cli("digest", "--send", "--db", str(demo_copy))
    assert result.returncode == 1
    assert "mcise" in result.stderr and "550" in result.stderr
    assert len(smtp.messages) == len(ACCOUNTS) - 1
    assert sorted(rcpt[0] for rcpt, _ in smtp.messages) == sorted(
        email for name, (email, _) in ACCOUNTS.items() if name != "mcise")


def test_user_sends_only_that_account(demo, smtp):
    """Test that --user NAME sends that account's digest only; an unknown name is refused."""
    result = run_cli("digest", "--send", "--user", "boa", "--db", str(demo))
    assert result.returncode == 0, result.stderr
    assert [rcpt for rcpt, _ in smtp.messages] == [["pie@boa.example"]]
    refused = run_cli("digest", "--send", "--user", "nobody", "--db", str(demo))
    assert refused.returncode == 1 and "nobody" in refused.stderr
    assert len(smtp.messages) == 1


def test_send_without_smtp_server_is_refused(demo, monkeypatch):
    """Test that --send without PIE_SMTP_HOST says so and exits 1."""
    monkeypatch.delenv("PIE_SMTP_HOST", raising=False)
    result = run_cli("digest", "--send", "--db", str(demo), "--lang", "en")
    assert result.returncode == 1
    assert "PIE_SMTP_HOST" in result.stderr


def test_preview_writes_one_html_file_per_account(demo_copy, tmp_path, monkeypatch):
    """Test that --preview writes DIR/<user>.html for every account, those without e-mail too,
    and without PIE_PUBLIC_URL the mail has no link and says why."""
    monkeypatch.delenv("PIE_PUBLIC_URL", raising=False)
    auth.set_email(demo_copy, "cam", None)
    out = tmp_path / "preview"
    result = run_cli("digest", "--preview", str(out), "--db", str(demo_copy))
    assert result.returncode == 0, result.stderr
    assert sorted(path.name for path in out.iterdir()) == sorted(f"{name}.html" for name in ACCOUNTS)
    cam = (out / "cam.html").read_text(encoding="utf-8")
    assert "href=" not in cam and "PIE_PUBLIC_URL" in cam
    one = run_cli("digest", "--preview", str(tmp_path / "one"), "--user", "cmc09", "--db", str(demo_copy))
    assert one.returncode == 0 and [p.name for p in (tmp_path / "one").iterdir()] == ["cmc09.html"]


def test_mode_is_required(demo):
    """Test that digest without --preview or --send is a usage error (CLI.md)."""
    assert run_cli("digest", "--db", str(demo)).returncode == 2


def test_participants_this_week_counted_by_hand(small_db):
    """Test the week's change on the small programme: week ending 2022-10-09 (3 → 9 October)
    holds P05, P06 (enrolled 3 October) and P07 (4 October): 7 participants, +3."""
    changes = content.weekly_changes(db.reader(small_db), Scope(), ("participants",), date(2022, 10, 9))
    assert changes == [content.Change("participants", 7, 3)]


def test_every_value_is_html_escaped():
    """Test that a value reaching the mail (an incubator's name) is escaped in the HTML part."""
    account = content.Account("inc", "incubator", "<b>Inc</b>", "a@b.example", "en")
    data = content.DigestData(account, date(2026, 1, 5), date(2026, 1, 11), "<b>Inc</b>",
                              changes=[content.Change("projects_incubated", 4, 1)], home_page="incubation")
    rendered = render.render(data, base_url="")
    assert "<b>Inc</b>" not in rendered.html and "&lt;b&gt;Inc&lt;/b&gt;" in rendered.html
    assert "<b>Inc</b>" in rendered.text  # plain text is not HTML
    assert "+1" in rendered.html and "href=" not in rendered.html


def test_users_language_sets_the_digest_language(demo_copy):
    """Test `users language NAME fr|ar|en` (README's extension of CLI.md) and its refusals."""
    assert run_cli("users", "language", "cam", "en", "--db", str(demo_copy)).returncode == 0
    assert {u["user_name"]: u["language"] for u in auth.list_users(demo_copy)}["cam"] == "en"
    assert run_cli("users", "language", "cam", "de", "--db", str(demo_copy)).returncode == 1
    assert run_cli("users", "language", "cam", "--db", str(demo_copy)).returncode == 2


def test_a_password_is_never_sent_without_starttls(demo, smtp, monkeypatch):
    """Test that with a login configured and STARTTLS asked (the default), a server offering no
    STARTTLS gets no password and no message: the account fails, exit 1."""
    monkeypatch.delenv("PIE_SMTP_STARTTLS")
    monkeypatch.setenv("PIE_SMTP_USER", "pie")
    monkeypatch.setenv("PIE_SMTP_PASSWORD", "secret-password")
    result = run_cli("digest", "--send", "--user", "admin", "--db", str(demo), "--lang", "en")
    assert result.returncode == 1
    assert "STARTTLS" in result.stderr and "secret-password" not in result.stderr
    assert smtp.messages == []


def test_who_stalled_counted_by_hand(small_db, monkeypatch):
    """Test "who stalled" on the small programme. Phases in progress: P06's immersion (last
    activity 25/01/2023, its start) and P09's fundamentals (last activity 07/11/2022). On
    01/03/2023 both are on the call list (35 and 114 days idle, 30 to 365), and P06 crossed the
    30 days this week (35 < 37): (1, 2). A week later P06 is no longer new: (0, 2)."""
    monkeypatch.delenv("PIE_LOST_CONTACT_DAYS", raising=False)
    reader = db.reader(small_db)
    assert content.stalled_counts(reader, Scope(), date(2023, 3, 1)) == (1, 2)
    assert content.stalled_counts(reader, Scope(), date(2023, 3, 8)) == (0, 2)


def test_partners_are_told_when_their_next_report_is_due(demo_copy, tmp_path, monkeypatch):
    """Test that a partner's digest (boa, a bank: due on the 10th by default) says when its next
    report is due — on 20/11/2026, the 10th of December, as the reporting calendar says — and that a
    manager's and leadership's, who report nothing, do not."""
    from datetime import date

    from pie import db, i18n
    from pie.digest import content
    from pie.reporting import figures as reporting

    out = tmp_path / "preview"
    assert run_cli("digest", "--preview", str(out), "--db", str(demo_copy)).returncode == 0
    source = db.reader(demo_copy)
    boa = content.Account("boa", "bank", "BOA", None, "ar")
    due = content.next_report_due(source, demo_copy, boa)   # today's (the CLI's) answer
    assert due is not None
    assert i18n.t("digest.waiting.next_report", "ar", date=i18n.fmt_date(due, "ar")) in \
        (out / "boa.html").read_text(encoding="utf-8")
    manager = content.Account("manager", "manager", None, None, "fr")
    assert content.next_report_due(source, demo_copy, manager) is None
    assert content.next_report_due(source, demo_copy, content.Account("leadership", "leadership", None, None, "fr")) is None
    monkeypatch.setattr(reporting, "today", lambda: date(2026, 11, 20))
    assert content.next_report_due(source, demo_copy, boa) == date(2026, 12, 10)
