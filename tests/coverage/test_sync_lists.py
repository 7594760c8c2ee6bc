"""The synchronisation page's long lists: a short page with counts that open filtered, sorted and
paged lists, whose figures are the summary's figures over the rows behind them."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from unionsync.coverage.views import LIST_PER_PAGE, PREVIEW


def _rows(page: str) -> list[str]:
    body = page.split('id="sync-list"', 1)[1].split("</table>", 1)[0]
    return re.findall(r'<tr id="line-(\d+)"', body)


def _total_found(page: str) -> int:
    found = re.search(r"Найдено: ([\d\s\u00a0]+)<", page)
    assert found is not None
    return int(re.sub(r"\D", "", found.group(1)))


def test_the_page_shows_a_preview_and_links_every_count_to_its_list(client: TestClient):
    report = client.get("/api/v1/sync").json()
    page = client.get("/sync").text
    gaps = page.split('id="sync-gaps"', 1)[1].split("</table>", 1)[0]
    assert len(re.findall(r'<tr id="gap-', gaps)) == min(PREVIEW, len(report["gaps"]))
    assert len(report["gaps"]) > PREVIEW  # the demo has more than fit
    assert f"Показать все ({len(report['gaps'])})" in page
    assert 'href="/sync/gaps"' in page and 'href="/sync/overlaps"' in page
    # every count in the summary opens its list, filtered to the industry of its row
    industry = report["coverage"][0]["industry_id"]
    summary = page.split('id="sync-summary"', 1)[1].split("</table>", 1)[0]
    assert 'href="/sync/items?country=BY"' in summary and 'href="/sync/items?country=RU"' in summary
    assert re.search(r'href="/sync/gaps\?industry=\d+"', summary)
    assert re.search(r'href="/sync/items\?country=BY&amp;industry=\d+"', summary)
    assert f"industry={industry}" in summary


def test_a_list_has_every_row_of_its_section_across_pages(client: TestClient):
    report = client.get("/api/v1/sync").json()
    first = client.get("/sync/gaps").text
    assert _total_found(first) == len(report["gaps"])
    ids = _rows(first)
    assert len(ids) == min(LIST_PER_PAGE, len(report["gaps"]))
    page = 2
    while len(ids) < len(report["gaps"]):
        more = _rows(client.get("/sync/gaps", params={"page": page}).text)
        assert more, f"page {page} is empty before every gap was listed"
        ids += more
        page += 1
    assert sorted(map(int, ids)) == sorted(g["item"]["item_id"] for g in report["gaps"])


def test_the_share_behind_a_summary_figure_is_that_figure(client: TestClient):
    page = client.get("/sync").text
    total_row = page.split('class="total"', 1)[1].split("</tr>", 1)[0]
    shown = re.findall(r'href="/sync/items\?country=(BY|RU)">([^<]+)</a>', total_row)
    assert [c for c, _ in shown] == ["BY", "BY", "RU", "RU"]  # by quantity, by value, twice
    for country, quantity, value in (
        ("BY", shown[0][1], shown[1][1]),
        ("RU", shown[2][1], shown[3][1]),
    ):
        listed = client.get("/sync/items", params={"country": country}).text
        shares = listed.split('id="sync-list-shares"', 1)[1].split("</p>", 1)[0]
        assert f"{quantity} по количеству" in shares
        assert f"{value} по стоимости" in shares


def test_filters_and_sorting(client: TestClient):
    everything = _total_found(client.get("/sync/items").text)
    by_country = {
        country: client.get("/sync/items", params={"country": country}).text
        for country in ("BY", "RU")
    }
    assert sum(map(_total_found, by_country.values())) == everything > 0
    body = by_country["RU"].split('id="sync-list"', 1)[1].split("</table>", 1)[0]
    assert "flag-by" not in body and "flag-ru" in body
    by_verdict = [
        _total_found(client.get("/sync/items", params={"verdict": v}).text)
        for v in ("fully", "partly", "not")
    ]
    assert sum(by_verdict) == everything
    by_value = client.get("/sync/gaps", params={"sort": "-value"}).text
    values = re.findall(
        r'<td class="num nowrap">([\d\s\u00a0,—]+)</td>\s*<td class="nowrap">',
        by_value.split('id="sync-list"', 1)[1],
    )
    amounts = [
        float(v.replace("\u00a0", "").replace(" ", "").replace(",", "."))
        for v in values
        if v != "—"
    ]
    assert amounts and amounts == sorted(amounts, reverse=True)
    assert 'aria-sort="descending"' in by_value
    # a search narrows the list to items whose name, program or code holds the text
    some = client.get("/api/v1/sync").json()["gaps"][-1]["item"]
    found = client.get("/sync/gaps", params={"q": some["name"][:12]}).text
    assert some["name"] in found and _total_found(found) >= 1
    conflicts = client.get("/sync/overlaps", params={"conflict": "1"}).text
    overlaps = client.get("/api/v1/sync").json()["overlaps"]
    assert _total_found(conflicts) == sum(o["timing_conflict"] for o in overlaps) > 0


def test_bad_filters_are_named_not_ignored(client: TestClient):
    answer = client.get("/sync/items", params={"country": "KZ", "industry": "abc"})
    assert answer.status_code == 422
    assert "Страна" in answer.text and "должна быть BY или RU" in answer.text
    assert "Отрасль" in answer.text and "целым числом" in answer.text
    unknown = client.get("/sync/gaps", params={"sort": "price"})
    assert unknown.status_code == 422 and "program, name, code" in unknown.text
    assert client.get("/sync/overlaps", params={"page": "0"}).status_code == 422


def test_the_report_pdf_says_when_and_what_and_repeats_its_headers(client: TestClient):
    from datetime import UTC, datetime

    from unionsync.access.policy import SYSTEM
    from unionsync.core.typst_pdf import compile_pdf
    from unionsync.coverage.report import typst_source
    from unionsync.coverage.sync import SyncReport, synchronise

    factory = client.app.state.session_factory
    with factory() as session:
        built: SyncReport = synchronise(session, SYSTEM)
    source = typst_source(built, {}, "Синхронизация", datetime(2026, 12, 4, 9, 30, tzinfo=UTC))
    assert "Сформировано 04.12.2026 09:30 UTC" in source and "counter(page)" in source
    assert "Спрос — сумма за все годы программы" in source  # what «Спрос» means, said
    assert source.count("table.header(") >= 2 and "[*Спрос за все годы*]" in source
    assert "#set table.cell(breakable: false)" in source
    assert compile_pdf(source).startswith(b"%PDF")
