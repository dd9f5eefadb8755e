"""Printable notices of an information request and the annual report's table, as PDF.

The notices are the office's documents to the applicant and to third parties, issued in
Chinese as the Regulations require; reportlab's built-in CID font STSong-Light prints
Chinese without any font file (the reader's PDF viewer supplies the glyphs).
"""
from __future__ import annotations

import io

from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from disclosure.models import AnswerType, InfoRequest

FONT = "STSong-Light"
pdfmetrics.registerFont(UnicodeCIDFont(FONT))
TITLE = ParagraphStyle("title", fontName=FONT, fontSize=18, leading=26, alignment=1, spaceAfter=6 * mm)
BODY = ParagraphStyle("body", fontName=FONT, fontSize=12, leading=22, wordWrap="CJK", firstLineIndent=24)
PLAIN = ParagraphStyle("plain", parent=BODY, firstLineIndent=0)
RIGHT = ParagraphStyle("right", parent=PLAIN, alignment=2)
CELL = ParagraphStyle("cell", fontName=FONT, fontSize=8, leading=10, wordWrap="CJK")

NOTICES = {
    "receipt": "政府信息公开申请登记回执",
    "correction": "补正政府信息公开申请告知书",
    "extension": "延长政府信息公开答复期限告知书",
    "consultation": "政府信息公开第三方意见征询函",
    "answer": "政府信息公开申请答复书",
}


def _d(day) -> str:
    return f"{day.year}年{day.month}月{day.day}日" if day else "____年__月__日"


def _esc(text: str) -> str:
    return (text or "").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\n", "<br/>")


def _body_name(request: InfoRequest) -> str:
    return request.body.unit.name if request.body_id else "本机关"


def available(request: InfoRequest) -> list[str]:
    """The notices that can be printed at the request's present step."""
    kinds = ["receipt"]
    if request.correction_sent_on:
        kinds.append("correction")
    if request.extension_days:
        kinds.append("extension")
    if request.consultation_started_on:
        kinds.append("consultation")
    if request.answered_on:
        kinds.append("answer")
    return kinds


def _paragraphs(request: InfoRequest, kind: str) -> list[str]:
    r = request
    head = f"{_esc(r.applicant_name)}："
    applied = (f"本机关于{_d(r.received_on)}收到您（单位）提出的政府信息公开申请（编号{r.number}），"
               f"申请获取：{_esc(r.description[:300])}。")
    if kind == "receipt":
        return [head, applied, f"依据《中华人民共和国政府信息公开条例》第三十一条，本机关收到申请之日为{_d(r.received_on)}；"
                f"第三十三条规定的答复期限至{_d(r.due_on)}。", f"您可凭编号{r.number}查询办理进度。"]
    if kind == "correction":
        return [head, applied, f"经审查，您的申请内容不明确。依据《中华人民共和国政府信息公开条例》第三十条，请您补正以下内容："
                f"{_esc(r.correction_text)}", f"请于{_d(r.correction_until)}前补正。答复期限自本机关收到补正的申请之日起计算；"
                "无正当理由逾期不补正的，视为放弃申请，本机关不再处理该政府信息公开申请。"]
    if kind == "extension":
        return [head, applied, f"因{_esc(r.extension_reason) or '需要'}，本机关不能在规定期限内作出答复。依据《中华人民共和国政府信息公开条例》"
                f"第三十三条第二款，经政府信息公开工作机构负责人同意，答复期限延长{r.extension_days}个工作日，"
                f"至{_d(r.due_on)}。"]
    if kind == "consultation":
        return [f"{_esc(r.third_party) or '第三方'}：", f"本机关于{_d(r.received_on)}收到政府信息公开申请（编号{r.number}），"
                f"申请获取的信息可能损害您（单位）的合法权益：{_esc(r.consultation_question) or _esc(r.description[:300])}",
                "依据《中华人民共和国政府信息公开条例》第三十二条，现书面征求您（单位）的意见，请于"
                f"{_d(r.consultation_due_on)}前（自收到本函之日起15个工作日内）提出意见。逾期未提出意见的，由本机关依照条例规定决定。"]
    # the answer
    outcome = AnswerType(r.answer_type).label if r.answer_type else ""
    paragraphs = [head, applied, f"经审查，答复如下（{outcome}）：", _esc(r.answer_text)]
    if r.answer_type == AnswerType.ALREADY_PUBLIC:
        paragraphs.append(f"该信息已主动公开，获取方式：{_esc(r.where_published)}。")
    if r.answer_type == AnswerType.NOT_THIS_BODY:
        paragraphs.append(f"您申请的信息不属于本机关负责公开，负责公开该信息的机关为：{_esc(r.right_body)}。")
    if r.withholds:
        paragraphs.append(f"不予公开的法律依据：{r.get_withhold_reason_display()}。")
    if r.fee:
        paragraphs.append(f"依据《政府信息公开信息处理费管理办法》，本次申请收取信息处理费{r.fee}元，请于{_d(r.fee_due_on)}前缴纳；"
                          "逾期未缴纳的，视为放弃申请。缴费后本机关按您选择的方式提供信息。")
    paragraphs.append("如对本答复不服，可在收到本答复之日起60日内依法申请行政复议，或者在6个月内依法提起行政诉讼。")
    return paragraphs


def notice_pdf(request: InfoRequest, kind: str) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=25 * mm, topMargin=25 * mm,
                            bottomMargin=25 * mm, title=f"{NOTICES[kind]} {request.number}")
    story = [Paragraph(_body_name(request), ParagraphStyle("issuer", parent=TITLE, fontSize=14, spaceAfter=2 * mm)),
             Paragraph(NOTICES[kind], TITLE), Paragraph(f"编号：{request.number}", RIGHT), Spacer(1, 4 * mm)]
    for index, text in enumerate(_paragraphs(request, kind)):
        story.append(Paragraph(text, PLAIN if index == 0 else BODY))
    story += [Spacer(1, 12 * mm), Paragraph(f"{_body_name(request)}（盖章）", RIGHT),
              Paragraph(_d(timezone.localdate()), RIGHT)]
    doc.build(story)
    return out.getvalue()


def report_pdf(report) -> bytes:
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=landscape(A4), leftMargin=12 * mm, rightMargin=12 * mm, topMargin=12 * mm,
                            bottomMargin=12 * mm, title=f"{report.year} 政府信息公开工作年度报告")
    who = report.body.unit.name if report.body is not None else "全市"
    story = [Paragraph(f"{who}{report.year}年度政府信息公开工作年度报告", TITLE),
             Paragraph("收到和处理政府信息公开申请情况", PLAIN), Spacer(1, 3 * mm)]
    header1 = ["本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和", "申请人情况", "", "", "", "", "", ""]
    header2 = ["", "自然人", "法人或其他组织", "", "", "", "", "总计"]
    header3 = ["", "", *report.columns[1:6], ""]
    data = [[Paragraph(c, CELL) for c in header1], [Paragraph(c, CELL) for c in header2],
            [Paragraph(c, CELL) for c in header3]]
    for row in report.rows:
        label = Paragraph(("　" if row.level == 1 else "") + row.label, CELL)
        data.append([label, *(["" ] * 7 if row.heading else [str(v) for v in row.values])])
    table = Table(data, colWidths=[110 * mm] + [22 * mm] * 7, repeatRows=3)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), FONT, 8), ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
        ("SPAN", (0, 0), (0, 2)), ("SPAN", (1, 0), (7, 0)), ("SPAN", (1, 1), (1, 2)), ("SPAN", (2, 1), (6, 1)),
        ("SPAN", (7, 1), (7, 2)), ("ALIGN", (1, 3), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
    ]))
    story.append(table)
    story += [Spacer(1, 3 * mm), Paragraph(f"本年度收取信息处理费{report.fees}元。", PLAIN)]
    doc.build(story)
    return out.getvalue()
