"""Build the classification standard (五级事项分类, DOMAIN.md section 3) as data.

    python org/data/build_standard.py            # writes classification_standard.csv beside it
    python org/data/build_standard.py --xlsx     # and classification_standard.xlsx (needs openpyxl)

The tree follows the shape of the published local standards for 12345 petition
classification and codes (Guangdong DB44/T 2479-2024, Hohhot DB1501/T 0032-2023):
three top classes, a two-digit code per level (01 / 0101 / 010101 / 01010101 /
0101010101), and every leaf carrying its handling tier and responsible sector.

The tree is written below as indented text, one node a line, two spaces a level:

    民生诉求 livelihood                                  level 1: name and top class
      物业服务 @housing #7 [物业,小区]                    level 2: sector, tier, keywords
        物业收费                                          level 3 (inherits; may override)
          物业费: 物业费上涨、空置房物业费#3               level 4 with its level-5 leaves
          物业人员态度差                                  level 4 leaf

`@sector` is a sector code of org/demo.py SECTORS, `#N` a tier in working days
(1, 3, 7, 11), `!H` the urgent tier with its limit in hours; each applies to the
node and everything below it unless overridden. A leaf's keywords are its own
name, its level-4 parent's and the level-2 category's keywords.

Codes are positions, so a published code never changes: add new items at the END
of their branch, and retire an item (is_active) rather than delete it.
"""
from __future__ import annotations

import csv
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
CSV_PATH = HERE / "classification_standard.csv"
XLSX_PATH = HERE / "classification_standard.xlsx"
COLUMNS = ["code", "parent_code", "level", "name", "top_class", "tier", "urgent_hours", "sector", "keywords"]
TIERS = {"1", "3", "7", "11"}
MAX_KEYWORDS = 300  # Classification.keywords max_length

TREE = """\
民生诉求 livelihood
  物业服务 @housing #7 [物业,小区,业主,物业公司]
    物业收费
      物业费: 物业费收费标准争议、物业费擅自上涨、物业收费未公示、空置房物业费、强制预收物业费、物业费发票开具
      停车管理费: 小区停车费标准争议、地下车位管理费、临时停车收费
      公共收益: 公共收益未公开、电梯广告收益分配、公共车位出租收益
      代收费用: 物业代收水电费加价、物业断水断电催费#1
    物业服务质量
      保洁服务: 楼道卫生差、小区垃圾堆积、化粪池清掏不及时#3
      绿化养护: 小区绿化缺乏养护、小区树木遮挡采光、擅自砍伐小区树木
      安保服务: 门岗形同虚设、小区外来人员随意进出、监控设施损坏
      物业人员态度差
      物业不作为: 报修无人处理、物业推诿维修责任、物业不制止违规行为
      物业公司撤场: 物业公司突然撤场#3、新旧物业交接纠纷、物业资料移交
    共用设施设备
      电梯运行维护: 电梯频繁故障、电梯维保不到位、电梯年检过期、老旧电梯更新
      楼道设施: 楼道照明损坏、单元门禁损坏、楼道窗户破损
      小区供水设施: 二次供水水箱清洗、小区水泵房故障#1
      小区道路与设施: 小区路面破损、小区路灯损坏、小区健身器材损坏、小区排水不畅
      房屋共用部位维修: 楼顶漏水维修、外墙皮脱落#1、楼道墙面开裂
      充电设施: 小区充电桩安装受阻、电动自行车充电棚设置
    业主自治
      业主委员会: 业委会成立指导、业委会换届选举、业委会履职不规范
      业主大会: 业主大会召开、选聘物业公司表决
      专项维修资金: 维修资金申请使用、维修资金续筹、维修资金账目公开
    无物业小区
      老旧小区无物业管理: 无物业楼院卫生无人管、无物业楼院引入物业服务
      开放式楼院管理: 楼院自治管理、楼院准物业服务
  房屋与住房保障 @housing #11 [房子,住房,开发商,房产证]
    房屋质量
      新建商品房质量: 新房墙体开裂、新房渗漏水、新房空鼓起砂、保修期内维修推诿
      既有房屋安全: 危房鉴定#3、房屋沉降、阳台结构隐患#3
      外墙保温脱落#3
      房屋白蚁防治
    商品房交易
      逾期交房
      不动产登记: 不动产证办理难、分户办证延迟、网签备案问题
      商品房销售: 捆绑销售车位、虚假宣传楼盘、认购定金不退、商品房价格备案
      房屋中介: 中介隐瞒房屋信息、中介费争议、中介骚扰电话#7
      烂尾楼盘: 楼盘停工烂尾、保交楼进度
      商品房预售资金监管
    房屋租赁
      租赁纠纷: 房东不退押金、房东提前收房、长租公寓爆雷
      群租房: 群租房隔断出租、群租房安全隐患#3
      租赁登记备案
      住房租赁补贴
    住房保障
      公租房: 公租房申请、公租房配租排队、公租房维修、公租房租金
      保障性租赁住房
      人才住房: 人才住房申请、人才购房补贴
      住房补贴发放
    老旧小区改造
      改造进度: 改造工程停工、改造进度慢
      改造质量: 改造后外墙渗水、改造管网漏水、改造道路不平
      既有住宅加装电梯: 加装电梯邻里协调、加装电梯补贴、加装电梯审批流程
      改造内容意见
      老旧小区管网改造
      老旧小区雨污分流
  供水 @water #3 [水,自来水,停水,水压]
    停水
      突发停水!24
      计划停水未通知#1
      频繁停水
      停水后恢复供水慢!24
    水质
      自来水浑浊发黄#1
      自来水有异味#1
      二次供水水质问题
    水压
      水压低: 早晚高峰水压低、顶层住户水压低
      高层供水不上#1
    供水设施
      供水管道漏水!24
      水表故障: 水表空转、水表冻裂!24、水表更换
      消火栓漏水#1
    供水服务
      水费争议: 水费异常偏高、阶梯水价、水费缴纳渠道
      供水开户过户
      自来水一户一表改造
      新建小区供水接入#11
  供电 @power #3 [电,停电,电压,电费]
    停电
      突发停电!24
      计划停电未通知#1
      频繁停电
      单户停电!24
    用电质量
      电压低
      电压不稳烧坏电器
      频繁跳闸
    电力设施
      电线杆倾斜#1
      电线下垂老化#1
      变压器噪音
      高压线安全距离#3
      电力设施迁改#11
      配电箱损坏#1
    用电服务
      电费争议: 电费异常偏高、阶梯电价、电费缴纳渠道
      电表问题: 电表跳闸、电表走字快
      用电报装: 新装用电、增容申请、充电桩报装
  燃气 @gas #3 [燃气,天然气,煤气,液化气]
    燃气安全
      燃气泄漏!2
      燃气管道老化
      燃气管道占压
      燃气设施私自改装
      瓶装液化气安全#1
    停气
      突发停气!24
      计划停气未通知#1
      燃气压力不足#1
    燃气服务
      燃气开户通气
      燃气费争议: 燃气费偏高、燃气阶梯价格、燃气卡充值
      燃气表故障#1
      入户安检: 入户安检预约、安检人员推销燃气具
      燃气报警器安装
      燃气初装费
      燃气自闭阀安装收费
      燃气公司服务态度
  供暖 @heating #1 [暖气,供暖,供热,采暖]
    供暖质量
      暖气不热!24
      暖气不热部分房间!24
      室温不达标#1
      暖气漏水!24
      暖气跑水!2
      暖气管道异响
      暖气片冰凉不循环!24
      楼宇单元整体不热!24
    供暖服务
      供暖费争议#3: 供暖费偏高、供暖费缴纳、空置房供暖费、热计量收费
      报停供暖#3
      申请开栓供暖#3
      新建小区供暖开通#7
      供暖延期停暖#3
      提前供暖建议#7
      延长供暖期建议#7
      分户供暖改造#7
    供热设施
      供热管网漏水!24
      换热站噪音#3
      热力井盖缺失#1
  社会保险 @labour #7 [社保,养老保险,医保,参保]
    养老保险
      养老金发放: 养老金未按时发放、养老金核算有误、养老金资格认证
      养老保险缴费: 灵活就业人员缴费、补缴养老保险、缴费基数
      养老保险关系转移接续
      城乡居民养老保险
      退休审批: 退休年龄认定、特殊工种提前退休、退休档案审核
    失业保险
      失业金申领
      失业保险技能提升补贴
      稳岗返还
    工伤保险
      工伤认定申请
      工伤待遇支付
      劳动能力鉴定
    社保卡服务
      社保卡办理补换
      社保卡激活与挂失
      社保卡金融功能
    社保经办服务
      社保缴费记录查询
      社保经办窗口服务
      社保待遇资格认证
  医疗卫生 @health #7 [医院,看病,医生,卫生]
    医疗服务
      医院服务态度差
      看病难挂号难: 专家号难挂、网上预约挂号故障、号贩子倒号
      医疗收费问题: 重复收费、过度检查、收费标准不透明
      医疗纠纷
      医院环境秩序: 医院停车难、医院卫生间脏乱
      急救服务: 救护车到达慢#1、急救收费
    公共卫生
      疫苗接种: 儿童疫苗接种预约、成人疫苗接种、狂犬疫苗接种#1
      病媒生物防制: 蚊蝇滋生、老鼠泛滥、蟑螂防治
      公共场所卫生: 游泳场所卫生、美容美发卫生、宾馆卫生
      饮用水卫生
      职业病防治
    卫生监督
      非法行医#3
      医疗美容纠纷
      诊所违规执业#3
    妇幼与计生
      出生医学证明办理
      生育登记服务
      独生子女父母奖励
      婴幼儿托育服务
    基层医疗
      社区卫生服务中心服务
      家庭医生签约
      村卫生室服务
      社区医院药品不全
    中医药服务
      中医馆服务
      中医药诊疗收费
  医疗保障 @medical_insurance #7 [医保,报销,医疗保险]
    医保待遇
      医保报销比例
      门诊慢特病认定
      大病保险
      住院报销问题
    医保经办
      居民医保缴费
      职工医保缴费
      异地就医备案: 异地就医直接结算、异地转诊备案、异地长期居住备案
      医保个人账户
      医保电子凭证
      医保定点机构申请
      长期护理保险
    医药价格与采购
      药品价格偏高
      集采药品供应短缺
      医用耗材收费
    医保基金监管
      医院骗保线索#3
      药店违规刷医保卡#3
  教育 @education #7 [学校,孩子,上学,老师]
    入学招生
      学区划分: 学区划分不合理、学区房政策
      义务教育入学报名: 小学入学报名、初中入学报名
      随迁子女入学
      转学手续
      幼儿园入园: 公办幼儿园学位不足、幼儿园报名
      中考招生
    学校管理
      学校乱收费
      教辅材料强制征订
      校园安全: 校园欺凌#1、学校周边安全隐患#3、校车安全#3
      学校食堂管理#3
      课后延时服务
      作业负担过重
      教师师德师风: 教师体罚学生#3、教师有偿补课
      学生近视与体质健康
      学校放学时间
      学生午休午餐
      学校空调安装
    校外培训
      无证校外培训机构
      校外培训机构退费难
      学科类培训违规开班
    职业与继续教育
      职业学校管理
      学历认证
      成人高考与自学考试
    教师队伍
      教师招聘
      教师工资待遇
      代课教师待遇
      教师资格认定
    特殊教育
      特殊儿童入学
      送教上门
    学生资助
      助学金发放
      生源地助学贷款
  民政服务 @civil #7 [低保,救助,养老,民政]
    社会救助
      最低生活保障: 低保申请、低保资格复核、低保金发放
      特困人员供养
      临时救助
      医疗救助
      流浪乞讨人员救助#1
    养老服务
      养老机构服务: 养老院服务质量、养老院收费、民办养老机构监管
      居家社区养老: 社区食堂助餐、居家养老上门服务、日间照料中心
      高龄津贴发放
      老年人优待证办理
    婚姻登记
      结婚登记预约
      离婚登记冷静期
      婚姻登记档案查询
    殡葬管理
      殡葬服务收费
      公墓管理
      违规土葬
      网络祭扫
    社区治理
      社区工作人员态度差
      社区盖章证明难
      社区服务设施
      社区党群服务中心
      社区志愿服务
    儿童福利
      困境儿童保障
      孤儿基本生活费
    社会组织管理
      社会组织登记
      非法社会组织线索
  户籍证件 @police #7 [户口,身份证,户籍,派出所]
    户籍管理
      户口迁入: 落户政策咨询、人才落户、投靠落户、积分落户
      户口迁出
      新生儿落户
      户籍信息更正
      死亡注销户口
    居民身份证
      身份证申领换领
      临时身份证办理
      身份证异地办理
    居住证
      居住证申领
      居住证签注
    出入境证件
      护照办理
      港澳通行证办理
      台湾通行证办理
    车驾管业务 @traffic
      驾驶证业务: 驾驶证换证、驾驶证补证、驾驶证扣分
      机动车登记: 机动车上牌、机动车过户、机动车年检
      车辆违章处理: 违章记录异议、电子监控抓拍错误、违章罚款缴纳
      电动自行车上牌
  公共交通 @transport #7 [公交,地铁,出租车,车]
    公交服务
      公交线路调整
      公交站点设置
      公交车辆晚点
      公交司机服务态度
      公交车辆拒载甩站
      公交刷卡与乘车码
      老年人免费乘车
      学生公交卡
      公交末班车时间
      公交车内空调
      新开公交线路建议
    轨道交通
      地铁服务
      地铁站出入口设置
      地铁换乘不便
      地铁施工影响
      地铁车厢拥挤
      地铁安检
    出租车
      出租车拒载#3
      出租车绕路多收费#3
      出租车不打表#3
      出租车遗失物品#1
    网约车
      网约车乘客纠纷#3
      网约车平台违规
      网约车驾驶员证件
      顺风车纠纷
    长途客运与水运
      长途客运站服务
      轮渡服务
      客运班线调整
  通信与快递 @telecom #7 [手机,宽带,信号,快递]
    通信服务
      手机信号差
      宽带网络故障#3
      通信资费争议
      营业厅服务态度
      套餐办理误导
      携号转网受阻
      固话移机
      通信基站建设
      垃圾短信骚扰电话
    快递服务 @postal
      快递延误
      快递丢失损坏
      快递员服务态度
      快递驿站乱收费
      快递车辆乱停放
      快递未经同意放驿站
      快递柜超时收费
    邮政服务 @postal
      邮政投递
      邮局服务
  文化体育 @culture #7 [图书馆,文化,体育,公园]
    公共文化服务
      图书馆服务
      文化馆活动
      博物馆开放
      农家书屋
    体育服务 @sports
      公共体育场馆开放
      全民健身设施
      体育赛事活动
      健身房退费#3
      学校体育场地开放
      社区健身路径
    广播电视
      有线电视信号
      广播电视收费
      无线覆盖
    文物保护
      文物古迹破坏#3
      历史建筑保护
  残疾人与妇女儿童 @disabled #7 [残疾人,残疾证,妇女,儿童]
    残疾人服务
      残疾证办理
      残疾人补贴
      残疾人就业
      无障碍设施缺失: 无障碍坡道缺失、无障碍卫生间缺失、公交无障碍设施
      残疾人康复
      残疾人托养
      残疾人辅助器具
    妇女权益 @women
      家庭暴力#1
      妇女就业歧视
      婚姻家庭纠纷调解
    儿童权益 @women
      留守儿童关爱
      未成年人保护#1
  退役军人服务 @veterans #7 [退役军人,军人,优抚]
    优抚安置
      退役军人安置
      优抚金发放
      伤残军人待遇
    退役军人权益
      退役军人就业创业
      退役军人优待证
      随军家属就业
    军休与褒扬
      烈士纪念设施管理
      军休干部服务
  住房公积金 @housing_fund #7 [公积金]
    公积金缴存
      单位未缴公积金
      公积金基数调整
      个人自愿缴存
    公积金提取
      公积金提取
      租房提取公积金
      离职提取公积金
      退休提取公积金
    公积金贷款
      公积金贷款审批
      公积金贷款额度
      异地公积金贷款
      组合贷款
      公积金贷款提前还款
    公积金服务
      公积金账户转移
      公积金中心服务态度
发展诉求 development
  营商环境 @private_economy #7 [企业,公司,营商,政策]
    惠企政策
      政策兑现难: 奖补资金拨付慢、政策申报条件不清、政策兑现材料繁琐
      减税降费落实
      中小企业纾困
      人才政策兑现
      创业担保贷款
      个体工商户扶持
    企业融资
      企业融资难
      贷款审批慢
      担保费用高
    企业经营
      企业用地需求
      企业用工需求
      企业用电用气保障
      企业周边环境干扰
      涉企乱收费
      涉企检查过多
    政府诚信
      政府拖欠企业账款
      招商引资承诺未兑现#11
      政府采购付款延迟
    新业态
      低空经济
      数据交易
      平台经济
      人工智能应用
      跨境电商
  政务服务 @approval #7 [办事,窗口,审批,大厅]
    行政审批
      审批时限过长
      审批材料繁多
      证照办理: 营业执照办理、食品经营许可证办理、卫生许可证办理、建设工程规划许可
      企业开办注销: 企业开办、企业注销、企业变更登记
    窗口服务
      窗口服务态度差
      办事排队时间长
      一次性告知不到位
      办事推诿扯皮
    网上办事 @data
      网上办事系统故障#3
      政务APP使用问题
      电子证照
      政务网站信息错误
    政务热线
      热线接通难
      热线答复不满意
    证明材料
      无犯罪记录证明
      亲属关系证明
      循环证明奇葩证明
  劳动就业 @labour #7 [工作,就业,招聘,劳动合同]
    就业服务
      就业创业补贴
      职业技能培训
      公益性岗位
      招聘信息虚假
      高校毕业生就业
      人才引进政策
    劳动关系
      未签订劳动合同
      违法解除劳动合同
      试用期权益
      劳务派遣争议
      经济补偿金争议
      劳动仲裁咨询
      竞业限制争议
      职工退休手续
    工作时间与休假
      强制加班
      带薪年休假
      产假待遇
    职称评审
      职称申报
      职业资格证书
      技能等级认定
    灵活就业
      外卖骑手权益
      网约车司机权益
      零工市场
  规划与建设 @planning #11 [规划,建设,项目]
    城市规划
      规划调整意见
      规划公示异议
      公共服务设施配套不足
      小区配套未兑现
    建设工程 @housing
      建设项目停工
      工程质量问题
      建设工程审批
      建筑工地管理: 工地围挡不规范#3、工地扬尘#3、工地渣土车撒漏#3
    不动产与土地
      土地确权
      宅基地审批
      土地征收审批
      违法占用土地#7
      土地出让
    测绘地名
      门牌号码设置
      地名命名
      地名标志设置
  征地拆迁 @planning #11 [拆迁,征收,安置,补偿]
    房屋征收
      征收补偿
      征收程序不规范
      强制拆迁
    拆迁安置
      回迁进度慢
      安置房质量
      过渡安置费发放
      安置房办证
    集体土地征收
      青苗补偿
      征地补偿款分配
      被征地农民社保
      征地程序异议
  交通基础设施 @transport #7 [道路,修路,桥梁,停车场]
    道路建设
      道路建设进度慢
      断头路打通
      道路拓宽改造
      乡村道路硬化
    道路养护
      道路破损
      道路积水#3
      桥梁隐患#1
      道路施工影响通行
      道路标线模糊
    停车设施
      停车位不足
      公共停车场收费
      智慧停车系统
      路内停车泊位设置
      停车收费员乱收费
    交通设施 @traffic
      交通信号灯设置
      红绿灯故障#1
      交通标志缺失
      隔离护栏损坏#3
      减速带设置
      过街天桥地下通道
      人行横道设置
      电子监控设置
      交通标线施划
  农业农村 @agriculture #7 [农村,农民,村里,种地]
    农业生产
      农资质量: 假种子、假化肥、假农药
      农业补贴发放
      农机购置补贴
      农产品销售难
      农业保险理赔
    动植物防疫
      动物疫病防控
      病死畜禽处理#3
      植物病虫害防治
    乡村建设
      农村人居环境整治
      农村厕所改造
      农村饮水安全#3
      农村路灯
      美丽乡村建设
      农村公交通行
      农村污水治理
    农村集体管理
      村务公开
      集体经济分红
      土地承包经营权
      土地流转纠纷
      村干部作风
      村级选举
      农村低保评定
  消费维权 @market #7 [商家,退款,消费,质量]
    商品质量
      商品质量问题
      假冒伪劣商品
      三无产品
      家电质量
      汽车质量问题: 新车质量问题、汽车召回、汽车三包
      手机质量
    服务消费
      预付卡退费难: 美容美发预付卡、健身卡退费、教育培训预付费
      售后服务不到位
      家装纠纷
      婚庆摄影纠纷
      汽车维修纠纷
      美容美发纠纷
      二手车交易纠纷
      驾校培训纠纷
      搬家服务纠纷
    价格与计量
      价格欺诈
      明码标价不规范
      停车场乱收费
      计量器具不准
      缺斤短两
    网络消费
      网购商品质量
      网购退货退款
      直播带货纠纷
      外卖平台纠纷
      网络游戏充值
      网络平台自动续费
      社区团购纠纷
    虚假宣传
      虚假广告
      保健品虚假宣传
      医疗广告违规
      会销诱导老人购物
  税费 @tax #7 [税,发票,个税,退税]
    税收征管
      个人所得税汇算
      增值税发票
      企业退税
      税务登记
      偷税漏税举报#11
    社会保险费征缴
      社保费缴纳
      城乡居民医保费缴纳
    税务服务
      办税大厅服务
      电子税务局故障
      纳税信用评价
      税务人员服务态度
      税收优惠政策咨询
    非税收入 @finance
      行政事业性收费
      财政票据
  旅游服务 @culture #7 [景区,旅游,导游,酒店]
    景区服务
      景区门票价格
      景区服务质量
      景区交通拥堵
      景区安全隐患#1
    旅行社与导游
      旅行社合同纠纷
      强制购物
      导游服务态度
      不合理低价游
    住宿服务
      酒店服务纠纷
      民宿经营不规范
      酒店预订纠纷
    旅游资讯
      旅游线路咨询
      旅游投诉渠道
    旅游市场秩序
      黑导游
      景区周边宰客
      海鲜排档宰客
      一日游陷阱
  金融服务 @finance #7 [银行,贷款,保险,理财]
    银行服务
      银行服务态度
      银行卡冻结
      银行违规收费
      存款取款纠纷
    信贷与催收
      暴力催收#3
      贷款利率纠纷
      征信记录异议
    保险服务
      保险理赔纠纷
      保险销售误导
    地方金融监管
      小额贷款公司违规
      融资担保纠纷
      典当行纠纷
      预付式消费跑路
      P2P网贷清退
  产业与科技 @industry #7 [产业,科技,工业,创新]
    产业发展
      工业项目建设
      产业园区服务
      企业技术改造
      新能源汽车产业
    科技创新
      科技项目申报
      高新技术企业认定
      科技成果转化
    信息化建设 @data
      5G网络覆盖
      公共数据开放
      数字政府建设建议
    商贸流通 @commerce
      菜市场建设
      商业网点布局
      成品油经营
      二手车交易市场
      农贸市场管理
      商场超市服务
      促销活动纠纷
  海洋渔业 @ocean #7 [海,渔船,渔业,海边]
    渔业管理
      渔船管理
      休渔期违规捕捞#3
      渔业补贴
    海域管理
      海域使用
      海岸线保护
      海上养殖
    海洋环境 @environment
      海漂垃圾
      海滩卫生
      赤潮浒苔
    海上安全
      海上救援
      海水浴场安全
      垂钓人员安全
执法诉求 enforcement
  市容秩序 @urban #3 [城管,摆摊,乱摆,占道]
    占道经营
      流动摊贩: 流动商贩占道叫卖、早市夜市占道、小区门口摆摊、学校门口流动摊点
      店外经营: 商户门前占道经营、水果店摆放出店、汽修店占道修车、餐馆占道摆桌
      马路市场
      占道洗车
      占道加工作业
      夜市管理
    违规户外广告
      户外广告牌安全隐患#1
      违规设置广告牌
      乱贴小广告
      乱拉横幅
      店招店牌不规范
    违规堆放
      占道堆放杂物
      建筑材料占道堆放
      废品收购站占道
    露天烧烤
      露天烧烤占道
    乱搭乱建临时设施
      违规搭建棚亭
      违规设置地锁
      违规设置遮阳棚
      违规设置隔离桩
  市容环卫 @urban #3 [垃圾,卫生,保洁,清运]
    垃圾清运
      生活垃圾清运不及时#1
      垃圾桶满溢
      垃圾桶损坏
      垃圾站异味
      垃圾中转站选址
      垃圾清运车撒漏
    垃圾分类
      垃圾分类设施不足
      垃圾分类指导
      垃圾混装混运
    道路保洁
      道路清扫不及时
      道路积雪清理#1
      洒水车作业扰民
    建筑垃圾
      建筑垃圾乱倒
      装修垃圾清运
      渣土车遗撒#1
    公共厕所
      公厕卫生差
      公厕开放时间
      公厕设施损坏
      公厕数量不足
    环卫作业
      动物尸体清理#1
      乱扔垃圾
      大件垃圾清运
      园林垃圾清运
      沿街商户乱倒污水
  违法建设 @urban #7 [违建,私搭乱建,乱盖]
    居民违建
      违建阳光房
      楼顶违建
      院落违建
      私自扩建阳台
      违规圈占绿地
      一楼私开门洞
      私建地下室
      违建彩钢房
    擅改房屋结构 @housing
      破坏承重结构#1
      私自开挖地下室#1
      拆改外墙
      擅自拆除隔墙
    单位违建
      企业违规建设厂房
      商铺违规加层
      违规建设简易房
    农村违建 @agriculture
      农村违规建房
      占用耕地建房
      农村违规建养殖棚
  市政设施 @urban #3 [井盖,路灯,下水道,人行道]
    城市道路设施
      人行道破损
      盲道被占损坏
      道路坑洼
      路缘石损坏
      人行道不平绊脚
      道路塌陷#1
    地下管线
      井盖缺失#1: 雨水井盖缺失、污水井盖缺失、通信井盖缺失
      井盖破损异响
      排水管道堵塞#1
      污水外溢#1
      雨水箅子堵塞
      化粪池外溢#1
    城市照明
      路灯不亮
      路灯白天常亮
      景观亮化扰民
      路灯线路裸露#1
      小巷无路灯
    公共设施
      公共座椅损坏
      城市防汛设施#1
      城市雕塑损坏
  违法停车 @traffic #1 [停车,乱停,挡路,车]
    占道停车
      占用人行道停车
      占用盲道停车
      占用消防通道停车
      占用公交车道停车
      路口违法停车
      双排停车
      占用绿化带停车
      占用公交站台停车
      占用无障碍车位
    小区周边停车
      小区周边乱停车
      小区出入口被堵
      占用非机动车道停车
      商户门前违停
      学校门口接送违停
      医院门口违停
    僵尸车
      长期停放僵尸车
      废弃车辆占用车位
    非机动车停放
      共享单车乱停放#3
      电动自行车乱停放
    货车违规停放
      大货车占道停放
      危化品车辆违规停放
    私设停车
      私设地锁占车位#3
      违规收取停车费#3
      占用充电车位#3
  道路交通秩序 @traffic #3 [交警,违章,交通,路口]
    机动车违法
      机动车闯红灯
      违法鸣笛
      超速行驶
      货车违规通行
      渣土车违规行驶
      套牌车
      酒后驾驶#1
      不礼让行人
      违规掉头
      货车超载
    非机动车违法
      电动自行车逆行
      电动自行车闯红灯
      电动车违规载人
      老年代步车上路
      电动自行车不戴头盔
      三轮车违规载货
    交通拥堵
      路口拥堵
      学校周边拥堵
      医院周边拥堵
    非法营运
      黑车揽客
      摩的非法营运
    交通事故处理
      交通事故认定争议
      交通事故处理不及时#1
  噪音扰民 @environment #3 [噪音,吵,扰民,声音大]
    社会生活噪音
      社会生活噪音
      装修噪音: 装修时间违规、周末装修噪音
      邻居噪音纠纷
      宠物叫声扰民
      楼上跺脚拖拽噪音
      家庭麻将噪音
    商业经营噪音 @urban
      商铺音响外放
      娱乐场所噪音
      餐饮场所噪音
      空调外机噪音
      商家喇叭叫卖
      酒吧夜间噪音
    广场舞噪音 @police
      广场舞音响扰民
      夜间健身活动扰民
      街头卖唱扰民
    建筑施工噪音
      夜间施工噪音#1
      施工机械噪音
      道路施工夜间噪音#1
      无证夜间施工#1
    交通噪音 @traffic
      改装车炸街#1
      道路交通噪音
      高铁地铁噪音
    工业噪音
      工厂设备噪音
      企业夜间生产噪音#1
  环境污染 @environment #3 [污染,排放,异味,环保]
    大气污染
      餐饮油烟
      居民楼下开餐馆排烟
      工业废气排放
      异味扰民
      焚烧垃圾秸秆#1
      锅炉烟尘
      汽车尾气黑烟
      喷漆异味
      垃圾焚烧厂排放
      污水处理厂异味
    水污染
      河道污染
      污水直排
      排污口异常
      黑臭水体
      养殖废水
      洗车废水外排
      河道漂浮垃圾
    固体废物
      危险废物非法处置#1
      工业固废倾倒
      医疗废物处置
    土壤与辐射
      土壤污染
      辐射设备
      通信基站辐射担忧
    生态保护
      山体破坏
      非法采砂#1
      自然保护区违规开发
  市场监管执法 @market #3 [食品,餐馆,药,过期]
    食品安全
      食品安全
      过期食品
      餐饮卫生
      网络订餐食品安全
      校园周边食品安全
      食物中毒#1
      生鲜肉类检疫
      食品添加剂超标
      小作坊食品生产
      食品标签不规范
    药品与医疗器械
      药品质量问题
      药店违规售药
      医疗器械质量
      化妆品质量
      药店处方药违规销售
    特种设备
      电梯困人!2
      电梯安全隐患#1
      游乐设施安全#1
      压力容器安全
      电梯维保单位违规
      叉车违规使用
    无照经营
      无照经营
      超范围经营
      无证餐饮
      无证美容美发
    知识产权
      商标侵权
      专利侵权
    产品质量监督
      电动自行车质量
      燃气具质量
      儿童用品质量
      建材质量
  安全生产 @emergency #1 [安全隐患,危险,事故]
    生产安全
      企业安全隐患
      危化品泄漏!2
      危化品违规储存
      矿山非煤矿山安全
      有限空间作业
      小作坊安全隐患
      加油站安全隐患#1
    建筑施工安全 @housing
      工地安全隐患
      塔吊安全#1
      深基坑安全
      脚手架安全
    自然灾害防范
      地质灾害隐患
      防汛隐患
      防台风措施
      山体滑坡隐患
      积水点防汛
      危树隐患#1
    城镇燃气安全 @gas
      餐饮场所燃气安全
      违规使用液化气瓶
  消防安全 @fire #1 [消防,着火,火灾,通道]
    消防通道
      消防通道堵塞
      消防登高场地被占
    消防设施
      消防设施缺失
      消火栓无水
      灭火器过期
      烟感报警器故障
    火灾隐患
      电动车楼道充电
      飞线充电
      楼道堆放杂物
      高层建筑消防
      人员密集场所隐患
      仓库消防隐患
      地下室违规住人
      九小场所消防隐患
      沿街商铺住人
  社会治安 @police #3 [派出所,警察,报警,治安]
    治安秩序
      聚众赌博
      打架斗殴#1
      寻衅滋事
      黄赌毒线索
      传销活动
    诈骗与经济犯罪
      电信网络诈骗
      非法集资
      养老诈骗
      冒充公检法诈骗
      网络刷单诈骗
      投资理财诈骗
    公共安全
      流浪精神病人#1
      高空抛物#1
      无人机违规飞行
      烟花爆竹违规燃放#1
      管制刀具销售
      私自养鸽扰民
    出租屋管理
      出租屋流动人口登记
      出租屋违规住人
      短租房治安
  劳动保障监察 @labour #3 [工资,欠薪,讨薪,老板]
    拖欠工资
      拖欠农民工工资
      拖欠工资
      克扣工资
      拖欠加班费
      低于最低工资标准
    社会保险违法
      未缴纳社会保险
      少缴社会保险
    用工违法
      使用童工#1
      超时加班
      违规收取押金扣押证件
      就业歧视
      未发工资条
      违规解雇孕期女职工
  园林绿化 @landscape #7 [树,绿化,草坪,公园]
    树木管理
      树木修剪
      树木倒伏#1
      枯死树木
      树枝遮挡路灯
      树木影响采光
      古树名木保护
    绿地管理
      毁绿占绿
      绿地养护差
      绿地改停车场
      私种菜地
      绿地缺少维护
      行道树缺株补植
    公园管理
      公园设施损坏
      公园卫生
      公园秩序
      公园开放时间
    林业管理
      乱砍滥伐
      森林防火
      野生动物保护
      松材线虫病防治
  动物管理 @police #3 [狗,犬,猫,宠物]
    养犬管理
      犬只伤人#1
      遛狗不拴绳
      犬只粪便
      违规饲养烈性犬
      犬只登记
      犬只夜间吠叫
      狗在电梯内便溺
    流浪动物 @urban
      流浪狗
      流浪猫
    家禽家畜 @agriculture
      城区饲养家禽
      养殖场异味
  文化市场执法 @culture #3 [网吧,娱乐,演出,出版]
    文化经营场所
      网吧接纳未成年人
      娱乐场所违规经营
      剧本杀密室逃脱安全
    演出与出版
      营业性演出违规
      非法出版物
      盗版音像
    网络文化
      网络直播违规
      网络游戏防沉迷
      网络谣言信息
"""


@dataclass
class Node:
    code: str
    parent_code: str
    level: int
    name: str
    top_class: str
    tier: str
    urgent_hours: int | None
    sector: str
    keywords: list[str] = field(default_factory=list)
    children: list[Node] = field(default_factory=list)

    def row(self) -> dict:
        return {
            "code": self.code, "parent_code": self.parent_code, "level": self.level, "name": self.name,
            "top_class": self.top_class, "tier": self.tier, "urgent_hours": self.urgent_hours or "",
            "sector": self.sector, "keywords": ",".join(self.keywords),
        }


_ATTRIBUTE = re.compile(r"(@[a-z_]+|#\d+|![0-9]+|\[[^\]]*\])")


def _parse_item(text: str) -> tuple[str, dict]:
    """'名称 @sector #3 [a,b]' (or '名称#3' in a leaf list) -> ('名称', {...})."""
    attributes = {}
    for token in _ATTRIBUTE.findall(text):
        if token.startswith("@"):
            attributes["sector"] = token[1:]
        elif token.startswith("#"):
            if token[1:] not in TIERS:
                raise ValueError(f"unknown tier {token} in {text!r}")
            attributes["tier"], attributes["urgent_hours"] = token[1:], None
        elif token.startswith("!"):
            attributes["tier"], attributes["urgent_hours"] = "urgent", int(token[1:])
        else:
            attributes["keywords"] = [k.strip() for k in token[1:-1].split(",") if k.strip()]
    name = _ATTRIBUTE.sub("", text).strip()
    if not name or " " in name:
        raise ValueError(f"bad name in {text!r}")
    return name, attributes


def _child(parent: Node | None, siblings: list[Node], name: str, attributes: dict, top_class: str = "") -> Node:
    if any(s.name == name for s in siblings):
        raise ValueError(f"duplicate item {name!r} under {parent.name if parent else 'the root'}")
    if len(siblings) >= 99:
        raise ValueError(f"more than 99 items under {parent.name if parent else 'the root'}")
    node = Node(
        code=f"{parent.code if parent else ''}{len(siblings) + 1:02d}", parent_code=parent.code if parent else "",
        level=parent.level + 1 if parent else 1, name=name,
        top_class=parent.top_class if parent else top_class,
        tier=attributes.get("tier", parent.tier if parent else "7"),
        urgent_hours=attributes.get("urgent_hours", parent.urgent_hours if parent else None),
        sector=attributes.get("sector", parent.sector if parent else ""),
    )
    siblings.append(node)
    return node


def build(text: str = TREE) -> list[Node]:
    """The tree's top nodes; raises ValueError on a malformed line."""
    roots: list[Node] = []
    stack: list[Node] = []
    category_keywords: dict[str, list[str]] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip(" "))
        level = indent // 2 + 1
        if indent % 2 or level > 4 or level > len(stack) + 1:
            raise ValueError(f"line {number}: bad indentation")
        del stack[level - 1:]
        parent = stack[-1] if stack else None
        siblings = parent.children if parent else roots
        body = line.strip()
        if level == 1:
            name, top_class = body.split()
            node = _child(None, siblings, name, {}, top_class=top_class)
        else:
            head, _, leaves = body.replace("：", ":").partition(":")
            name, attributes = _parse_item(head)
            node = _child(parent, siblings, name, attributes)
            if level == 2:
                category_keywords[node.code] = attributes.get("keywords", [])
            for leaf_text in filter(None, (t.strip() for t in leaves.split("、"))):
                leaf_name, leaf_attributes = _parse_item(leaf_text)
                _child(node, node.children, leaf_name, leaf_attributes)
        stack.append(node)
    names = {node.code: node.name for node in walk(roots)}
    for leaf in leaves_of(roots):
        words = [leaf.name] + ([names[leaf.parent_code]] if leaf.level == 5 else [])
        words += category_keywords.get(leaf.code[:4], [])
        leaf.keywords = _fit(list(dict.fromkeys(words)))
    return roots


def _fit(words: list[str]) -> list[str]:
    while len(",".join(words)) > MAX_KEYWORDS:
        words.pop()
    return words


def walk(nodes: list[Node]):
    for node in nodes:
        yield node
        yield from walk(node.children)


def leaves_of(nodes: list[Node]) -> list[Node]:
    return [n for n in walk(nodes) if not n.children]


def rows(roots: list[Node]) -> list[dict]:
    """Parents before children (the loader and the admin import rely on it)."""
    return [node.row() for node in walk(roots)]


def write_csv(roots: list[Node], path: Path = CSV_PATH) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows(roots))


def write_xlsx(roots: list[Node], path: Path = XLSX_PATH) -> None:
    """The same rows under the admin import's column names (org/resources.py ClassificationResource)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "classification"
    sheet.append(["code", "name", "parent", "top_class", "tier", "urgent_hours", "sector", "keywords", "is_active"])
    for row in rows(roots):
        sheet.append([row["code"], row["name"], row["parent_code"], row["top_class"], row["tier"],
                      row["urgent_hours"], row["sector"], row["keywords"], 1])
    book.save(path)


def main(argv: list[str]) -> None:
    roots = build()
    write_csv(roots)
    if "--xlsx" in argv:
        write_xlsx(roots)
    nodes = list(walk(roots))
    leaves = leaves_of(roots)
    depths = sorted({n.level for n in nodes})
    print(f"{len(nodes)} items, {len(leaves)} leaves, levels {depths}; wrote {CSV_PATH.name}")


if __name__ == "__main__":
    main(sys.argv[1:])
