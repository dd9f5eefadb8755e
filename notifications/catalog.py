"""Every message the portal sends: who gets it, when, and what it may say.

Each entry names its trigger, its audience and the variables its template may
use. The wording lives in `MessageTemplate` rows an administrator edits
(Chinese and English); the texts here are the defaults those rows start
from. A template that uses a variable its message does not provide is refused
when it is saved, so a typo never reaches a citizen as "{numbr}".

docs/notifications.md lists the same table for people; tests check the two agree.
"""
from __future__ import annotations

import string
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

CITIZEN, UNIT, APPLICANT, ATTENDEE, REPRESENTATIVE = "citizen", "unit", "applicant", "attendee", "representative"
AUDIENCES = {
    CITIZEN: _("Citizen"), UNIT: _("Handling unit"), APPLICANT: _("Information-request applicant"),
    ATTENDEE: _("Event attendee"), REPRESENTATIVE: _("三民 representative"),
}


@dataclass(frozen=True)
class MessageType:
    code: str
    audience: str
    trigger: str
    variables: tuple[str, ...]
    subject_zh: str
    body_zh: str
    subject_en: str
    body_en: str
    # Carries a one-time code someone else could use (a 三民 voting code, a login code): the outbox hides its
    # text in the admin and clears it as soon as the row is sent or failed (notifications.services).
    secret: bool = False


def _m(code, audience, trigger, variables, subject_zh, body_zh, subject_en, body_en, *, secret=False) -> MessageType:
    return MessageType(code, audience, trigger, tuple(variables.split()), subject_zh, body_zh, subject_en, body_en,
                       secret)


CATALOG: dict[str, MessageType] = {m.code: m for m in [
    # --- citizens (DOMAIN.md sections 3, 5) -------------------------------------------------------------
    _m("citizen.receipt", CITIZEN, _("A petition is filed (any channel)"), "number link city",
       "诉求已受理", "【{city}12345】您的诉求已受理，编号{number}。查看办理进度：{link}",
       "Petition received", "[{city} 12345] Your petition is received, number {number}. Follow it: {link}"),
    _m("citizen.dispatched", CITIZEN, _("The petition is dispatched to its lead unit"), "number units expected link city",
       "诉求已派发", "【{city}12345】您的诉求{number}已交{units}办理，预计{expected}前答复。{link}",
       "Petition dispatched", "[{city} 12345] Petition {number} was sent to {units}; expect an answer by {expected}. {link}"),
    _m("citizen.answered", CITIZEN, _("The platform approves and publishes the answer"), "number link city",
       "诉求已答复，请评价", "【{city}12345】您的诉求{number}已答复，请查看并评价：{link}",
       "Your petition is answered", "[{city} 12345] Petition {number} is answered. Read it and rate it: {link}"),
    _m("citizen.merged", CITIZEN, _("The petition is merged into, or marked a duplicate of, another being handled"),
       "number into link city",
       "诉求合并办理", "【{city}12345】您的诉求{number}与诉求{into}合并办理，答复后将通知您：{link}",
       "Petition handled together", "[{city} 12345] Petition {number} is handled together with petition {into}; "
       "we will tell you when it is answered: {link}"),
    _m("citizen.merged_answered", CITIZEN, _("The petition a citizen's petition was merged into is answered"),
       "number into link city",
       "合并办理的诉求已答复", "【{city}12345】与您的诉求{number}合并办理的诉求{into}已答复，请查看：{link}",
       "Petition answered", "[{city} 12345] Petition {into}, handled together with your petition {number}, "
       "is answered: {link}"),
    _m("citizen.callback_reminder", CITIZEN, _("The answer has waited a day for the citizen's rating"), "number link city",
       "请评价办理结果", "【{city}12345】您的诉求{number}已答复，您的评价对我们很重要：{link}",
       "Please rate the answer", "[{city} 12345] Petition {number} was answered; please tell us how it went: {link}"),
    _m("citizen.reopened", CITIZEN, _("The petition is reopened for re-handling"), "number reason link city",
       "诉求已重新办理", "【{city}12345】您的诉求{number}已重新交办，原因：{reason}。{link}",
       "Petition reopened", "[{city} 12345] Petition {number} is being handled again: {reason}. {link}"),
    _m("citizen.closed", CITIZEN, _("The petition is closed"), "number link city",
       "诉求已办结", "【{city}12345】您的诉求{number}已办结，感谢您的监督。{link}",
       "Petition closed", "[{city} 12345] Petition {number} is closed. Thank you. {link}"),
    _m("citizen.login_code", CITIZEN, _("A citizen asks to see all their petitions"), "code minutes city",
       "验证码", "【{city}12345】您的验证码是{code}，{minutes}分钟内有效。请勿告诉他人。",
       "Your code", "[{city} 12345] Your code is {code}, valid for {minutes} minutes. Tell no one.", secret=True),
    # --- units (DOMAIN.md sections 4-6) -----------------------------------------------------------------
    _m("unit.new_work_order", UNIT, _("An assignment is created for the unit"),
       "number classification area role sign_due handle_due link",
       "新工单{number}", "新工单{number}（{role}）：{classification}，{area}。请于{sign_due}前签收，{handle_due}前办结。{link}",
       "New work order {number}", "New work order {number} ({role}): {classification}, {area}. Sign for it by "
       "{sign_due}, finish by {handle_due}. {link}"),
    _m("unit.sign_reminder", UNIT, _("An assignment is still unsigned two hours before its sign-for limit"),
       "number sign_due link",
       "工单{number}即将超过签收时限", "工单{number}尚未签收，签收时限{sign_due}。{link}",
       "Work order {number} awaits signing", "Work order {number} is not signed for yet; the limit is {sign_due}. {link}"),
    _m("unit.supplemented", UNIT, _("The citizen adds materials to a petition the unit is handling"), "number link",
       "工单{number}诉求人补充了材料", "工单{number}的诉求人补充了材料，请查看并继续办理（如已暂停计时，请恢复计时）。{link}",
       "Materials added to {number}", "The citizen added materials to {number}: read them and carry on (restart the "
       "clock if you stopped it). {link}"),
    _m("unit.reply_rejected", UNIT, _("The platform rejects the unit's answer (重办)"), "number note handle_due link",
       "工单{number}答复被退回重办", "工单{number}的答复未通过审核：{note}。请于{handle_due}前重新答复。{link}",
       "Answer to {number} rejected", "The answer to {number} was rejected: {note}. Answer again by {handle_due}. {link}"),
    _m("unit.return_decided", UNIT, _("The platform decides the unit's return request (退单)"), "number decision note link",
       "工单{number}退单申请{decision}", "工单{number}的退单申请{decision}。{note} {link}",
       "Return of {number}: {decision}", "The return request for {number} was {decision}. {note} {link}"),
    _m("unit.extension_decided", UNIT, _("The platform decides the unit's extension request (延期)"),
       "number decision note handle_due link",
       "工单{number}延期申请{decision}", "工单{number}的延期申请{decision}，办理时限{handle_due}。{note} {link}",
       "Extension of {number}: {decision}", "The extension request for {number} was {decision}; the limit is "
       "{handle_due}. {note} {link}"),
    _m("unit.supervision_notice", UNIT, _("A supervision notice is sent to the unit"), "sender reference text reply_due",
       "{sender}督办通知：{reference}", "{text} 请于{reply_due}前回复整改措施。",
       "{sender} supervision notice: {reference}", "{text} Reply with your measures by {reply_due}."),
    _m("unit.deadline_digest", UNIT, _("A sweep finds the unit's petitions yellow, unsigned in time or overdue"),
       "summary numbers",
       "{summary}", "{summary}：{numbers}", "{summary}", "{summary}: {numbers}"),
    _m("unit.daily_digest", UNIT, _("Every working morning"), "unit pending in_progress yellow red link",
       "{unit}今日待办", "{unit}：待签收{pending}件，办理中{in_progress}件，黄灯{yellow}件，已超期{red}件。{link}",
       "{unit}: today's work", "{unit}: {pending} to sign for, {in_progress} in hand, {yellow} yellow, {red} overdue. {link}"),
    # --- information-request applicants (DOMAIN.md section 10) ------------------------------------------
    _m("applicant.receipt", APPLICANT, _("An information request is received"), "number body due link",
       "政府信息公开申请已收到", "您的政府信息公开申请已由{body}收到，编号{number}，答复期限{due}。查看：{link}",
       "Information request received", "{body} received your information request {number}; the answer is due by "
       "{due}. Follow it: {link}"),
    _m("applicant.correction", APPLICANT, _("The officer asks the applicant to correct the request (补正)"),
       "number what by link",
       "政府信息公开申请需补正", "您的申请{number}需补正：{what}。请于{by}前补正，逾期视为放弃申请。{link}",
       "Your request needs correcting", "Request {number} needs correcting: {what}. Please correct it by {by}, or "
       "it counts as withdrawn. {link}"),
    _m("applicant.extension", APPLICANT, _("The answer period is extended (Art. 33)"), "number due reason link",
       "政府信息公开申请延期答复", "您的申请{number}经批准延期答复，新的答复期限{due}。理由：{reason}。{link}",
       "Answer period extended", "The answer to request {number} is extended to {due}: {reason}. {link}"),
    _m("applicant.consultation", APPLICANT, _("A third party is consulted (Art. 32)"), "number link",
       "政府信息公开申请征求第三方意见", "您的申请{number}涉及第三方权益，正在征求第三方意见，所需时间不计入答复期限。{link}",
       "Third party consulted", "Request {number} concerns a third party, who is being consulted; that time does "
       "not count towards the answer period. {link}"),
    _m("applicant.fee_due", APPLICANT, _("A fee is charged for the answer"), "number amount by link",
       "政府信息公开申请收费通知", "您的申请{number}需缴纳信息处理费{amount}元，请于{by}前缴纳。{link}",
       "Fee due", "Request {number}: a processing fee of ¥{amount} is due by {by}. {link}"),
    _m("applicant.answered", APPLICANT, _("The request is answered"), "number outcome link",
       "政府信息公开申请已答复", "您的申请{number}已答复（{outcome}），请查看：{link}",
       "Your request is answered", "Request {number} is answered ({outcome}): {link}"),
    _m("applicant.corrected", APPLICANT, _("The corrected request is received: the answer period starts again (Art. 30)"),
       "number due link",
       "补正材料已收到", "您的申请{number}补正材料已收到，答复期限重新计算至{due}。{link}",
       "Correction received", "The correction to request {number} is received; the answer is now due by {due}. {link}"),
    _m("applicant.consulted", APPLICANT, _("The third-party consultation is over and the clock runs again (Art. 32)"),
       "number due link",
       "第三方意见征询结束", "您的申请{number}第三方意见征询已结束，答复期限为{due}。{link}",
       "Consultation over", "The consultation on request {number} is over; the answer is due by {due}. {link}"),
    _m("applicant.paid", APPLICANT, _("The fee is paid and the information is provided"), "number amount link",
       "信息处理费已收到", "您的申请{number}信息处理费{amount}元已收到，我们将按您选择的方式提供信息。{link}",
       "Fee received", "The fee of ¥{amount} for request {number} is received; the information follows as you chose. {link}"),
    _m("applicant.abandoned", APPLICANT, _("The request is treated as abandoned (no correction, or the fee unpaid)"),
       "number reason link",
       "政府信息公开申请视为放弃", "您的申请{number}因{reason}，视为放弃申请，不再处理。{link}",
       "Request treated as abandoned", "Request {number} is treated as abandoned: {reason}. {link}"),
    _m("applicant.forwarded", APPLICANT, _("A request not for this body is forwarded to the right body"),
       "number body new_number link",
       "政府信息公开申请已转送", "您的申请{number}不属于本机关负责公开，已转送{body}办理，新编号{new_number}。{link}",
       "Request forwarded", "Request {number} is not for this body; it was forwarded to {body} as {new_number}. {link}"),
    _m("unit.request_corrected", UNIT, _("An applicant sends the correction to an information request online"),
       "number due link",
       "申请{number}已在线补正", "政府信息公开申请{number}的申请人已在线补正，答复期限重新计算至{due}：{link}",
       "Request {number} corrected online", "The applicant corrected information request {number} online; the "
       "answer is now due by {due}: {link}"),
    _m("unit.project_report_due", UNIT, _("A practical project's progress report is not in by its date"),
       "project due link",
       "市办实事进展报告未按期报送", "“{project}”应于{due}报送进展，尚未报送，请尽快报送：{link}",
       "Progress report missing", "The progress report on \"{project}\" was due on {due} and is not in. Report: {link}"),
    # --- events and 三民 (DOMAIN.md sections 8, 10) ----------------------------------------------------
    _m("attendee.confirmed", ATTENDEE, _("A sign-up for a public event is confirmed"), "event when where",
       "活动报名成功", "您已报名“{event}”，时间{when}，地点{where}。",
       "Sign-up confirmed", "You are signed up for \"{event}\" on {when} at {where}."),
    _m("representative.code", REPRESENTATIVE, _("A drawn representative's voting code is issued"), "campaign code link until",
       "三民活动评议码", "您已当选“{campaign}”市民代表，评议码{code}，请于{until}前评议：{link}",
       "Your voting code", "You were drawn as a representative for \"{campaign}\". Your code is {code}; vote by "
       "{until}: {link}", secret=True),
    _m("representative.reminder", REPRESENTATIVE, _("Voting closes in two days and the code is unused"), "campaign until link",
       "三民活动评议提醒", "“{campaign}”评议将于{until}截止，您尚未评议：{link}",
       "Voting reminder", "Voting for \"{campaign}\" closes on {until} and you have not voted yet: {link}"),
]}


class UnbalancedBraces(ValueError):
    """A template whose braces do not pair up ("编号{number", "}"): it cannot be read at all."""


class NotAVariable(ValueError):
    """A template field that is not a plain name ("{number.x}", "{0}", "{number!r}"); args[0] is the field."""


def variables_of(text: str) -> set[str]:
    """The {names} a template uses; raises UnbalancedBraces when its braces do not pair up and NotAVariable on
    anything but plain names (both are ValueErrors)."""
    names = set()
    try:
        # Python's parser says why in English ("expected '}' before end of string"): the form says it in words.
        parsed = list(string.Formatter().parse(text))
    except ValueError as error:
        raise UnbalancedBraces(str(error)) from error
    for _literal, field, spec, conversion in parsed:
        if field is None:
            continue
        if not field.isidentifier() or spec or conversion:
            # No attribute access, indexing, conversions or formats: a template is text with blanks.
            raise NotAVariable(field)
        names.add(field)
    return names
