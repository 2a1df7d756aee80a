"""End to end in Debian's Chromium (Playwright, headless) against uvicorn serving the demo.

Takes the screenshots in docs/screenshots/ (overwritten on each run) and runs axe-core on the
pages. Skipped, with the reason, where /usr/bin/chromium is missing and CI is not set; in CI
they always run (.ci/run installs chromium and fonts-noto-cjk).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from renkei.api.app import build_catalog
from renkei.config import Settings
from renkei.demo import loader
from tests.conftest import free_port, serving

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}
EDITOR = ("demo-editor", "demo-editor-password")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="no /usr/bin/chromium (apt-get install chromium fonts-noto-cjk); runs in CI",
)


@dataclass
class DemoNode:
    url: str


@pytest.fixture(scope="module")
def demo_node(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DemoNode]:
    """The demo catalog served by a real uvicorn on 127.0.0.1 (one per module: loading the
    demo takes seconds, and these tests only read, except for the token they create)."""
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    settings = Settings(data_dir=tmp_path_factory.mktemp("demo") / "data", site_url=url)
    catalog = build_catalog(settings)
    loader.load(catalog)
    with serving(settings, catalog, port):
        yield DemoNode(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Any]:
    """Pages in fresh browser contexts (own cookies). CSP is bypassed only so that axe-core can
    be injected; the pages themselves run no script."""
    contexts: list[Any] = []

    def make(viewport: dict[str, int] = DESKTOP) -> Any:
        context = browser.new_context(viewport=viewport, bypass_csp=True)
        context.set_default_timeout(15_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def _shot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / name))


def _axe_problems(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, one readable line each."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['impact']}: {v['id']} ({v['help']}) at "
        + ", ".join(str(node["target"]) for node in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def _wait_for_map(page: Any, selector: str = "[data-map]") -> int:
    """Wait until the map drew its data; returns how many features its data source holds."""
    page.wait_for_selector(f"{selector}[data-ready=true]")
    return int(
        page.evaluate(
            """() => {
                const map = window.renkeiMaps[0];
                return map.loaded() ? map.querySourceFeatures('data').length : -1;
            }"""
        )
    )


def test_japanese_fonts_are_installed() -> None:
    """Without a CJK font, Chromium draws Japanese as empty boxes in the screenshots."""
    if shutil.which("fc-list") is None:
        pytest.skip("fc-list (fontconfig) not found")
    fonts = subprocess.run(
        ["fc-list", ":lang=ja", "family"], capture_output=True, text=True, check=True
    ).stdout
    assert fonts.strip(), "no Japanese font: apt-get install fonts-noto-cjk"


def test_search_facet_dataset_and_language(demo_node: DemoNode, new_page: Any) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.goto(demo_node.url + "/")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    _shot(page, "home.png")

    page.get_by_label("データセットを検索").fill("避難")
    page.get_by_role("button", name="検索").click()
    expect(page).to_have_url(f"{demo_node.url}/dataset?q=%E9%81%BF%E9%9B%A3")
    expect(page.locator("#result-count")).to_contain_text("件のデータセットが見つかりました")
    found = len(page.locator(".dataset-list > li").all())
    assert found >= 5
    _wait_for_map(page)
    _shot(page, "search.png")

    # A facet: one organization. The result list shrinks and the filter shows as a chip.
    facet = page.locator("#facet-organization ~ ul .facet-link", has_text="高松市")
    facet.click()
    expect(page.locator(".chip")).to_contain_text("高松市")
    narrowed = page.locator(".dataset-list > li")
    assert 0 < narrowed.count() < found
    assert all("高松市" in org for org in page.locator(".dataset-org").all_inner_texts())

    page.locator(".dataset-list .dataset-title a", has_text="指定緊急避難場所").first.click()
    expect(page.locator("h1")).to_have_text("指定緊急避難場所・指定避難所")
    expect(page.locator(".badge-format").first).to_be_visible()
    expect(page.get_by_role("link", name="ダウンロード").first).to_be_visible()
    _wait_for_map(page)
    _shot(page, "dataset.png")

    page.get_by_role("link", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text("Designated emergency evacuation sites and shelters")
    expect(page.get_by_role("heading", name="Data and resources")).to_be_visible()
    # The choice sticks: the next page, reached by a plain link, is English too.
    page.get_by_role("link", name="Datasets", exact=True).first.click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_quality_report_from_the_dataset_page(demo_node: DemoNode, new_page: Any) -> None:
    """The demo is scored when it loads: the dataset page links to every finding."""
    from playwright.sync_api import expect

    page = new_page()
    page.goto(demo_node.url + "/dataset/takamatsu-evacuation-space")
    page.get_by_role("link", name="すべての指摘と直し方").click()
    expect(page.locator("h1")).to_contain_text("品質")
    expect(page.get_by_role("heading", name="メタデータ（data.europa.eu MQA）")).to_be_visible()
    rows = page.locator("table.findings tbody tr")
    assert rows.count() > 0
    expect(page.locator("table.findings").first).to_contain_text("直し方")
    _shot(page, "quality.png")
    page.goto(demo_node.url + "/quality")
    expect(page.get_by_role("link", name="高松市")).to_be_visible()


def test_phone_width(demo_node: DemoNode, new_page: Any) -> None:
    page = new_page(PHONE)
    page.goto(demo_node.url + "/")
    _shot(page, "home-phone.png")
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= PHONE["width"], "the page scrolls sideways at phone width"
    page.goto(demo_node.url + "/dataset/takamatsu-aed")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]


def test_editor_pages_fit_a_phone(demo_node: DemoNode, new_page: Any) -> None:
    page = new_page(PHONE)
    page.goto(demo_node.url + "/user/login?next=/dashboard")
    page.get_by_label("ログイン名").fill(EDITOR[0])
    page.get_by_label("パスワード").fill(EDITOR[1])
    page.get_by_role("button", name="ログイン").click()
    page.wait_for_url("**/dashboard")
    resource = page.evaluate(
        "async () => (await (await fetch('/dataset/takamatsu-aed.json')).json())"
        ".dataset.resources[0].id"
    )
    for path in (
        "/dashboard",
        "/dashboard/datasets/new",
        "/dataset/takamatsu-aed/resource/new",
        f"/dataset/takamatsu-aed/resource/{resource}",
    ):
        page.goto(demo_node.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at phone width"
        assert _axe_problems(page) == [], path


def test_editor_logs_in_and_manages_tokens(demo_node: DemoNode, new_page: Any) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.goto(demo_node.url + "/dataset")
    page.get_by_role("link", name="ログイン").click()
    page.get_by_label("ログイン名").fill(EDITOR[0])
    page.get_by_label("パスワード").fill("wrong password")
    page.get_by_role("button", name="ログイン").click()
    expect(page.get_by_role("alert")).to_contain_text("正しくありません")

    page.get_by_label("パスワード").fill(EDITOR[1])
    page.get_by_role("button", name="ログイン").click()
    expect(page).to_have_url(demo_node.url + "/dataset")  # back where the login started
    expect(page.locator(".flash")).to_contain_text("demo-editor としてログインしています")
    # Members see their organization's private datasets in the search, as through the API.
    page.goto(demo_node.url + "/dataset?q=階数別建物棟数")
    expect(page.locator(".badge-private").first).to_be_visible()

    page.get_by_role("link", name="demo-editor").click()
    expect(page.locator("h1")).to_have_text("API トークン")
    page.get_by_label("名前").fill("browser test")
    page.get_by_role("button", name="トークンを作成").click()
    token = page.get_by_role("textbox", name="新しいトークン").input_value()
    assert token.startswith("rk_")
    expect(page.get_by_role("row", name="browser test")).to_be_visible()
    assert not _axe_problems(page)

    page.get_by_role("button", name="無効にする browser test").click()
    expect(page.locator(".flash")).to_contain_text("トークンを無効にしました")
    expect(page.get_by_role("row", name="browser test")).to_have_count(0)

    page.get_by_role("button", name="ログアウト").click()
    expect(page.get_by_role("link", name="ログイン")).to_be_visible()


def test_preview_a_csv_table_and_maps(demo_node: DemoNode, new_page: Any) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.goto(demo_node.url + "/dataset/takamatsu-evacuation-space")
    assert _wait_for_map(page) >= 1  # the extent (a polygon may count once per tile)
    csv_name = "指定緊急避難場所・指定避難所 (CSV, 旧形式)"
    page.get_by_role("link", name=f"プレビューと詳細 {csv_name}").click()
    expect(page.locator("h1")).to_have_text(csv_name)
    table = page.locator(".preview-table table")
    expect(table.locator("thead th").nth(1)).to_contain_text("name")
    expect(table.locator("tbody tr").first).to_contain_text("日新小学校跡施設")
    assert table.locator("tbody tr").count() == 100
    # The "lat,lon" column became points on the map: every row of the file that has them.
    assert _wait_for_map(page, "#resource-map") > 150
    _shot(page, "preview.png")
    assert _axe_problems(page) == []

    # A GeoJSON file in a plane-rectangular CRS (EPSG:6675), reprojected for the map.
    page.goto(demo_node.url + "/dataset/nanao-open-shelters-2024-09-02")
    page.get_by_role("link", name="プレビューと詳細").first.click()
    assert _wait_for_map(page, "#resource-map") >= 1
    center = page.evaluate("() => window.renkeiMaps[0].getCenter().toArray()")
    assert 136.5 < center[0] < 137.5 and 36.5 < center[1] < 37.5  # Nanao, Ishikawa
    assert _axe_problems(page) == []


def test_draw_a_box_on_the_search_map_filters_by_area(demo_node: DemoNode, new_page: Any) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.goto(demo_node.url + "/dataset?q=避難")
    _wait_for_map(page)
    found = page.locator(".dataset-list > li").count()
    # Around Takamatsu: drag from the north-west to the south-east corner of the area.
    page.evaluate("() => window.renkeiMaps[0].jumpTo({center: [134.05, 34.3], zoom: 9})")
    page.get_by_role("button", name="範囲を描く").click()
    box = page.locator(".map-panel .map").bounding_box()
    assert box is not None
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 60, cy - 60)
    page.mouse.down()
    page.mouse.move(cx, cy, steps=5)
    page.mouse.move(cx + 60, cy + 60, steps=5)
    page.mouse.up()
    expect(page).to_have_url(re.compile(r"ext_bbox="))
    expect(page.locator(".chip")).to_contain_text("範囲")
    west, south, east, north = map(
        float, page.get_by_label("範囲: 西,南,東,北（経緯度）").input_value().split(",")
    )
    assert west < 134.05 < east and south < 34.3 < north
    narrowed = page.locator(".dataset-list > li").count()
    assert 0 < narrowed < found
    assert page.locator(".dataset-org", has_text="七尾市").count() == 0  # Nanao is far away


def test_editor_creates_a_dataset_by_uploading_a_csv(demo_node: DemoNode, new_page: Any) -> None:
    from playwright.sync_api import expect

    page = new_page()
    # Record what the upload progress bar shows, across the page change that follows.
    shown: list[str] = []
    page.expose_function("reportProgress", lambda value: shown.append(str(value)))
    page.add_init_script(
        """document.addEventListener('DOMContentLoaded', () => {
            const bar = document.querySelector('progress');
            if (!bar) return;
            new MutationObserver(() => window.reportProgress(bar.value))
                .observe(bar, {attributes: true});
        });"""
    )
    page.goto(demo_node.url + "/user/login?next=/dashboard")
    page.get_by_label("ログイン名").fill(EDITOR[0])
    page.get_by_label("パスワード").fill(EDITOR[1])
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator("h1")).to_have_text("ダッシュボード")
    expect(page.locator(".badge-private").first).to_be_visible()
    _shot(page, "dashboard.png")
    assert _axe_problems(page) == []

    page.get_by_role("link", name="新しいデータセット").click()
    page.get_by_label("タイトル（日本語）").fill("ブラウザーからの登録テスト")
    page.get_by_label("タイトル（英語）").fill("Registered from a browser")
    page.get_by_label("URL 名").fill("browser-upload-test")
    page.get_by_label("組織").select_option("takamatsu-city")
    page.get_by_label("ライセンス", exact=True).select_option("pdl-1.0")
    expect(page.locator("#license-summary")).to_contain_text("出典を記載すれば")
    assert _axe_problems(page) == []
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator("h1")).to_have_text("データを追加")
    assert _axe_problems(page) == []
    page.get_by_label("ファイルをアップロード").set_input_files(
        str(ROOT / "src/renkei/demo/files/takamatsu_0062_medical.csv")
    )
    # What the file holds is shown before saving, and the empty format field is filled in.
    suggestions = page.locator("#inspect-suggestions")
    expect(suggestions).to_contain_text("ファイルの内容")
    expect(suggestions).to_contain_text("address (string)")
    expect(page.get_by_label("形式", exact=True)).to_have_value("CSV")
    assert _axe_problems(page) == []
    page.get_by_label("名前", exact=True).fill("医療機関一覧")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator("h1")).to_have_text("医療機関一覧")
    assert "100" in shown, f"the progress bar never reached 100 %: {shown}"
    expect(page.locator(".flash")).to_contain_text("リソースを保存しました")
    expect(page.locator(".preview-table tbody tr").first).to_contain_text("いわき病院")
    page.get_by_role("link", name="ブラウザーからの登録テスト").first.click()
    expect(page.locator("h1")).to_have_text("ブラウザーからの登録テスト")
    expect(page.locator(".resource-name")).to_have_text("医療機関一覧")


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/dataset?q=避難",
        "/dataset?q=避難&organization=takamatsu-city",
        "/dataset/takamatsu-evacuation-space",
        "/dataset/takamatsu-evacuation-space?lang=en",
        "/organization",
        "/organization/takamatsu-city",
        "/group/disaster-prevention",
        "/user/login",
        "/dataset/no-such-dataset",
        "/request",
        "/request/stats",
        "/inventory/takamatsu-city",
        "/roadmap",
        "/roadmap/04-01?lang=en",
        "/dataset/takamatsu-evacuation-space/quality",
        "/organization/takamatsu-city/quality?lang=en",
        "/quality",
    ],
)
def test_no_serious_accessibility_violations(demo_node: DemoNode, new_page: Any, path: str) -> None:
    page = new_page()
    page.goto(demo_node.url + path)
    assert _axe_problems(page) == []


def test_no_serious_accessibility_violations_at_phone_width(
    demo_node: DemoNode, new_page: Any
) -> None:
    page = new_page(PHONE)
    for path in (
        "/",
        "/dataset?q=避難",
        "/dataset/takamatsu-aed",
        "/dataset/takamatsu-aed/quality",
    ):
        page.goto(demo_node.url + path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} scrolls sideways at phone width"
        assert _axe_problems(page) == [], path


def test_keyboard_reaches_the_skip_link_first(demo_node: DemoNode, new_page: Any) -> None:
    page = new_page()
    page.goto(demo_node.url + "/dataset")
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.className")
    assert focused == "skip-link"
    assert page.locator(".skip-link").is_visible()
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"


def test_editor_files_and_answers_a_data_request(demo_node: DemoNode, new_page: Any) -> None:
    from playwright.sync_api import expect

    page = new_page()
    page.goto(demo_node.url + "/user/login?next=/request/new")
    page.get_by_label("ログイン名").fill(EDITOR[0])
    page.get_by_label("パスワード").fill(EDITOR[1])
    page.get_by_role("button", name="ログイン").click()
    expect(page.locator("h1")).to_have_text("データの公開を要望する")
    assert not _axe_problems(page)
    page.get_by_label("どのデータが必要ですか？").fill("ブラウザ試験のデータ")
    page.get_by_label("何に使いますか？").fill("試験")
    page.get_by_label("データを保有する組織").select_option("takamatsu-city")
    page.get_by_role("button", name="要望を送る").click()
    expect(page.locator(".flash")).to_contain_text("要望を受け付けました")
    assert not _axe_problems(page)  # the page with the support, comment and answer forms

    page.get_by_label("状態").select_option("planned")
    page.get_by_label("公開予定日（予定の場合）").fill("2027-04-01")
    page.get_by_role("button", name="回答を記録する").click()
    expect(page.locator(".flash")).to_contain_text("回答を記録しました")
    expect(page.locator(".dataset-badges .badge")).to_have_text("公開予定")
    expect(page.get_by_text("2027-04-01 に公開予定です。")).to_be_visible()
