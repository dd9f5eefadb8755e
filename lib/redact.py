"""Redaction of personal data in Chinese petition free text (DOMAIN.md sections 3 and 13).

Citizens write their identity into the text ("我叫…，住…，电话…") even when they ask for
confidentiality, so anything published from their own words must be read and masked first.
`lib.masking` (138****1234) is for staff screens; it leaks the last digits and is not good
enough for publication. Here every piece of personal data becomes a fixed token, so two
masked texts cannot be linked by what is left of a number:

    kind              token        what
    ---------------   ----------   ------------------------------------------------------
    "phone"           【电话】     mobile (138 1234 5678, 138-1234-5678, +8613812345678) and
                                   landline (0532-8888 6666, (0532)88886666, 053288886666),
                                   and any 7+ digit number after 电话/手机/联系方式/座机
    "id_number"       【身份证号】 resident ID, 18 digits (last may be X) or the old 15, with or
                                   without spaces; anything after 身份证号/证件号
    "bank_card"       【银行卡】   16-19 digits (alone or in groups of 4); anything after 卡号/账号
    "plate"           【车牌】     鲁B12345, 鲁B·D12345 (new energy), 京A-12345; after 车牌号
    "email"           【邮箱】     name@example.com
    "social_account"  【社交账号】 QQ and WeChat ids written after QQ/微信号
    "name"            【姓名】     a person's name after a cue (我叫/本人/我是/姓名/联系人/户主/
                                   业主/申请人/我爸爸/工友…) and the names listed after it
                                   (马建、刘小虎); a surname after 姓; a surname (with the given
                                   name, if written) before 先生/女士/阿姨/师傅/大爷/经理/主任…,
                                   and after 老/小 (老王说). The honorific stays: 【姓名】女士.
                                   A name of two or more characters found once is masked
                                   wherever else it is written (业主赵四…, 赵四说…)
    "house_number"    【门牌】     building, unit, floor-and-room and house numbers
    "credit_code"     【信用代码】 an organisation's unified social credit code (18 characters, the last a
                                   check character over the first 17); a string of that shape whose check
                                   character is wrong stays, as does one after a tracking cue (订单号…)
    "organisation"    【单位名称】 only as `known`: a confidential enterprise complainant's own name

The address rule: the road, the street (街道), the community and the 小区 name stay, the
numbers that pin down one home go. "福州路88号" becomes "福州路【门牌】", "海信小区3号楼2单元
501室" becomes "海信小区【门牌】", "12号院3-2-401" becomes "【门牌】". A bare "N号" is a house
number only after a road or community word (路, 街, 巷, 村, 小区, 花园…) or after 住/地址/门牌号,
so dates ("3月5号"), metro lines ("2号线") and documents stay.

Left alone, because they are not personal: service numbers (12345, 110, 95598, 400 numbers),
dates, times, amounts, counts, laws and their articles, unit and place names, and tracking
numbers a citizen quotes after 工单号/编号/受理号/订单号.

Names are found with cue words and a surname list, not with a segmenter: on a 418-character
petition jieba's part-of-speech tagging took about 6 ms (after 0.6 s to load) and tagged 王 /
秀英 apart, 齐全 and 谢谢 as names. The rules err on the side of masking (DOMAIN.md 13: nothing private gets out); lists of
words that merely start with a surname (李沧区, 黄岛, 王府井, 高血压…) keep ordinary text readable.

Limits: a name written with no cue at all ("张建国说…") is not found by the rules (a caller that knows
the person passes `known`: `petitions.privacy.redact_petition` masks the complainant's own name, phone and
ID number wherever they are written), nor is an address written only in words ("福州路八十八号" is, "福州路那栋红楼" is not). Callers that publish a citizen's own
words still need the citizen's consent and a person's review (DOMAIN.md 13); `find_personal_data`
lets a reviewer's screen show what was masked and why.

Pure and deterministic: precompiled regular expressions, no app imports (docs/development.md, rule 1). About
0.5 ms of CPU for a 1,500-character petition.
"""
from __future__ import annotations

import re
from collections.abc import Iterable

__all__ = ["TOKENS", "contains_personal_data", "find_personal_data", "redact"]

TOKENS = {
    "phone": "【电话】",
    "id_number": "【身份证号】",
    "bank_card": "【银行卡】",
    "plate": "【车牌】",
    "email": "【邮箱】",
    "social_account": "【社交账号】",
    "name": "【姓名】",
    "house_number": "【门牌】",
    "credit_code": "【信用代码】",
    "organisation": "【单位名称】",
}
# Overlapping findings are merged and named after the first kind in this order: a number found
# as an e-mail or an ID beats a house number or a name found inside it.
_PRIORITY = {kind: rank for rank, kind in enumerate(
    ("email", "id_number", "credit_code", "bank_card", "phone", "social_account", "plate", "house_number",
     "organisation", "name"))}

# Full-width digits, letters and signs are read as their ASCII twins. The mapping is one character
# to one character, so positions in the normalised text are positions in the original.
_FULLWIDTH = re.compile("[\u3000\uff08\uff09\uff0b\uff0d\uff0e\uff10-\uff1a\uff20-\uff3a\uff41-\uff5a]")


def _ascii_twin(m: re.Match) -> str:
    ch = m.group()
    return " " if ch == "\u3000" else chr(ord(ch) - 0xFEE0)


def _normalise(text: str) -> str:
    # Only the characters the patterns read (digits, letters, ：（）＋－．＠) are rewritten: a
    # regex sub over the few that occur is several times faster than str.translate on CJK text.
    return _FULLWIDTH.sub(_ascii_twin, text)


_CJK = "\u4e00-\u9fff"


def _matches(pattern: re.Pattern, text: str, not_after: str):
    """pattern.finditer(text), but no match starts right after a character of `not_after`.

    This is a lookbehind done by hand: a pattern that opens with a lookbehind loses the regex
    engine's fast scan for its first character, which made the detectors several times slower.
    """
    pos = 0
    while (m := pattern.search(text, pos)) is not None:
        start = m.start()
        if start and text[start - 1] in not_after:
            pos = start + 1
            continue
        yield m
        pos = m.end() if m.end() > start else start + 1


# Digit groups are written apart with spaces or dashes, and also with dots, slashes, underscores, middle dots
# and invisible zero-width characters (138.2222.3333, 138/2222/3333, 139_1234_5678): all join a number.
_SEP = r"(?:[ \u00a0\-–—./_·\u200b-\u200d\u2060\ufeff]{1,2})"

# ---------------------------------------------------------------------------------------------
# Numbers: runs of digits, possibly grouped with spaces or dashes, classified by length and shape.
# ---------------------------------------------------------------------------------------------
_RUN = re.compile(rf"\d(?:{_SEP}?\d){{6,}}(?:{_SEP}?[Xx](?![A-Za-z]))?(?!\d)")
_LANDLINE_PAREN = re.compile(r"[(]0\d{2,3}[)]\s?\d{3,4}[ \-]?\d{4}(?!\d)")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_ID18 = re.compile(r"[1-8]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}[\dX]")
_ID15 = re.compile(r"[1-8]\d{5}\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])\d{3}")
_LANDLINE = re.compile(r"0[1-9]\d{8,10}")
_DATE_PREFIX = re.compile(r"(?:19|20)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])")
# A number right after these words is a tracking or order number, not a person's.
_TRACKING_CUE = re.compile(
    r"(?:工单|单号|编号|受理号|流水号|订单|案件号|件号|查询码|快递|运单|发票|合同号|批次)"
    r"(?:号码|号)?[:\s为是]*$")


def _classify(pieces: list[str]) -> str | None:
    digits = "".join(pieces).upper()
    if digits.startswith("+"):
        digits = digits.lstrip("+ ")
    if len(digits) == 13 and digits.startswith("86") and _MOBILE.fullmatch(digits[2:]):
        return "phone"
    if len(digits) == 15 and digits.startswith("0086") and _MOBILE.fullmatch(digits[4:]):
        return "phone"
    if _MOBILE.fullmatch(digits):
        return "phone"
    if _ID18.fullmatch(digits) or _ID15.fullmatch(digits):
        return "id_number"
    if "X" in digits:
        return None
    if _LANDLINE.fullmatch(digits) and (len(pieces) == 1 or len(pieces[0]) in (3, 4)):
        return "phone"
    # A card is written whole or in groups of four (the last group may be shorter).
    if (16 <= len(digits) <= 19 and digits[0] != "0" and not _DATE_PREFIX.match(digits)
            and (len(pieces) == 1 or all(len(p) == 4 for p in pieces[:-1]))):
        return "bank_card"
    return None


# Staff screens show 138****5678 and 370202********1234 (lib.masking); copied into a text, those
# still leak the last digits, so they are masked whole.
_HALF_MASKED = (
    ("phone", re.compile(r"1[3-9]\d\*{4}\d{4}(?!\d)")),
    ("id_number", re.compile(r"[1-8]\d{2,5}\*{6,12}\d{2,3}[\dXx](?!\d)")),
)
_PIECE = re.compile(r"\d+|[Xx]")
_SIGN_BEFORE = re.compile(r"\+ ?$")


def _numbers(norm: str, found: list) -> None:
    for m in _RUN.finditer(norm):
        start = m.start()
        if _TRACKING_CUE.search(norm, max(0, start - 12), start):
            continue
        pieces = [(p.group(), p.start() + start, p.end() + start) for p in _PIECE.finditer(m.group())]
        sign = _SIGN_BEFORE.search(norm, max(0, start - 2), start)
        if sign:  # +86 138…: the sign belongs to the number
            pieces[0] = ("+" + pieces[0][0], sign.start(), pieces[0][2])
        _partition(pieces, found)
    for m in _LANDLINE_PAREN.finditer(norm):
        found.append(("phone", m.start(), m.end()))
    if "*" in norm:
        for kind, pattern in _HALF_MASKED:
            for m in _matches(pattern, norm, "0123456789"):
                found.append((kind, m.start(), m.end()))


def _partition(pieces: list[tuple[str, int, int]], found: list) -> None:
    """Read the groups left to right; at each, the longest run of neighbours that is a number wins.

    No number has more than 21 digits (+86 and a card of 19 at most), so a window stops there and
    a long row of digit groups costs linear time.
    """
    i = 0
    while i < len(pieces):
        best = None
        digits = 0
        for j in range(i, len(pieces)):
            digits += len(pieces[j][0])
            if digits > 21:
                break
            if digits >= 10 and (kind := _classify([p[0] for p in pieces[i:j + 1]])):
                best = (j, kind)
        if best is None:
            i += 1
            continue
        j, kind = best
        found.append((kind, pieces[i][1], pieces[j][2]))
        i = j + 1


# Numbers announced by a cue word are masked even when their shape is unusual (a local number
# without its area code, an ID typed short or half masked with *).
_CUED = [
    ("phone", re.compile(
        r"(?:联系电话|电话号码|手机号码|手机号|电话|手机|联系方式|座机|固话|tel|Tel|TEL)"
        r"[:\s是为]*(?<!\d)(\d{3,4}[ \-]?\d{4})(?![ \-]?\d)")),
    ("id_number", re.compile(
        r"(?:身份证|证件)(?:号码|号)?[:\s是为]*([\dXx*](?:[ \-]?[\dXx*]){5,17})")),
    ("bank_card", re.compile(
        r"(?:银行卡|卡号|账号|帐号|账户|帐户|工资卡)(?:号码|号)?[:\s是为]*(\d(?:[ \-]?[\d*]){7,18})")),
    ("social_account", re.compile(
        r"(?:QQ|qq|扣扣)(?:号码|号)?[:\s是为]*(\d{5,12})(?!\d)")),
    ("social_account", re.compile(
        r"(?:微信号|微信|vx|VX|wx)[:\s是为]*([A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-])")),
    ("plate", re.compile(
        r"车牌(?:号码|号)?[:\s是为]*([" + _CJK + r"]?\s?[A-Za-z][·・•.\- ]?[A-Za-z0-9]{4,6})(?![A-Za-z0-9])")),
]


def _cued(norm: str, found: list) -> None:
    for kind, pattern in _CUED:
        for m in pattern.finditer(norm):
            found.append((kind, m.start(1), m.end(1)))


_EMAIL = re.compile(r"[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}")
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_PLATE = re.compile(
    rf"[{_PROVINCES}] ?[A-Za-z][·・•.\- ]?(?=[A-Za-z0-9]{{0,5}}\d)"
    r"(?:[A-Za-z0-9]{5,6}|[A-Za-z0-9]{4}[挂学警港澳领])(?![A-Za-z0-9])")

# ---------------------------------------------------------------------------------------------
# House numbers. Elements: 3号楼 / 5栋 / 2单元 / 12号院 / 501室 / 16层 / 88号 / 3-2-401, chained.
# ---------------------------------------------------------------------------------------------
_NUMC = "[一二三四五六七八九十〇零]+"
_STRONG = (
    rf"(?:\d+[A-Za-z]?|[A-Za-z]\d*)(?:号楼|号院|(?:栋|幢|座)(?![楼房住]))"
    rf"|{_NUMC}(?:号楼|号院)"
    rf"|(?:\d+[A-Za-z]?|{_NUMC})单元"
    r"|\d{2,}[A-Za-z]?(?:室|号房|房间)(?![一二两三四\d]?厅)"
    r"|\d{1,3}-\d{1,2}-\d{3,4}(?:室|号)?"
)
_WEAK = (
    rf"\d+(?:-\d+)?号(?:[甲乙丙丁]|之\d+|附\d+)?(?![线文令窗台码字件牌位])|{_NUMC}号(?![线文令窗台码字件])"
    r"|\d{1,2}(?:层|楼)(?![房道梯上下顶面])"
    r"|\d{1,3}-\d{3,4}"
    r"|\d{3,4}(?![\d年月日天元块岁个次人号%℃度万平米:])"
)
_CHAIN = re.compile(
    rf"(?:(?P<strong>{_STRONG})|(?P<weak>{_WEAK}))"
    rf"(?P<tail>(?:[ 、]?(?:{_STRONG}|{_WEAK}))*)"
)
# Before a lone weak element (88号, 501, 3-501) these words make it part of an address.
_ADDRESS_CONTEXT = re.compile(
    r"(?:路|街|巷|里|弄|胡同|村|庄|屯|院|小区|社区|花园|公寓|家园|苑|园|城|大厦|广场|新村|山庄|公馆|府|湾|居|阁"
    r"|(?<![日周学时星假工延限预])期|住|住在|家住|现住|地址|住址|门牌|门牌号|门牌号码|楼上|楼下|对门|隔壁|楼)[:\s是为]*$"
)


_CHAIN_START = re.compile(r"[0-9A-Za-z一二三四五六七八九十〇零]+")


def _chains(norm: str):
    """_CHAIN tried where a run of digits, letters or numerals starts (not after a digit, - or .).

    Far faster than finditer, which tries the long alternation at every CJK character.
    """
    end = 0
    for run in _CHAIN_START.finditer(norm):
        start = run.start()
        if start < end or (start and norm[start - 1] in "0123456789-."):
            continue
        m = _CHAIN.match(norm, start)
        if m:
            end = m.end()
            yield m


def _house_numbers(norm: str, found: list) -> None:
    for m in _chains(norm):
        weak = m.group("weak")
        # A lone 88号 or 501, or a chain opening with a bare number, needs a road or 住 before it.
        needs_context = weak and (not m.group("tail") or weak.isdigit())
        if needs_context and not _ADDRESS_CONTEXT.search(norm, max(0, m.start() - 6), m.start()):
            continue
        if m.start() and norm[m.start() - 1] in "第共有约余近计":
            continue  # 第3号, 第一单元, 共12栋: an ordinal or a count, not an address
        found.append(("house_number", m.start(), m.end()))


# ---------------------------------------------------------------------------------------------
# Names.
# ---------------------------------------------------------------------------------------------
_COMPOUND_SURNAMES = (
    "欧阳 司马 诸葛 上官 东方 皇甫 尉迟 公孙 慕容 令狐 长孙 夏侯 端木 宇文 西门 南宫 独孤 司徒 "
    "申屠 澹台 轩辕 呼延 钟离 闻人 万俟 赫连 百里 东郭 第五").split()
_SURNAMES = set(
    "王张李刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段钱汤尹"
    "黎易常武乔贺赖龚文庞樊兰殷施陶洪翟安颜倪严牛温芦季俞章鲁葛伍韦申尤毕聂丛焦向柳邢路岳齐梅莫"
    "庄辛管祝左涂谷祁时舒耿牟卜詹关苗凌费纪靳盛童欧甄项曲成游阳裴席卫查屈鲍覃霍翁隋单包司柏宁柯"
    "阮桂闵解强柴华车冉房边辜吉饶刁瞿戚丘古米池滕晋苑邬臧畅宫苟全褚廉简娄盖符奚穆党燕郎邸冀谈姬"
    "屠连郜晏栾郁商蒙计喻揭窦迟宇敖糜鄢冷卓花仇艾蓝巩嵇井练仲乐虞卞封竺冼原官衣楚佟栗匡宗应巫鞠"
    "桑荆谌银明沙伏岑胥蔺云昌凤皮元平蒲邝郦雷闫逄綦矫亓战初修仝丰宿衡权帅佘巴阚鹿茹芮缪荣满卿戈"
)
# Surname characters that are also everyday word endings (维修, 门卫, 城管, 保安, 出租车…): before an
# honorific they count only at a word boundary.
_AMBIGUOUS = set(
    "车管卫门修安费居司工都时国海平全公利信元文明高万金江石单党马周黄班乐史任华龙方常成路房商"
    "章程包计宣相初云容敬来普区应边师原南强支齐易夏伍向关尚符毕季盛谷游项连景宫宗查封谈惠燕楚"
    "劳满位花权练井宿印战银干但展智幸富由水保元台官原明沙巴门丰卿戈木台和")
_BOUNDARY_BEFORE = set("的是找和与跟及叫让给对向被把请问有位名个到见了称姓那这该或同由等为经")
_SURNAME_RE = "(?:" + "|".join(_COMPOUND_SURNAMES) + "|[" + "".join(sorted(_SURNAMES)) + "])"

# Words that start with a surname character but are places, organisations or ordinary words.
_NOT_NAMES = set("""
李沧 李村 黄岛 平度 王府井 张村 金门 江西 宁夏 高新 高中 高层 高空 高速 高温 高血压 高龄 高烧 高档 高价
周边 周末 周围 周一 周二 周三 周四 周五 周六 周日 党员 党支部 马上 马路 单位 单元 单亲 单独 文化 海尔
海信 海边 海景 海滨 海岸 海水 万科 万达 石老人 于家 于是 时间 时候 时常 国家 国企 公司 公交 公安
公共 公园 公里 全部 全家 全体 全面 和平 都是 平时 平台 安全 安置 安装 利用 信访 信息 元旦 明天 明年
明显 明确 金额 金融 江苏 郑州 程序 方面 方便 方式 方向 白天 钱款 车辆 车位 车库 车主 向阳 常年 常住
常常 温度 康复 施工 牛奶 齐鲁 乔迁 章程 申请 申报 关于 关系 关注 兰州 宁波 尚未 符合 毕业 季度 成都
成员 成本 曲阜 路灯 路面 路口 路段 游客 管理 管道 华润 华侨 房屋 房子 房东 房主 房产 房租 房间 解决
艾滋 时代 司机 古镇 吉林 简单 连续 连接 景区 宫殿 费用 卫生 宗教 应该 应当 应急 边上 师傅 商户 商铺
商业 明白 查询 查处 查看 麻烦 官方 封闭 谈话 惠民 乐园 原来 原因 原先 燕儿岛 劳动 皮肤 满意 位置
花园 权益 强制 豆腐 盖章 练习 支付 计划 宣传 相关 初中 门口 门卫 云南 容易 来电 来信 普通 卫健委
银行 居民 居委 居住 阳台 阳光 穆斯林 项目 冷水 水电 水费 水管 水压 包括 包工头 和谐 台东 台湾
台风 保障 保证 保护 保安 保洁 保修 元月 班主任 任何 任务 市南 市北 崂山 城阳 即墨 胶州 莱西
段时间 习惯 成功 成立 齐全 雷雨 孔子 文明 文件 万元 明确 钟点 田地 田间 庄稼 夏天 秦岭 冯家 侯家
钱财 史料 严重 严格 龙湖 金地 融创 鲁商 中海 东方 上官 欧洲 司法 卓越 谷歌 沙子 荣誉 巩固 冀州
帅哥 曾经 原本 高考 高一 高二 高三 初一 初二 初三 钱包 常去 于某 宋体 黄金 白血病 胡同 石头 田里 孙辈
""".split())

# A given name does not start with these characters (they begin the words that follow a cue).
_STOP_FIRST = set(
    "的了是在和与及说于因从到已也都就还被把给对向等们去来男女先同反要想请让又再曾以自所这那该此每"
    "不没无有很某上下前后里内外今昨近本去年日号住电手身现区路街村镇市县省庄岛湾港巷楼栋室单层人员"
    "们妈爸哥姐弟妹儿孩老业委会局院校站店馆所队部办司社科处组说讲问叫找打拨联投举咨求告报称表个些"
    "其各之而但并或即便将能应需得着过")
# The third character of a name is not one of these; when it is, the name has two characters.
_STOP_SECOND = _STOP_FIRST | set("一二三四五六七八九十两几多半建正可如才为家月")
_STOP_SECOND -= set("东")  # 张晓东
# After a weak cue (我是, 本人, 业主) a name must be followed by one of these.
_TERMINATOR = re.compile(
    r"$|[^" + _CJK + r"]|住|家|现|电话|手机|联系|身份证|今年|年|岁|男|女|的|是|在|于|和|与|跟|及|同|来|"
    r"反映|投诉|举报|咨询|求助|想|要|请|我|本人|系|户|身|之|此|因|为|说|称|表示|也|都|已|从|到|去|被|"
    r"把|给|对|向|多|独|患|卧|退|今|昨|前|近|上|下|长期|常年|目前|那|这|每|曾|还|又|再|就|才|刚|"
    r"正|平时|经常|不|没|等|一直|一个|一家|一人"
)
_HONORIFIC_FULL = "先生|女士|小姐|同志"
_HONORIFIC = (
    "哥|姐|阿姨|师傅|大爷|大妈|大娘|大姐|大哥|大叔|叔叔|奶奶|爷爷|老师|总经理|经理|主任|书记|医生|律师|警官|"
    "队长|科长|局长|所长|站长|处长|院长|校长|组长|部长|村长|厂长|行长|会计|总")
_HONORIFIC_AT = re.compile(f"{_HONORIFIC_FULL}|{_HONORIFIC}")
_COMPOUND_SET = set(_COMPOUND_SURNAMES)
_HONORIFIC_FULL_WORDS = set(_HONORIFIC_FULL.split("|"))
_HONORIFIC_WORDS = set(_HONORIFIC.split("|")) | _HONORIFIC_FULL_WORDS
# Two characters before a surname that make one word with it: 关于老师, 维修师傅, 修车师傅.
_WORD_BEFORE_SURNAME = set("关于 对于 由于 至于 等于 属于 位于 处于 基于 鉴于 终于 在于 过于 用于 便于 "
                           "出于 高于 低于 大于 小于 多于 免于 忙于 维修 装修 检修 修车".split())
_STRONG_CUE = (
    ",叫|，叫|我叫|我名叫|名叫|名字叫|名字是|叫做|本人姓名|业主姓名|姓名|联系人|户主|申请人|投诉人|举报人|反映人|"
    "来电人|诉求人|当事人|签名|落款|署名|报修人|求助人")
_RELATIVES = (
    "爸爸|父亲|妈妈|母亲|老伴儿|老伴|丈夫|老公|妻子|爱人|媳妇|儿子|女儿|孩子|孙子|孙女|外孙女|外孙|"
    "哥哥|姐姐|弟弟|妹妹|公公|婆婆|岳父|岳母|爷爷|奶奶|姥姥|姥爷|外公|外婆|叔叔|舅舅|姑姑|女婿|儿媳|"
    "侄子|侄女|家属|亲戚|邻居|朋友|同事|房东|租户|租客|爸|妈|哥|姐|弟|妹")
# After a kinship word a surname is nearly always a name (我爸爸赵德明心脏病发作), so these cues
# count as strong; 我妈妈高血压 and the like are kept by _NOT_NAMES.
_KIN_CUES = {me + kin for me in ("我", "我的", "我家") for kin in _RELATIVES.split("|")}
# Without 我 these words introduce someone else as often as not (工友马建, but 邻居家, 同事说).
_COMPANIONS = "工友|同事|邻居|朋友|老板|房东|租户|同学|老乡|室友|师傅|家属|老人|患者|病人|孩子|租客"
_WEAK_CUES = {"我是", "本人", "业主", "房主"} | set(_COMPANIONS.split("|"))
# 我是胶州的张磊: a name closing a self-introduction.
_SELF_INTRO = re.compile(r"我是[^,，。.;；!！?？\s]{1,12}?的")
# 老王, 小李: a surname used as a name. Only unambiguous surnames, and only before a word that
# follows a person (老王说, 小李家, 老王的车), so 小康社会, 老房子 and 小于 stay.
_FAMILIAR = re.compile(
    "(?P<pre>[老小])(?P<sur>[" + "".join(sorted(_SURNAMES - _AMBIGUOUS - {"于", "康", "米", "钱", "孙"})) + "])"
    "(?=$|[^" + _CJK + "]|[说家的他她也都就还又一在是和跟让帮给找告把被对向讲问打来去天每总经常这那今昨"
    "前后上下不没很非早晚刚才已曾正要想会能可])"
)
# A name listed after another: 工友马建、刘小虎也被欠了工资.
_LIST_JOINER = "、和与及"


def _literal_alternation(words) -> re.Pattern:
    """Words grouped by first character, longest first: 我(?:叫|是|爸爸…)|本(?:人…).

    Twice as fast as a flat alternation, which the engine tries word by word at every position.
    """
    by_first: dict[str, list[str]] = {}
    for word in sorted(set(words), key=len, reverse=True):
        by_first.setdefault(word[0], []).append(re.escape(word[1:]))
    return re.compile("|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in by_first.items()))


_NOT_NAME_RE = _literal_alternation(_NOT_NAMES)
_CUE = _literal_alternation(set(_STRONG_CUE.split("|")) | _KIN_CUES | _WEAK_CUES)
_AFTER_CUE = re.compile(r"(?P<colon>[:\s]*)(?:叫|名叫|是|为)?[:\s]*")
_SURNAME_AFTER_XING = re.compile(rf"姓[:\s]?(?P<sur>{_SURNAME_RE})(?!名|氏)")
_SURNAME_AT = re.compile(_SURNAME_RE)
_CJK_RE = re.compile(f"[{_CJK}]")


def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff"


def _not_a_name(norm: str, pos: int) -> bool:
    return _NOT_NAME_RE.match(norm, pos) is not None


def _name_at(norm: str, pos: int, *, strong: bool, colon: bool) -> int | None:
    """The end of a name starting at `pos`, or None."""
    if pos >= len(norm) or not _is_cjk(norm[pos]) or _not_a_name(norm, pos):
        return None
    m = _SURNAME_AT.match(norm, pos)
    if m is None:
        if not (strong and colon):
            return None
        given_from = pos + 1  # "姓名：…" introduces a name even with a rare surname
    else:
        given_from = m.end()
    given = ""
    i = given_from
    while len(given) < 2 and i < len(norm) and _is_cjk(norm[i]):
        given += norm[i]
        i += 1
    if not given:
        # 我叫刘，电话…: a surname alone after a strong cue
        alone = given_from == len(norm) or norm[given_from] in " ,.;:!?)，。、；！？）"
        return given_from if strong and m is not None and alone else None
    if given[0] in _STOP_FIRST:
        return None
    if any(norm.startswith(word, given_from) for word in _HONORIFIC_WORDS):
        return None  # 联系人王女士: the honorific rule masks the surname
    ends = [given_from + 1]
    if len(given) == 2 and given[1] not in _STOP_SECOND:
        ends.insert(0, given_from + 2)
    for end in ends:
        if _TERMINATOR.match(norm, end):
            return end
    return ends[0] if strong else None


def _names(norm: str, found: list) -> None:
    for m in _CUE.finditer(norm):
        after = _AFTER_CUE.match(norm, m.end())
        pos = after.end()
        end = _name_at(norm, pos, strong=m.group() not in _WEAK_CUES, colon=bool(after.group("colon")))
        while end:
            found.append(("name", pos, end))
            if end >= len(norm) - 1 or norm[end] not in _LIST_JOINER:
                break
            pos = end + 1
            end = _name_at(norm, pos, strong=False, colon=False)
    for m in _FAMILIAR.finditer(norm):
        before = norm[m.start() - 1] if m.start() else ""
        if not before or before not in "大从最很太较更变缩养敬古元":
            found.append(("name", m.start("sur"), m.end("sur")))
    for m in _SELF_INTRO.finditer(norm):
        end = _name_at(norm, m.end(), strong=False, colon=False)
        if end:
            found.append(("name", m.end(), end))
    for m in _matches(_SURNAME_AFTER_XING, norm, "百贵同"):
        found.append(("name", m.start("sur"), m.end("sur")))
    for m in _HONORIFIC_AT.finditer(norm):
        # Read backwards from the honorific: 王先生, 欧阳女士, 王小明先生 (a given name only before
        # 先生/女士/小姐/同志; 项目经理 and 班主任 would otherwise read as names).
        h = m.start()
        given_lengths = (0, 1, 2) if m.group() in _HONORIFIC_FULL_WORDS else (0,)
        for given_len in given_lengths:
            for sur_len in (1, 2):
                start = h - given_len - sur_len
                if start < 0:
                    continue
                sur = norm[start:start + sur_len]
                if sur not in (_SURNAMES if sur_len == 1 else _COMPOUND_SET):
                    continue
                given = norm[start + sur_len:h]
                if _honorific_name_ok(norm, start, sur, given):
                    found.append(("name", start, h))


def _honorific_name_ok(norm: str, start: int, sur: str, given: str) -> bool:
    before = norm[start - 1] if start else ""
    if _not_a_name(norm, start) or before + sur[0] in _WORD_BEFORE_SURNAME:
        return False
    if given and (not all(_is_cjk(ch) for ch in given) or given[0] in _STOP_FIRST
                  or any(ch in _STOP_SECOND for ch in given[1:])):
        return False
    if sur in _AMBIGUOUS and _is_cjk(before) and before not in _BOUNDARY_BEFORE:
        return False  # 维修师傅, 门卫大爷, 保安叔叔
    # 向王女士: the name is 王…, read again from there
    return not (sur in _AMBIGUOUS and given and given[0] in _SURNAMES)


# ---------------------------------------------------------------------------------------------

# The unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters of 0-9 and 21 letters
# (no I, O, S, V, Z), the last a check character over the first 17.
_CREDIT_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_CREDIT = re.compile(r"(?<![0-9A-Za-z])[0-9A-HJ-NPQRTUWXY]{2}\d{6}[0-9A-HJ-NPQRTUWXY]{10}(?![0-9A-Za-z])")


def credit_code_valid(code: str) -> bool:
    code = code.upper()
    if len(code) != 18 or any(c not in _CREDIT_CHARS for c in code):
        return False
    total = sum(_CREDIT_CHARS.index(c) * w for c, w in zip(code, _CREDIT_WEIGHTS))
    return _CREDIT_CHARS[(31 - total % 31) % 31] == code[17]


def _credit_codes(norm: str, found: list) -> None:
    for m in _CREDIT.finditer(norm.upper()):
        if credit_code_valid(m.group()) and not _TRACKING_CUE.search(norm, max(0, m.start() - 12), m.start()):
            found.append(("credit_code", m.start(), m.end()))


_DETECTORS = (_credit_codes, _numbers, _cued, _house_numbers, _names)
_CN_DIGITS = dict(zip("〇零一幺二两三四五六七八九", "0011223456789"))
_CN_DIGIT = re.compile(f"[{''.join(_CN_DIGITS)}]")
_CN_RUN = re.compile(f"[{''.join(_CN_DIGITS)}]{{3,}}")  # a room (五零一) at the least: most texts have none


def find_personal_data(text: str, known: Iterable[tuple[str, str]] = ()) -> list[tuple[str, tuple[int, int]]]:
    """Every piece of personal data in `text` as (kind, (start, end)), in reading order.

    `known`: (kind, value) pairs the caller knows belong to the person (a confidential complainant's own name):
    each occurrence is found even with no cue around it ("张建国说…") and with spaces between its characters
    ("张 建 国"). Values under two characters are ignored.
    Spans do not overlap: overlapping findings are merged into one span of the higher kind.
    """
    if not text:
        return []
    norm = _normalise(text)
    found: list[tuple[str, int, int]] = []
    for kind, value in known:
        value = re.sub(r"\s+", "", _normalise((value or "").strip()))
        if len(value) >= 2:
            # Also written with spaces or marks between its characters (王 小 明, 138.2222.3333, 138/2222/3333,
            # 370202.19800101.1232): the same person. Letters, digits and CJK are never skipped.
            for m in re.finditer(r"[\W_]{0,3}".join(map(re.escape, value)), norm):
                found.append((kind, m.start(), m.end()))
    if "@" in norm:
        for m in _EMAIL.finditer(norm):
            found.append(("email", m.start(), m.end()))
    for m in _PLATE.finditer(norm):
        found.append(("plate", m.start(), m.end()))
    for detector in _DETECTORS:
        detector(norm, found)
    if _CN_RUN.search(norm):
        # Numbers said in Chinese digits (一三九一二三四五六七八, 幺三九…): read as digits, position for position,
        # by the number rules only (the name rules keep 张三 a name, not 张3).
        digits = _CN_DIGIT.sub(lambda m: _CN_DIGITS[m.group()], norm)
        _numbers(digits, found)
        _cued(digits, found)
        _house_numbers(digits, found)
    # A name found once (after its cue: 业主赵四反映…) is the same person wherever else it is written
    # (赵四说…, 找赵四核实): every other occurrence goes too. Single characters (王女士's 王) are not searched.
    for name in {norm[start:end] for kind, start, end in found if kind == "name" and end - start >= 2}:
        start = norm.find(name)
        while start >= 0:
            found.append(("name", start, start + len(name)))
            start = norm.find(name, start + len(name))
    # Overlapping findings become one span named after the highest kind among them, so nothing
    # any detector flagged is left half visible (a name inside an e-mail is the e-mail).
    found.sort(key=lambda f: (_PRIORITY[f[0]], -(f[2] - f[1]), f[1]))
    taken: list[tuple[str, int, int]] = []
    for kind, start, end in found:
        clash = [t for t in taken if t[1] < end and start < t[2]]
        for t in clash:
            taken.remove(t)
            kind = min(kind, t[0], key=_PRIORITY.__getitem__)
            start, end = min(start, t[1]), max(end, t[2])
        taken.append((kind, start, end))
    taken.sort(key=lambda t: t[1])
    return [(kind, (start, end)) for kind, start, end in taken]


def contains_personal_data(text: str) -> bool:
    return bool(find_personal_data(text))


def redact(text: str | None, known: Iterable[tuple[str, str]] = (), *, keep: Iterable[str] = ()) -> str:
    """`text` with each piece of personal data replaced by its token (see TOKENS); `known` as in
    find_personal_data; `keep`: kinds left as written (a supervisor reads where, not who: house numbers).

    None reads as "" (it is also the `redact` template filter, where a field may be empty).
    """
    if not text:
        return ""
    keep = frozenset(keep)
    spans = [(kind, span) for kind, span in find_personal_data(text, known) if kind not in keep]
    if not spans:
        return text
    parts = []
    last = 0
    for kind, (start, end) in spans:
        parts.append(text[last:start])
        parts.append(TOKENS[kind])
        last = end
    parts.append(text[last:])
    return "".join(parts)
