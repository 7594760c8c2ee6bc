"""Pages people see: Russian by default, English by a switch, figures that trace to rows."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import csrf_of
from unionsync.catalog.template import PROGRAM_COLUMNS


def test_dashboard_is_russian_by_default_and_english_on_request(client: TestClient):
    russian = client.get("/").text
    assert "Импортозамещение в Союзном государстве" in russian
    assert 'lang="ru"' in russian
    switched = client.get("/lang/en?next=/", follow_redirects=False)
    assert switched.status_code == 303 and switched.headers["location"] == "/"
    english = client.get("/").text
    assert "Import substitution in the Union State" in english and 'lang="en"' in english


def test_language_switch_refuses_to_redirect_elsewhere(client: TestClient):
    response = client.get("/lang/en?next=//evil.example", follow_redirects=False)
    assert response.headers["location"] == "/"


def test_dashboard_figures_are_computed_and_link_to_their_rows(client: TestClient):
    page = client.get("/").text
    programs_ru = re.search(r'data-figure="programs-RU">.*?<b>(\d+)</b>', page, re.S)
    assert programs_ru is not None and programs_ru.group(1) == "20"
    listed = client.get("/api/v1/programs", params={"country": "RU"}).json()["total"]
    assert listed == 20
    reconciled = re.search(r'data-figure="passports-reconciled"><b>(\d+)</b>', page)
    assert reconciled is not None and reconciled.group(1) == "12"
    rows = client.get("/passports?stage=reconciled").text
    assert "Найдено: 12" in rows
    assert 'src="/static/vendor/plotly.min.js"' in page
    assert page.count("data-chart-for=") >= 2
    assert "<script>" not in page  # no inline scripts: charts read JSON data blocks


def test_plotly_is_served_from_the_installed_package(client: TestClient):
    response = client.get("/static/vendor/plotly.min.js")
    assert response.status_code == 200 and len(response.content) > 1_000_000


@pytest.mark.parametrize(
    "path",
    [
        "/programs",
        "/items",
        "/enterprises",
        "/capabilities",
        "/passports",
        "/trade",
        "/upload",
        "/programs?country=BY&q=программа",
        "/items?tnved=8482",
        "/trade?reporter=BY&year=2022&critical=1",
    ],
)
def test_list_pages_render(client: TestClient, path: str):
    response = client.get(path)
    assert response.status_code == 200
    assert 'class="empty"' not in response.text  # rows, not an empty-state line


def test_detail_pages_render(client: TestClient):
    program = client.get("/api/v1/programs").json()["items"][0]
    page = client.get(f"/programs/{program['id']}").text
    assert program["title"] in page and "Позиции и потребность по годам" in page
    industry = client.get(f"/api/v1/industries/{program['industry_id']}").json()
    assert industry["name_ru"] in page and industry["name_en"] not in page
    enterprise = client.get("/api/v1/organizations", params={"kind": "enterprise"}).json()
    org = enterprise["items"][0]
    assert org["name"] in client.get(f"/enterprises/{org['id']}").text.replace("&#34;", '"')
    assert "Участники" in client.get("/passports/1").text


def test_unknown_pages_are_html_404s_and_api_404s_are_problems(client: TestClient):
    page = client.get("/programs/999999")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"]
    assert "Не найдено" in page.text
    assert client.get("/no-such-page").status_code == 404


def test_upload_with_a_bad_row_shows_the_error_and_writes_nothing(client: TestClient):
    before = client.get("/api/v1/programs").json()["total"]
    headers = ";".join(c.ru for c in PROGRAM_COLUMNS)
    good = "BY;BY-UP-01;Тест;;machine-tools;2025;2027;1;действует;1;Станок;;8458118000;шт;2026;;;"
    bad = "BY;BY-UP-01;Тест;;machine-tools;2025;2027;1;действует;2;Лошадь;;101210000;шт;2026;;;"
    content = "\n".join([headers, good, bad]).encode("utf-8")
    response = client.post(
        "/upload",
        data={"kind": "programs", "csrf_token": csrf_of(client)},
        files={"file": ("plan.csv", content, "text/csv")},
    )
    assert response.status_code == 422
    assert "upload-errors" in response.text and "потерян ведущий ноль" in response.text
    assert client.get("/api/v1/programs").json()["total"] == before
    fixed = "\n".join([headers, good]).encode("utf-8")
    ok = client.post(
        "/upload",
        data={"kind": "programs", "csrf_token": csrf_of(client)},
        files={"file": ("plan.csv", fixed, "text/csv")},
    )
    assert ok.status_code == 200 and "Файл plan.csv загружен" in ok.text
    assert client.get("/api/v1/programs").json()["total"] == before + 1


def test_upload_of_an_unreadable_file_says_so(client: TestClient):
    response = client.post(
        "/upload",
        data={"kind": "programs", "csrf_token": csrf_of(client)},
        files={"file": ("scan.pdf", b"%PDF-1.4", "application/pdf")},
    )
    assert response.status_code == 422 and "Файл не удалось прочитать" in response.text


def test_template_download_has_the_documented_headers(client: TestClient):
    response = client.get("/templates/programs.xlsx")
    workbook = load_workbook(io.BytesIO(response.content))
    headers = [c.value for c in next(workbook.worksheets[0].iter_rows(max_row=1))]
    assert headers[: len(PROGRAM_COLUMNS)] == [c.ru for c in PROGRAM_COLUMNS]
    assert any(str(h).startswith("Потребность ") for h in headers)


def test_empty_database_renders_without_demo_banner(empty_client: TestClient):
    page = empty_client.get("/").text
    assert "Демонстрационные данные" not in page
    assert "Данных о торговле пока нет" in page


def test_trade_drill_down_sums_to_the_dashboard_figure(client: TestClient):
    totals = client.get("/api/v1/trade/critical-totals").json()
    ru_2022 = next(t for t in totals if t["reporter"] == "RU" and t["year"] == 2022)
    rate = float(ru_2022["rates"][0]["rate"])
    overview = client.get("/").text
    figure = re.search(r'data-figure="trade-RU-2022">.*?<b>([^<]+)</b>', overview, re.S)
    assert figure is not None
    page = client.get("/trade?reporter=RU&year=2022&critical=1").text
    row = page.split('id="total-RU-2022"', 1)[1].split("</tr>", 1)[0]
    assert f"<b>{figure.group(1)}</b>" in row  # the drill-down shows the very figure
    shown = re.search(r'<td class="num">([\d\s\u00a0,]+)\u00a0млн\u00a0USD</td>', row)
    assert shown is not None  # as recorded, with the rate that converts it
    usd_mln = float(re.sub(r"[\s\u00a0]", "", shown.group(1)).replace(",", "."))
    byn_mln = float(ru_2022["total"]["amount"]) / 1e6
    assert abs(usd_mln * rate - byn_mln) < 0.5
    assert "1 USD = " in row
    # unfiltered, the sides and years are listed apart, never added up
    everything = client.get("/trade").text
    assert everything.count('id="total-') == len(totals)


def test_first_run_generates_and_keeps_a_secret_key(tmp_path):
    from unionsync.app import create_app
    from unionsync.config import Settings

    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'x.db'}")
    first = create_app(settings).state.secret_key
    assert (tmp_path / "secret_key").read_text() == first
    assert create_app(settings).state.secret_key == first


def test_nomenclature_browser_tree_search_and_code_page(client: TestClient):
    top = client.get("/nomenclature").text
    assert "Номенклатура" in top and "/nomenclature/tnved/84" in top
    found = client.get("/nomenclature", params={"q": "подшипник"}).text
    assert "/nomenclature/tnved/8482" in found
    page = client.get("/nomenclature/tnved/8482").text
    assert "Подшипники шариковые и роликовые" in page and "8482109008" in page
    assert client.get("/nomenclature/tnved/0000").status_code == 404


def test_code_list_page_checks_codes_and_offers_editing_only_to_its_side(client: TestClient):
    page = client.get("/code-lists/DEMO-CRIT", params={"check": "8482 10 900 8"}).text
    assert 'id="list-verdict"' in page and "входит" in page
    assert "/code-lists/DEMO-CRIT/entries" not in page  # a BY editor does not edit UNION lists
    token = csrf_of(client, "/code-lists/DEMO-CRIT")
    refused = client.post(
        "/code-lists/DEMO-CRIT/entries", data={"written": "8501", "csrf_token": token}
    )
    assert refused.status_code == 403


def test_rows_without_a_code_offer_a_code_search(client: TestClient):
    page = client.get("/capabilities", params={"per_page": 200}).text
    link = re.search(r'href="(/nomenclature/suggest\?q=[^"]+)" class="suggest-link"', page)
    assert link is not None
    found = client.get(link.group(1).replace("&amp;", "&")).text
    assert 'id="suggestions"' in found and "/nomenclature/tnved/" in found
    assert "только по словам" in found  # no meaning index in this test's data folder


def test_upload_by_a_user_who_may_not_import_is_refused_before_the_file_is_read(
    tmp_path: Path, demo_url: str
):
    from tests.conftest import make_settings, sign_in
    from unionsync.app import create_app

    with TestClient(create_app(make_settings(tmp_path, demo_url))) as bank:
        sign_in(bank, "bank-viewer")
        # no CSRF token in the form: the refusal comes before the form (and file) is parsed
        response = bank.post(
            "/upload",
            data={"kind": "programs"},
            files={"file": ("plan.csv", b"x" * 2_000_000, "text/csv")},
        )
    assert response.status_code == 403
    assert client_total_unchanged(demo_url)


def client_total_unchanged(url: str) -> bool:
    from sqlalchemy import func, select

    from unionsync.access.models import AuditEntry
    from unionsync.db.session import make_engine, make_session_factory

    engine = make_engine(url)
    with make_session_factory(engine)() as s:
        imports = s.scalar(
            select(func.count()).select_from(AuditEntry).where(AuditEntry.action.like("import%"))
        )
    engine.dispose()
    return imports == 0


def test_a_program_item_has_its_own_page(client: TestClient):
    item = client.get("/api/v1/program-items", params={"country": "BY", "per_page": 1}).json()
    item = item["items"][0]
    listed = client.get("/items", params={"country": "BY"}).text
    assert f'href="/items/{item["id"]}"' in listed
    page = client.get(f"/items/{item['id']}")
    assert page.status_code == 200 and item["name_ru"] in page.text
    assert 'id="item-demand"' in page.text and f'href="/sync/items/{item["id"]}"' in page.text
    demand = client.get(f"/api/v1/program-items/{item['id']}").json()
    years = [d["year"] for d in demand["demands"]]
    assert years and all(f"<td>{y}</td>" in page.text for y in years)
    assert client.get("/items/999999").status_code == 404
