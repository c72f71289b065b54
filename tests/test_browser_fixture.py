"""The shared headless-Chromium fixture opens a local page and reads its console log."""


def test_chromium_reads_page_and_console(chromium, tmp_path):
    page = tmp_path / "page.html"
    page.write_text(
        "<html><body><h1 id='title'>hello</h1>"
        "<script>console.error('marker-from-page')</script></body></html>"
    )
    chromium.get(page.as_uri())
    assert chromium.find_element("id", "title").text == "hello"
    assert any("marker-from-page" in entry["message"] for entry in chromium.get_log("browser"))
