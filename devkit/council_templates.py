"""Writes the council's document templates (bot/exports/templates/*.docx): the biên bản of a review
session, the tờ trình of its results, and the draft báo cáo thành tích of a person and of a
collective, in the Decree 30/2020 layout of the bot's other DOCX (bot.exports.docx_report).

They are ordinary Word files with docxtpl (Jinja) fields; an office may open one in Word, change
its wording or layout, keep the fields it wants, and point `council.templates_dir` at its folder.
Run again after changing the layout here:  python -m devkit.council_templates [FOLDER]
"""

from __future__ import annotations

import sys
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from bot.exports import docx_report as layout

FOLDER = Path(__file__).resolve().parents[1] / "bot" / "exports" / "templates"
DATE_LINE = "{{ place }}, ngày {{ day }} tháng {{ month }} năm {{ year }}"
# The signer's title is written in capitals (as docx_report does): its field is SIGNER_TITLE.
SIGNER = layout.Signer(organisation="{{ organisation }}", title="{{ signer_title }}", name="{{ signer_name }}")


def _start(number_line: str, title: str, summary: str):  # noqa: ANN202 - a python-docx Document
    doc = Document()
    layout._set_up(doc)
    layout._header(doc, "{{ superior|upper }}", "{{ organisation|upper }}", DATE_LINE)
    for p in doc.tables[0].rows[0].cells[0].paragraphs:  # the number line of this kind of document
        if p.text == layout.NUMBER_LINE:
            p.runs[0].text = number_line
    heading = layout._para(doc, title, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    heading.paragraph_format.space_before = Pt(18)
    heading.paragraph_format.space_after = Pt(0)
    layout._para(doc, summary, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    layout._rule(doc, layout.RULE_WIDTHS[2], layout.TEXT_WIDTH)
    return doc


def _signature(doc) -> None:  # noqa: ANN001
    layout._signature(doc, "{{ organisation|upper }}", SIGNER)


def minutes() -> Document:
    doc = _start("Số:      /BB-HĐTĐKT", "BIÊN BẢN", "Phiên họp xét khen thưởng phong trào {{ campaign_title }}")
    body = layout._body
    body(doc, "Hội đồng Thi đua – Khen thưởng họp xét (bỏ phiếu kín qua hệ thống) từ {{ opened_at }} "
              "đến {{ closed_at }}, xét các đề xuất khen thưởng của phong trào {{ campaign_title }}"
              "{% if campaign_cite %} ({{ campaign_cite }}){% endif %}.")
    layout._heading(doc, "I. THÀNH PHẦN")
    body(doc, "Tổng số thành viên Hội đồng: {{ council_size }}; số thành viên bỏ phiếu: {{ voters }} "
              "(cần ít nhất {{ required }}).")
    body(doc, "Thành viên Hội đồng:")
    body(doc, "{%p for m in members %}")
    body(doc, "- {{ m }}")
    body(doc, "{%p endfor %}")
    layout._heading(doc, "II. KẾT QUẢ BỎ PHIẾU")
    body(doc, "Ứng viên đạt khi có từ {{ pass_votes }}/{{ council_size }} thành viên Hội đồng đồng ý.")
    body(doc, "{%p for c in candidates %}")
    body(doc, "{{ c.number }}. {{ c.name }} ({{ c.kind }}, {{ c.unit }}) — {{ c.reward_form }}: {{ c.yes }} đồng ý, "
              "{{ c.no }} không đồng ý — {{ c.result }}.")
    body(doc, "{%p endfor %}")
    body(doc, "{%p if ties %}")
    body(doc, "Ngang phiếu: {{ ties }}. Hội đồng cân nhắc theo Điều 4 Luật Thi đua, khen thưởng (ưu tiên nữ, "
              "tập thể có từ 70% nữ khi các ứng viên ngang nhau).")
    body(doc, "{%p endif %}")
    body(doc, "Phiếu bầu kín: hệ thống chỉ lưu số phiếu của từng ứng viên, không lưu thành viên nào chọn gì.")
    body(doc, "Biên bản lập từ kết quả kiểm phiếu trên hệ thống./.")
    _signature(doc)
    return doc


def proposal() -> Document:
    doc = _start("Số:      /TTr-HĐTĐKT", "TỜ TRÌNH", "Đề nghị khen thưởng trong phong trào {{ campaign_title }}")
    body = layout._body
    body(doc, "Căn cứ Luật Thi đua, khen thưởng số 06/2022/QH15 và Nghị định số 152/2025/NĐ-CP;")
    body(doc, "{%p if campaign_cite %}")
    body(doc, "Thực hiện {{ campaign_cite }} về {{ campaign_title }};")
    body(doc, "{%p endif %}")
    body(doc, "Căn cứ kết quả phiên họp xét số {{ session_id }} của Hội đồng Thi đua – Khen thưởng "
              "({{ voters }}/{{ council_size }} thành viên bỏ phiếu), {{ organisation }} kính trình xem xét, "
              "khen thưởng {{ passed|length }} tập thể, cá nhân sau:")
    body(doc, "{%p for c in passed %}")
    body(doc, "{{ loop.index }}. {{ c.name }} ({{ c.kind }}, {{ c.unit }}) — {{ c.reward_form }} "
              "({{ c.yes }}/{{ council_size }} thành viên đồng ý).")
    body(doc, "{%p endfor %}")
    body(doc, "Kèm theo: biên bản phiên họp xét và báo cáo thành tích của từng tập thể, cá nhân.")
    body(doc, "Kính trình xem xét, quyết định./.")
    _signature(doc)
    return doc


def achievements(kind: str) -> Document:
    who = "cá nhân" if kind == "individual" else "tập thể"
    doc = _start("", "BÁO CÁO THÀNH TÍCH", f"Đề nghị tặng {{{{ reward_form }}}} ({who})")
    body = layout._body
    layout._heading(doc, "I. SƠ LƯỢC")
    if kind == "individual":
        body(doc, "Họ và tên: {{ name }}")
        body(doc, "Chức vụ: {{ position }}")
        body(doc, "Đơn vị công tác: {{ workplace }}")
    else:
        body(doc, "Tên tập thể: {{ name }}")
        body(doc, "Thuộc: {{ unit }}")
    body(doc, "Lĩnh vực: {{ sector }}")
    layout._heading(doc, "II. THÀNH TÍCH ĐẠT ĐƯỢC")
    body(doc, "Trong phong trào {{ campaign_title }} ({{ period }}):")
    body(doc, "{{ summary }}")
    body(doc, "(Đơn vị bổ sung số liệu, sáng kiến, giải pháp và các hình thức khen thưởng đã nhận.)")
    layout._heading(doc, "III. CÁC HÌNH THỨC ĐÃ ĐƯỢC KHEN THƯỞNG")
    body(doc, "……")
    _signature(doc)
    return doc


TEMPLATES = {
    "bien-ban-phien-xet.docx": minutes,
    "to-trinh-khen-thuong.docx": proposal,
    "bao-cao-thanh-tich-ca-nhan.docx": lambda: achievements("individual"),
    "bao-cao-thanh-tich-tap-the.docx": lambda: achievements("collective"),
}


def write(folder: Path = FOLDER) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for name, build in TEMPLATES.items():
        doc = build()
        props = doc.core_properties
        props.author = props.last_modified_by = "{{ organisation }}"
        props.comments = ""
        doc.save(folder / name)
        made.append(folder / name)
    return made


if __name__ == "__main__":
    for path in write(Path(sys.argv[1]) if len(sys.argv) > 1 else FOLDER):
        print(path)
