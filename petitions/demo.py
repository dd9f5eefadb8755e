"""Sample petitions for the demo city, filed through the intake service.

Only added once: the loader checks for its own marker petitions, so running
it again adds nothing. Later apps' demo modules move petitions further along.
"""
from __future__ import annotations

from org.models import Area, Classification, User
from petitions import services, suggest
from petitions.models import Channel, Kind, Petition, Stream, SuggesterModel

SAMPLES = [
    # channel, kind, street code, leaf name, title, content, name, phone
    (Channel.PHONE, Kind.COMPLAINT, "370202001", "餐饮油烟", "楼下饭店油烟直排", "八大关街道某小区1号楼楼下的饭店油烟直接排放，家里窗户都不敢开，已持续两个月。", "王先生", "13800000001"),
    (Channel.WEB, Kind.COMPLAINT, "370203006", "占用人行道停车", "人行道被车辆长期占用", "台东三路步行街入口的人行道每天被机动车占满，老人孩子只能走机动车道，很危险。", "李女士", "13800000002"),
    (Channel.WECHAT, Kind.HELP, "370211001", "暖气不热", "家中暖气不热", "黄岛街道某小区3号楼2单元暖气温度只有14度，家中有老人和婴儿，请尽快处理。", "张先生", "13800000003"),
    (Channel.PHONE, Kind.CONSULTATION, "370212005", "公积金提取", "公积金提取条件咨询", "想咨询一下租房提取公积金需要什么材料，每年可以提取几次。", "赵女士", "13800000004"),
    (Channel.MAYOR_MAILBOX, Kind.SUGGESTION, "370213005", "公交站点设置", "建议增设公交站点", "李村街道新建小区入住三千余户，最近的公交站步行要二十分钟，建议在小区门口增设站点。", "孙先生", "13800000005"),
    (Channel.GRID, Kind.REPORT, "370214003", "违建阳光房", "小区内有人违法搭建阳光房", "夏庄街道某小区顶楼住户正在搭建阳光房，已经施工三天，网格员现场核实。", "网格员周某", "13800000006"),
    (Channel.PHONE, Kind.COMPLAINT, "370215001", "拖欠农民工工资", "工地拖欠工资", "通济街道某项目工地拖欠我们十二名工人三个月工资共计约二十万元，多次讨要未果。", "吴先生", "13800000007"),
    (Channel.MEDIA, Kind.COMPLAINT, "370281001", "道路积水", "电视台热线：路口积水严重", "市民向电视台反映阜安街道某路口每逢下雨积水严重，车辆行人无法通行。", "观众郑女士", "13800000008"),
    (Channel.PEOPLES_DAILY, Kind.COMPLAINT, "370283001", "征收补偿", "留言板：征收补偿不到位", "网民在领导留言板反映东阁街道某村征收补偿款至今未发放。", "网民", "13800000009"),
    (Channel.PHONE, Kind.COMPLAINT, "370285001", "社会生活噪音", "楼上装修噪音", "水集街道某小区楼上住户每天早上七点前开始装修，严重影响休息。", "冯女士", "13800000010"),
]


def load(stdout=None) -> None:
    if not SuggesterModel.objects.exists():
        # The demo city suggests with the learnt model from the start, not only after the first night's beat.
        stored = suggest.suggester_train()
        if stdout and stored:
            stdout.write(f"petitions: classification suggester trained on {stored.examples} texts")
    operator = User.objects.filter(username="operator").first()
    if Petition.objects.filter(complainant_phone="13800000001").exists():
        if stdout:
            stdout.write("petitions: samples already present")
        return
    areas = {a.code: a for a in Area.objects.filter(code__in=[s[2] for s in SAMPLES])}
    leaves = {c.name: c for c in Classification.objects.filter(name__in=[s[3] for s in SAMPLES], is_leaf=True)}
    filed = []
    for channel, kind, area_code, leaf, title, content, name, phone in SAMPLES:
        petition, _ = services.petition_file(
            channel=channel, kind=kind, area=areas[area_code], classification=leaves.get(leaf), title=title,
            content=content, complainant_name=name, complainant_phone=phone,
            actor=operator if channel == Channel.PHONE else None,
        )
        filed.append(petition)
    consultation = next(p for p in filed if p.kind == Kind.CONSULTATION)
    services.petition_close_on_spot(
        petition=consultation, actor=operator,
        answer="租房提取需提供身份证、租赁合同备案证明；每年可提取一次。已按知识库答复来电人。",
    )
    media = next(p for p in filed if p.channel == Channel.PEOPLES_DAILY)
    services.petition_screen(petition=media, stream=Stream.PETITION_MATTER, routed_to="市信访局", actor=operator,
                             reason="征收补偿争议属信访事项，转市信访局依法处理。")
    if stdout:
        stdout.write(f"petitions: {len(filed)} sample petitions filed")
