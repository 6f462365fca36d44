"""Acceptance, in a real browser: the process owner renames a task of the SKP planning process by
direct editing, adds a required form field in the properties panel and deploys; a new instance shows
the new field while an older one keeps its form. A diagram with mistakes shows each on its element
and is not deployed."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.test_skp_in_the_browser import sign_in
from tests.processes.conftest import regency, regency_template  # noqa: F401 (fixtures)
from tests.processes.regency import PROCESSES
from tests.processes.test_skp import start_skp
from tests.webapp.conftest import give_password, password_hash  # noqa: F401
from webapp import create_app

pytestmark = pytest.mark.browser
KEY, FILE = "skp_perencanaan", "skp_perencanaan.bpmn"


def open_modeler(page, base, shots):
    page.get_by_role("link", name="Proses").click()
    page.get_by_role("link", name="Perencanaan dan penetapan SKP").click()
    page.get_by_role("link", name=f"Buka {FILE} di pemodel").click()
    page.wait_for_selector("#modeler[data-ready=true]")
    shots(page, "modeler-opened")


def shape(page, element_id):
    return page.locator(f'g.djs-element[data-element-id="{element_id}"]')


def versions(regency):  # noqa: F811
    with regency.engine.transaction(write=False) as tx:
        return [r.version for r in tx.store.definition_versions(KEY)]


def people_with_passwords(regency, password_hash, *keys):  # noqa: F811
    with regency.engine.transaction() as tx:
        for key in keys:
            give_password(tx, regency.actor(key).username, password_hash)


def test_owner_renames_a_task_adds_a_required_field_and_deploys(
    browser,
    serve,
    shots,
    regency,  # noqa: F811
    password_hash,  # noqa: F811
):
    people_with_passwords(regency, password_hash, "prakom", "bidan-1", "bidan-2")
    start_skp(regency, "bidan-1")  # started on version 1: keeps its form
    base = serve(create_app({"SECRET_KEY": "e2e"}, engine=regency.engine))
    context = browser.new_context(locale="id-ID", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, base, regency.actor("prakom").username)
    open_modeler(page, base, shots)

    # rename the employee's proposal by editing its label on the canvas
    shape(page, "usulkan_skp").dblclick()
    page.keyboard.press("Control+A")
    page.keyboard.type("Usulkan SKP tahunan")
    page.locator("#canvas .djs-container > svg").first.click(position={"x": 950, "y": 120})
    shape(page, "usulkan_skp").click()
    panel = page.locator("#properties")
    expect(panel.locator(".bio-properties-panel-header-label")).to_have_text("Usulkan SKP tahunan")

    # a new form field in the panel: id, label, type, and a 'required' constraint
    fields = panel.locator(".bio-properties-panel-group-header", has_text="Form fields")
    ids = panel.get_by_label("ID", exact=True)
    before = ids.count()
    fields.get_by_title("Create new list item").click()
    expect(ids).to_have_count(before + 1)  # the new field, last in the list
    ids.last.fill("nomor_telepon")
    panel.get_by_label("Label", exact=True).last.fill("Nomor telepon yang dapat dihubungi")
    panel.get_by_label("Type", exact=True).last.select_option("string")
    constraints = panel.locator(".bio-properties-panel-list-entry-header", has_text="Constraints")
    names = panel.get_by_label("Name", exact=True)
    before = names.count()
    constraints.last.get_by_title("Create new list item").click()
    expect(names).to_have_count(before + 1)
    names.last.fill("required")
    shots(page, "field-added")

    page.get_by_label("Catatan perubahan").fill("Usulan SKP tahunan meminta nomor telepon")
    page.get_by_role("button", name="Terapkan sebagai versi baru").click()
    page.wait_for_url(re.compile(rf"/modeler/{KEY}$"))
    shots(page, "deployed")
    assert "Diterapkan sebagai versi 2." in page.get_by_role("status").first.inner_text()
    newest = page.locator("#version-2")
    assert "Usulan SKP tahunan meminta nomor telepon" in newest.inner_text()
    # what changed: only what the owner changed, however differently bpmn-js writes the rest
    assert [li.inner_text() for li in newest.locator("ul.changes li").all()] == [
        "Diubah: userTask usulkan_skp “Usulkan SKP tahunan”",
        "Formulir Usulkan SKP tahunan: kolom ditambahkan nomor_telepon.",
    ]
    page.get_by_role("button", name="Keluar").click()

    # a new instance starts on version 2: its form asks for the phone number, and requires it
    start_skp(regency, "bidan-2")
    sign_in(page, base, regency.actor("bidan-2").username)
    page.get_by_role("link", name="Usulkan SKP tahunan").click()
    shots(page, "new-instance-form")
    phone = page.get_by_label("Nomor telepon yang dapat dihubungi")
    assert phone.get_attribute("required") is not None
    page.get_by_role("button", name="Keluar").click()

    # the instance started before keeps version 1's task and form
    sign_in(page, base, regency.actor("bidan-1").username)
    page.get_by_role("link", name="Usulkan SKP", exact=True).click()
    shots(page, "old-instance-form")
    assert page.get_by_label("Nomor telepon yang dapat dihubungi").count() == 0
    assert page.get_by_label("Catatan dialog kinerja").count() == 1
    context.close()


def broken_skp() -> bytes:
    """The SKP process with two mistakes: a task nobody receives, a gateway that cannot choose."""
    xml = (PROCESSES / FILE).read_text()
    xml = xml.replace(
        'id="usulkan_skp" name="Usulkan SKP" camunda:assignee="${nip}"', 'id="usulkan_skp" name="Usulkan SKP"'
    )
    xml = xml.replace("<bpmn:flowNodeRef>usulkan_skp</bpmn:flowNodeRef>", "")
    xml = xml.replace(
        'id="gw_keputusan_skp" name="Disetujui?" default="f_skp_setuju"',
        'id="gw_keputusan_skp" name="Disetujui?"',
    )
    xml = re.sub(
        r'(<bpmn:sequenceFlow id="f_gw_keputusan_skp_catat_revisi"[^>]*>)<bpmn:conditionExpression.*?</bpmn:conditionExpression>',
        r"\1",
        xml,
        flags=re.S,
    )
    return xml.encode()


def test_mistakes_are_marked_on_their_elements_and_not_deployed(
    browser,
    serve,
    shots,
    regency,  # noqa: F811
    password_hash,  # noqa: F811
):
    people_with_passwords(regency, password_hash, "prakom")
    base = serve(create_app({"SECRET_KEY": "e2e"}, engine=regency.engine))
    context = browser.new_context(locale="id-ID", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, base, regency.actor("prakom").username)
    open_modeler(page, base, shots)

    # the owner imports a file with two mistakes, as Camunda Modeler would have saved it
    page.get_by_label("Impor berkas").set_input_files(
        files=[{"name": FILE, "mimeType": "application/xml", "buffer": broken_skp()}]
    )
    expect(page.get_by_role("status")).to_contain_text("dibuka")
    page.get_by_role("button", name="Periksa").click()
    problems = page.get_by_role("list", name="Masalah")
    problems.locator("li").nth(1).wait_for()
    shots(page, "problems-marked")
    expect(page.get_by_role("status")).to_contain_text("Ditemukan 2 masalah")
    for element, text in (("usulkan_skp", "no lane, candidate group"), ("gw_keputusan_skp", "no condition")):
        assert "kinerja-problem" in shape(page, element).get_attribute("class")
        overlay = page.locator(f'.djs-overlays[data-container-id="{element}"] .modeler-problem')
        assert text in overlay.inner_text()
        assert text in problems.locator(f'li[data-element="{element}"]').inner_text()

    # the diagram downloads as a file Camunda Modeler opens: BPMN 2.0 with the camunda extensions
    with page.expect_download() as download:
        page.get_by_role("button", name="Unduh").click()
    assert download.value.suggested_filename == FILE
    saved = Path(download.value.path()).read_text(encoding="utf-8")
    assert 'xmlns:camunda="http://camunda.org/schema/1.0/bpmn"' in saved
    assert '<bpmn:userTask id="usulkan_skp" name="Usulkan SKP"' in saved and "camunda:formField" in saved

    # deploying is refused with the same problems, and nothing new is deployed
    page.get_by_role("button", name="Terapkan sebagai versi baru").click()
    page.get_by_text("Tidak diterapkan: 2 masalah harus diperbaiki dahulu.").wait_for()
    shots(page, "deploy-refused")
    assert versions(regency) == [1]
    context.close()


def test_owner_edits_a_decision_table_and_deploys_it_with_its_process(
    browser,
    serve,
    shots,
    regency,  # noqa: F811
    password_hash,  # noqa: F811
):
    people_with_passwords(regency, password_hash, "prakom")
    base = serve(create_app({"SECRET_KEY": "e2e"}, engine=regency.engine))
    context = browser.new_context(locale="id-ID", viewport={"width": 1400, "height": 900})
    page = context.new_page()
    sign_in(page, base, regency.actor("prakom").username)
    page.goto(f"{base}/modeler/evaluasi_periodik")
    page.get_by_role("link", name="Buka predikat_kinerja.dmn di pemodel").click()
    page.wait_for_selector("#modeler[data-ready=true]")

    # the decision table view: the second rule's predikat becomes SANGAT_BAIK
    cell = page.locator("#canvas td.output-cell").nth(1)
    assert cell.inner_text().strip() == '"BAIK"'
    cell.locator("[contenteditable]").click()
    page.keyboard.press("Control+A")
    page.keyboard.type('"SANGAT_BAIK"')
    page.locator("#canvas .tjs-table-container, #canvas table").first.click(position={"x": 5, "y": 5})
    shots(page, "decision-table-edited")
    page.get_by_label("Catatan perubahan").fill("Kuadran baris 2 diubah")
    page.get_by_role("button", name="Terapkan sebagai versi baru").click()
    page.wait_for_url(re.compile(r"/modeler/evaluasi_periodik$"))
    shots(page, "decision-table-deployed")
    changes = [li.inner_text() for li in page.locator("#version-2 ul.changes li").all()]
    assert changes == ["Diubah: rule Rule_predikat_kinerja_1"]
    context.close()
