"""The reporting pages and the office console over HTTP (issue: web console): a department changes one
value of its pre-filled template, sees what changed, comments and submits; the office sees the
change in its queue, approves, publishes; the public task list shows the value with its period;
the round tools, the coverage view, the web form and report generation answer in zh and en."""

from __future__ import annotations

import io
import re
import time

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from carbonpeak.app import create_app
from carbonpeak.settings import Settings

from .conftest import DEPARTMENT, OFFICE, prepare_data


def _csrf(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "no CSRF token on the page"
    return found.group(1)


@pytest.fixture
def site(tmp_path):
    settings = Settings(data_dir=tmp_path, secret_key="test-secret")
    units = prepare_data(settings)
    return settings, units


def _first_task(xlsx: bytes) -> tuple[str, list]:
    book = load_workbook(io.BytesIO(xlsx))
    row = next(r for r in book["任务进展"].iter_rows(min_row=4, values_only=True) if r[0])
    return str(row[0]), list(row)


def _set_task(xlsx: bytes, code: str, status: str, percent: float) -> bytes:
    book = load_workbook(io.BytesIO(xlsx))
    ws = book["任务进展"]
    for row in ws.iter_rows(min_row=4):
        if row[0].value == code:
            row[3].value, row[4].value = status, percent
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _login(c: TestClient, who: tuple[str, str]) -> None:
    c.cookies.clear()
    r = c.post("/login", data={"username": who[0], "password": who[1]}, follow_redirects=False)
    assert r.status_code == 303, r.text


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_department_to_public_page_through_the_console(site, lang):
    settings, _ = site
    with TestClient(create_app(settings)) as c:
        c.cookies.set("lang", lang)
        _login(c, DEPARTMENT)
        page = c.get(f"/reporting?lang={lang}")
        link = re.search(r'href="(/reporting/rounds/(\d+)/template)"', page.text)
        assert link, "no template link"
        round_id = link.group(2)
        xlsx = c.get(link.group(1)).content
        code, _ = _first_task(xlsx)
        changed = _set_task(xlsx, code, "进行中", 95)
        r = c.post(
            f"/reporting/rounds/{round_id}/upload",
            data={"csrf_token": _csrf(page.text)},
            files={"file": ("t.xlsx", changed)},
            follow_redirects=False,
        )
        assert r.status_code == 303 and "/reporting/submissions/" in r.headers["location"], r.text
        detail = c.get(r.headers["location"])
        sub_id = int(re.search(r"/reporting/submissions/(\d+)", r.headers["location"]).group(1))
        model = c.get(f"/reporting/submissions/{sub_id}.json").json()
        # exactly the one changed task: status and percent, against nothing approved before
        assert {(ch["key"], ch["field"], ch["new"]) for ch in model["submission"]["changes"]} == {
            (code, "status", "in_progress"),
            (code, "percent", 95.0),
        }
        assert [v["key"] for v in model["values"]] == [code]
        assert "95" in detail.text and 'name="comment"' in detail.text  # a comment box without warnings too
        assert ("本次变化" if lang == "zh" else "What this version changes") in detail.text

        # the same file again: no new version, and the page says so
        again = c.post(
            f"/reporting/rounds/{round_id}/upload",
            data={"csrf_token": _csrf(page.text)},
            files={"file": ("t.xlsx", changed)},
            follow_redirects=True,
        )
        assert ("未生成新版本" if lang == "zh" else "no new version") in again.text

        r = c.post(
            f"/reporting/submissions/{sub_id}/submit",
            data={"csrf_token": _csrf(detail.text), "comment": "按月调度数", "back": "detail"},
            follow_redirects=True,
        )
        assert r.status_code == 200 and "按月调度数" in r.text

        _login(c, OFFICE)
        console = c.get(f"/reporting?lang={lang}")
        queue = c.get("/reporting.json").json()["review_queue"]
        assert [(q["id"], q["changes"][-1]["new"]) for q in queue if q["id"] == sub_id] == [(sub_id, 95.0)]
        assert f"/reporting/submissions/{sub_id}/file" in console.text
        token = _csrf(console.text)
        # return needs a reason
        r = c.post(f"/reporting/submissions/{sub_id}/return", data={"csrf_token": token, "comment": ""})
        assert c.get(f"/reporting/submissions/{sub_id}.json").json()["submission"]["status"] == "submitted"
        r = c.post(
            f"/reporting/submissions/{sub_id}/approve",
            data={"csrf_token": token, "checked": "on"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        # approved, not published: the public task list does not show it yet
        tasks = c.get("/tasks.json").json()
        assert not any(row.get("percent") == 95.0 for row in _task_rows(tasks))
        r = c.post(
            f"/reporting/submissions/{sub_id}/publish", data={"csrf_token": token}, follow_redirects=False
        )
        assert r.status_code == 303
        rows = [row for row in _task_rows(c.get("/tasks.json").json()) if row.get("code") == code]
        assert rows and rows[0]["percent"] == 95.0 and "2024" in str(rows[0]["period"])


def _task_rows(model: dict) -> list[dict]:
    out = []
    for prog in model.get("programmes", []):
        out.extend(prog.get("tasks", []))
    return out


def test_round_tools_coverage_form_and_reports(site):
    settings, units = site
    with TestClient(create_app(settings)) as c:
        _login(c, OFFICE)
        page = c.get("/reporting")
        token = _csrf(page.text)
        round_id = c.get("/reporting.json").json()["rounds"][0]["id"]
        assert (
            c.post(
                f"/reporting/rounds/{round_id}/extend", data={"csrf_token": token, "due_date": "2031-04-30"}
            ).status_code
            == 200
        )
        assert c.get("/reporting.json").json()["rounds"][0]["due_date"] == "2031-04-30"
        c.post(f"/reporting/rounds/{round_id}/remind", data={"csrf_token": token})
        cover = c.get(f"/reporting/rounds/{round_id}.json").json()
        assert [u["unit_code"] for u in cover["units"]] == [units["department_unit"]]
        assert cover["units"][0]["status"] == "none" and cover["units"][0]["reminded"]
        assert "未报送" in c.get(f"/reporting/rounds/{round_id}").text

        # a report from the console: progress, then the file
        r = c.post(
            "/reporting/reports",
            data={"csrf_token": token, "kind": "dispatch", "year": "2024", "lang": "zh", "format": "xlsx"},
            follow_redirects=False,
        )
        assert r.status_code == 303
        job = int(re.search(r"job=(\d+)", r.headers["location"]).group(1))
        deadline = time.monotonic() + 120
        while (state := c.get(f"/reporting/reports/{job}?format=json").json())["state"] == "running":
            assert time.monotonic() < deadline
            time.sleep(0.5)
        assert state["state"] == "done", state
        file = c.get(f"/reporting/reports/{job}/file")
        assert file.status_code == 200 and file.content[:2] == b"PK"

        # the department: a round it reminds, the web form for one task
        _login(c, DEPARTMENT)
        page = c.get("/reporting")
        assert "双碳办已催报" in page.text
        form = c.get(f"/reporting/rounds/{round_id}/form")
        row = re.search(r'<option value="(task:[^"]+)"', form.text).group(1)
        form = c.get(f"/reporting/rounds/{round_id}/form?row={row}")
        r = c.post(
            f"/reporting/rounds/{round_id}/form",
            data={
                "csrf_token": _csrf(form.text),
                "row": row,
                "status": "进行中",
                "percent": "30",
                "narrative": "在线",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        sub = c.get(r.headers["location"].split("?")[0] + ".json").json()
        assert {(ch["field"], ch["new"]) for ch in sub["submission"]["changes"]} == {
            ("status", "in_progress"),
            ("percent", 30.0),
            ("narrative", "在线"),
        }
        # a wrong value in the form: the same rules, the form again with the problem
        r = c.post(
            f"/reporting/rounds/{round_id}/form",
            data={"csrf_token": _csrf(form.text), "row": row, "status": "已完成", "percent": "30"},
        )
        assert r.status_code == 200 and "error-card" in r.text


def test_a_unit_in_no_round_is_told_why(site):
    settings, _ = site
    from carbonpeak.services.users import create_user
    from carbonpeak.store.db import Database

    db = Database.from_settings(settings)
    with db.session() as s:
        create_user(
            s, username="district", password="district-password-1", role="district", unit_code="lixia"
        )
        s.commit()
    db.dispose()
    with TestClient(create_app(settings)) as c:
        for lang, words in (("zh", "不在任何填报轮次中"), ("en", "is in no reporting round")):
            _login(c, ("district", "district-password-1"))
            page = c.get(f"/reporting?lang={lang}")
            assert words in page.text
            assert "/template" not in page.text


def test_office_opens_a_round_for_the_districts_and_a_district_gets_its_template(site):
    settings, _ = site
    from carbonpeak.services.users import create_user
    from carbonpeak.store.db import Database

    db = Database.from_settings(settings)
    with db.session() as s:
        create_user(
            s, username="district", password="district-password-1", role="district", unit_code="lixia"
        )
        s.commit()
    db.dispose()
    with TestClient(create_app(settings)) as c:
        _login(c, OFFICE)
        page = c.get("/reporting")
        r = c.post(
            "/reporting/rounds",
            data={
                "csrf_token": _csrf(page.text),
                "period": "2025",
                "title": "2025年度区县填报",
                "due_date": "2031-03-31",
                "templates": ["task", "project"],
                "units": "districts",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        new = next(x for x in c.get("/reporting.json").json()["rounds"] if x["period"] == "2025")
        cover = c.get(f"/reporting/rounds/{new['id']}.json").json()["units"]
        assert "lixia" in {u["unit_code"] for u in cover} and len(cover) == 16  # the 16 district governments
        _login(c, ("district", "district-password-1"))
        page = c.get("/reporting")
        assert "不在任何填报轮次中" not in page.text
        link = re.search(r'href="(/reporting/rounds/\d+/template)"', page.text).group(1)
        template = c.get(link)
        assert template.status_code == 200 and template.content[:2] == b"PK"
        assert "任务进展" in load_workbook(io.BytesIO(template.content)).sheetnames


def test_a_unit_the_plan_names_for_no_row_of_a_round_is_told_so(site):
    """The education bureau in a round of indicators only: the plan makes it responsible for no
    target indicator, so no template link (never a link that fails) and a sentence saying why."""
    import datetime as dt

    settings, _ = site
    from carbonpeak.services import rounds
    from carbonpeak.services.users import create_user
    from carbonpeak.store.db import Database
    from carbonpeak.store.models import User

    db = Database.from_settings(settings)
    with db.session() as s:
        create_user(
            s, username="edu", password="education-password-1", role="department", unit_code="education"
        )
        office = s.query(User).filter_by(username=OFFICE[0]).one()
        rnd = rounds.open_round(
            s, office, period="2025", title="2025", due_date=dt.date(2031, 1, 1), templates=["indicator"]
        )
        round_id = rnd.id
        s.commit()
    db.dispose()
    with TestClient(create_app(settings)) as c:
        _login(c, ("edu", "education-password-1"))
        for lang, words in (("zh", "本轮次无需填报"), ("en", "nothing to report in this round")):
            page = c.get(f"/reporting?lang={lang}")
            assert words in page.text
            assert f"/reporting/rounds/{round_id}/template" not in page.text
        assert c.get(f"/reporting/rounds/{round_id}/template").status_code == 404
