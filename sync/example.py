"""A realistic, deterministic example organisation: ``dispatchbook init BOOK --example``.

One group committee, 12 grassroots committees, 80 branches; a 60-task plan book; departments'
submissions; 22 channel issues; a duty roster by post; last month's and this month's task sheets,
built by the sync's own month-sheet logic and then "worked on" with seeded, varied progress.
People are named by their post only.
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta
from pathlib import Path

import pandas as pd

from .backends.memory import MemoryBook
from .book import read_book
from .calendar import WorkCalendar, add_months, month_end
from .monthsheet import month_rows
from .newbook import write_new_book
from .rulebook import Rulebook, load_rules
from .schema import (
    CHANNELS,
    DUTY,
    HOLIDAYS,
    MONTH,
    ORG,
    PLAN,
    SETTINGS,
    STATUS_LABELS,
    SUBMISSIONS,
    month_tab_name,
)
from .sheets import SheetGrid
from .staffsheets import printable_month_sheet, staff_sheet

EXAMPLE_AS_OF = date(2026, 11, 18)

COMMITTEES = [
    ("一矿党委", "综采一队 综采二队 掘进一队 掘进二队 机电队 通风队 运输队 调度室 机关"),
    ("二矿党委", "综采一队 综采二队 掘进一队 掘进二队 机电队 通风队 运输队 调度室 机关"),
    ("三矿党委", "综采一队 综采二队 掘进一队 掘进二队 机电队 通风队 运输队 调度室 机关"),
    ("四矿党委", "综采一队 综采二队 掘进一队 掘进二队 机电队 通风队 运输队 调度室 机关"),
    ("洗选中心党委", "原煤车间 精煤车间 装车站 机修车间 质检站 机关"),
    ("机电装备公司党委", "装配车间 维修车间 电气车间 技术中心 营销部 机关"),
    ("物资供应公司党委", "采购部 仓储中心 配送队 质检科 机关"),
    ("建设工程公司党委", "土建一队 土建二队 安装队 项目部 设备租赁站 机关"),
    ("职工医院党委", "内科 外科 医技科室 护理部 行政后勤"),
    ("化工公司党委", "合成车间 精馏车间 动力车间 质检中心 仓储车间 机关"),
    ("物流公司党委", "铁路运输队 汽车运输队 装卸队 调度中心 机关"),
    ("机关党委", "党委工作部 人力资源部 财务部 生产技术部 安全监察部"),
]

# name, category, source, lead department, responsible units, planned months, target, standard, orientation
PLAN_TASKS: list[tuple[str, str, str, str, str, str, str, str, str]] = [
    ("党委理论学习中心组集体学习", "规定动作", "上级部署", "党委工作部", "集团党委", "全年", "全年集中学习不少于12次", "每月至少1次，有记录", "目标导向"),
    ("支部主题党日活动", "规定动作", "上级部署", "组织部", "各党支部", "全年", "每月开展1次主题党日", "有方案、有记录、有照片", "目标导向"),
    ("“三会一课”落实情况检查", "三基建设", "集团党委", "组织部", "各基层党委", "3,6,9,12", "支部“三会一课”落实率100%", "按季度抽查，不合格通报", "问题导向"),
    ("“两学一做”学习教育常态化", "两学一做", "上级部署", "宣传部", "各基层党委", "2,5,8,11", "党员学习覆盖率100%", "学习台账完整", "目标导向"),
    ("政治巡视反馈问题整改", "政治巡视", "上级部署", "纪委办公室", "一矿党委、二矿党委、化工公司党委", "4-6", "问题整改完成率100%", "逐项销号", "问题导向"),
    ("巡视整改“回头看”", "巡视整改", "上级部署", "纪委办公室", "一矿党委、二矿党委、化工公司党委", "10,11", "整改成果巩固，无反弹", "逐项复查", "问题导向"),
    ("党风廉政建设责任书签订", "党风廉政", "集团党委", "纪委办公室", "各基层党委", "1", "责任书签订率100%", "签订到位、存档", "目标导向"),
    ("廉洁风险点排查", "党风廉政", "集团党委", "纪委办公室", "物资供应公司党委、建设工程公司党委、机关党委", "3,9", "重点岗位风险点全覆盖", "建立风险台账", "问题导向"),
    ("发展党员工作", "组织建设", "集团党委", "组织部", "各基层党委", "6,12", "完成年度发展计划", "程序规范、材料齐全", "目标导向"),
    ("党员积分制管理", "三基建设", "集团党委", "组织部", "一矿党委、二矿党委、三矿党委、四矿党委", "1-12", "党员积分按月公示", "积分台账完整", "目标导向"),
    ("基层党支部标准化建设验收", "三基建设", "集团党委", "组织部", "洗选中心党委、机电装备公司党委、物流公司党委", "5,11", "标准化达标率100%", "对照标准逐项验收", "目标导向"),
    ("党员先锋岗评选", "组织建设", "集团党委", "组织部", "各基层党委", "7", "每个基层党委推荐2个先锋岗", "事迹材料翔实", "典型导向"),
    ("“七一”表彰大会", "组织建设", "集团党委", "党委工作部", "集团党委", "6", "表彰优秀党员和先进党组织", "按时召开", "典型导向"),
    ("安全生产党员责任区", "行政重点工作", "生产调度", "安全监察部", "一矿党委、二矿党委、三矿党委、四矿党委", "全年", "党员责任区零事故", "每月检查", "目标导向"),
    ("冬季安全生产百日攻坚", "行政重点工作", "生产调度", "安全监察部", "一矿党委、二矿党委、三矿党委、四矿党委", "11,12", "攻坚期间零事故", "每旬通报", "目标导向"),
    ("智能化采煤工作面建设", "重点工程", "生产调度", "生产技术部", "一矿党委、三矿党委", "3-11", "建成2个智能化工作面", "按节点验收", "目标导向"),
    ("洗选系统升级改造", "重点工程", "生产调度", "生产技术部", "洗选中心党委", "4-10", "改造按期投运", "按节点验收", "目标导向"),
    ("化工装置大修", "重点工程", "生产调度", "生产技术部", "化工公司党委", "8,9", "大修按期完成、一次开车成功", "安全、质量、工期", "目标导向"),
    ("矿区棚户区改造", "行政重点工作", "行政部署", "生产技术部", "建设工程公司党委", "3-12", "年内完成改造任务", "按月报进度", "目标导向"),
    ("职工通勤班车优化", "热点", "职工诉求", "工会", "物流公司党委", "5,6", "班车准点率95%以上", "职工满意度测评", "问题导向"),
    ("职工食堂服务提升", "热点", "职工诉求", "工会", "机关党委、一矿党委、二矿党委", "4,10", "满意度90%以上", "满意度测评", "问题导向"),
    ("困难职工帮扶", "焦点", "职工诉求", "工会", "各基层党委", "1,12", "困难职工帮扶全覆盖", "建档立卡", "问题导向"),
    ("夏季送清凉", "群团工作", "工会", "工会", "各基层党委", "7,8", "一线岗位全覆盖", "发放到位", "目标导向"),
    ("冬季送温暖", "群团工作", "工会", "工会", "各基层党委", "1,2", "困难职工慰问全覆盖", "发放到位", "目标导向"),
    ("青年安全生产示范岗创建", "群团工作", "团委", "团委", "一矿党委、二矿党委、三矿党委、四矿党委", "4-9", "每矿创建2个示范岗", "验收命名", "典型导向"),
    ("“五四”青年表彰", "群团工作", "团委", "团委", "集团党委", "5", "表彰优秀青年", "按时召开", "典型导向"),
    ("企业文化展厅改造", "宣传思想", "集团党委", "企业文化部", "机关党委", "8-10", "展厅按期开放", "验收", "目标导向"),
    ("新闻宣传报道", "宣传思想", "集团党委", "宣传部", "各基层党委", "全年", "每月上报稿件不少于4篇", "按月统计", "目标导向"),
    ("意识形态工作责任制检查", "上级部署", "上级部署", "宣传部", "各基层党委", "6,12", "责任制落实到位", "对照清单检查", "问题导向"),
    ("网络舆情监测处置", "难点", "集团党委", "宣传部", "机关党委", "全年", "舆情处置及时率100%", "24小时响应", "问题导向"),
    ("党建工作与生产经营融合调研", "常规工作", "集团党委", "党委工作部", "集团党委", "3", "形成调研报告", "报告通过审议", "目标导向"),
    ("年度党建工作会议", "常规工作", "集团党委", "党委工作部", "集团党委", "2", "部署全年党建工作", "按时召开", "目标导向"),
    ("基层党委书记抓党建述职评议", "规定动作", "上级部署", "组织部", "各基层党委", "1", "述职评议全覆盖", "评议结果运用", "目标导向"),
    ("党支部书记培训班", "三基建设", "集团党委", "组织部", "集团党委", "4,9", "支部书记轮训全覆盖", "考试合格", "目标导向"),
    ("党员教育培训", "三基建设", "集团党委", "组织部", "各基层党委", "3,9", "党员年度培训不少于32学时", "学时台账", "目标导向"),
    ("“不忘初心”主题教育", "主题教育", "上级部署", "宣传部", "各基层党委", "9,10", "主题教育全覆盖", "学习、调研、检视、整改", "目标导向"),
    ("民主生活会准备", "规定动作", "上级部署", "党委工作部", "集团党委、各基层党委", "12", "按时高质量召开", "会前征求意见", "问题导向"),
    ("组织生活会和民主评议党员", "规定动作", "上级部署", "组织部", "各党支部", "1", "召开率100%", "评议结果公示", "目标导向"),
    ("党费收缴使用管理", "组织建设", "集团党委", "组织部", "各基层党委", "6,12", "党费按时足额收缴", "账目清楚", "问题导向"),
    ("软弱涣散党组织整顿", "难点", "集团党委", "组织部", "物流公司党委、建设工程公司党委", "4-11", "整顿转化率100%", "一支部一方案", "问题导向"),
    ("职工代表巡视", "热点", "职代会提案", "工会", "一矿党委、二矿党委", "6,11", "巡视发现问题整改率100%", "问题清单销号", "问题导向"),
    ("职代会提案办理", "焦点", "职代会提案", "工会", "机关党委", "3-11", "提案办结率100%", "提案人满意", "问题导向"),
    ("文明单位创建", "宣传思想", "集团党委", "企业文化部", "各基层党委", "10,11", "市级文明单位复查合格", "对照测评体系", "目标导向"),
    ("矿区环境整治", "行政重点工作", "行政部署", "生产技术部", "一矿党委、二矿党委、三矿党委、四矿党委", "4,5,10,11", "矿区环境达标", "现场检查", "问题导向"),
    ("医疗服务进矿区", "热点", "职工诉求", "工会", "职工医院党委", "5,11", "每矿巡诊不少于2次", "巡诊记录", "典型导向"),
    ("化工安全标准化达标", "行政重点工作", "生产调度", "安全监察部", "化工公司党委", "3,9", "安全标准化二级达标", "外部评审", "目标导向"),
    ("物资采购阳光化", "党风廉政", "集团党委", "纪委办公室", "物资供应公司党委", "全年", "公开采购率100%", "平台留痕", "问题导向"),
    ("工程项目廉洁监督", "党风廉政", "集团党委", "纪委办公室", "建设工程公司党委", "4-11", "重点项目监督全覆盖", "监督台账", "问题导向"),
    ("“党员示范岗”挂牌", "组织建设", "集团党委", "组织部", "洗选中心党委、机电装备公司党委", "6", "挂牌岗位发挥作用", "年度评估", "典型导向"),
    ("党建信息化平台数据维护", "常规工作", "集团党委", "党委工作部", "各基层党委", "全年", "平台数据按月更新", "按月检查", "目标导向"),
    ("季度党建调度例会", "常规工作", "集团党委", "党委工作部", "集团党委", "1,4,7,10", "例会按时召开", "通报党建和生产经营任务", "目标导向"),
    ("年度党建考核", "规定动作", "集团党委", "党委工作部", "集团党委", "12", "完成年度考核", "考核结果公布", "目标导向"),
    ("离退休党员关爱", "群团工作", "集团党委", "组织部", "机关党委", "9,10", "走访慰问全覆盖", "走访记录", "目标导向"),
    ("统一战线工作", "常规工作", "集团党委", "党委工作部", "机关党委", "5", "召开党外人士座谈会", "会议纪要", "目标导向"),
    ("“安康杯”竞赛", "群团工作", "工会", "工会", "一矿党委、二矿党委、三矿党委、四矿党委", "4-11", "竞赛覆盖全部区队", "竞赛台账", "目标导向"),
    ("节能减排攻坚", "行政重点工作", "生产调度", "生产技术部", "化工公司党委、洗选中心党委", "6-12", "完成年度节能指标", "按月统计", "目标导向"),
    ("党建品牌创建", "组织建设", "集团党委", "党委工作部", "各基层党委", "8,11", "每个基层党委形成1个品牌", "品牌评审", "典型导向"),
    ("法治宣传教育", "宣传思想", "集团党委", "宣传部", "机关党委", "12", "宪法宣传日活动", "活动记录", "目标导向"),
    ("班组长培训", "三基建设", "生产调度", "人力资源部", "一矿党委、二矿党委、三矿党委、四矿党委", "11", "班组长培训全覆盖", "培训考核合格", "目标导向"),
    ("年终慰问走访计划", "群团工作", "工会", "工会", "集团党委", "12", "走访计划按时报批", "计划审定", "目标导向"),
]

# month offset (0 = the as-of month, -1 = last month), department, name, category, source, units, deadline day
SUBMITTED: list[tuple[int, str, str, str, str, str, int]] = [
    (-1, "组织部", "党员组织关系集中排查", "组织建设", "组织部", "各基层党委", 31),
    (-1, "宣传部", "国庆期间宣传报道", "宣传思想", "宣传部", "机关党委", 15),
    (-1, "工会", "职工疗休养安排", "群团工作", "工会", "一矿党委、二矿党委", 25),
    (-1, "纪委办公室", "节日期间纪律提醒", "党风廉政", "纪委办公室", "各基层党委", 9),
    (0, "组织部", "发展对象政审材料审核", "组织建设", "组织部", "一矿党委、三矿党委、化工公司党委", 13),
    (0, "组织部", "党组织换届提醒", "规定动作", "组织部", "物流公司党委", 20),
    (0, "宣传部", "冬季安全生产专题宣传", "宣传思想", "宣传部", "一矿党委、二矿党委、三矿党委、四矿党委", 19),
    (0, "纪委办公室", "年底突击花钱专项检查", "党风廉政", "纪委办公室", "物资供应公司党委、机关党委", 16),
    (0, "工会", "冬季职工取暖保障", "焦点", "职工诉求", "一矿党委、二矿党委、四矿党委", 24),
    (0, "团委", "青年突击队冬季攻坚", "群团工作", "团委", "三矿党委、四矿党委", 27),
    (0, "企业文化部", "年度先进人物事迹采写", "宣传思想", "企业文化部", "机关党委", 30),
    (0, "党委工作部", "党建调度平台数据核查", "常规工作", "党委工作部", "各基层党委", 20),
]

CHANNEL_ISSUES: list[tuple[str, str, str, str, int, int]] = [
    # channel, content, category, unit, days ago raised, days allowed
    ("董事长热线", "职工反映夜班通勤班车发车时间与交接班不衔接", "热点", "物流公司党委", 40, 15),
    ("董事长热线", "职工家属区冬季供暖温度不达标", "焦点", "建设工程公司党委", 12, 10),
    ("总经理热线", "矿区职工澡堂热水供应不稳定", "热点", "一矿党委", 9, 7),
    ("总经理热线", "井下作业人员劳保用品发放不及时", "热点", "物资供应公司党委", 20, 10),
    ("矿区文明调度", "二矿副井口周边道路积水", "难点", "二矿党委", 16, 20),
    ("矿区文明调度", "三矿单身公寓网络信号差", "热点", "三矿党委", 6, 15),
    ("矿区文明调度", "四矿职工食堂夜班餐品种少", "热点", "四矿党委", 25, 10),
    ("职工诉求信箱", "希望增加职工子女暑期托管服务", "焦点", "机关党委", 45, 30),
    ("职工诉求信箱", "洗选中心车间粉尘治理", "难点", "洗选中心党委", 30, 45),
    ("职工诉求信箱", "化工公司倒班职工休息室空调故障", "热点", "化工公司党委", 8, 5),
    ("职代会提案", "完善一线职工技能晋级通道", "难点", "机关党委", 60, 90),
    ("职代会提案", "职工医院增设夜间门诊", "焦点", "职工医院党委", 35, 60),
    ("信访接待", "退休职工反映医疗报销进度慢", "焦点", "机关党委", 14, 15),
    ("信访接待", "矿区棚户区改造回迁安置进度", "难点", "建设工程公司党委", 50, 60),
    ("董事长热线", "一矿综采队职工反映加班工时统计不准", "热点", "一矿党委", 5, 10),
    ("总经理热线", "机电装备公司宿舍楼电梯维修", "热点", "机电装备公司党委", 18, 7),
    ("矿区文明调度", "物流公司装卸现场照明不足", "热点", "物流公司党委", 11, 10),
    ("职工诉求信箱", "希望开设职工心理健康咨询", "焦点", "职工医院党委", 26, 30),
    ("矿区文明调度", "一矿家属区路灯损坏", "热点", "一矿党委", 3, 7),
    ("信访接待", "外包工工资发放时间咨询", "焦点", "建设工程公司党委", 22, 15),
    ("董事长热线", "二矿职工反映班中餐送达不及时", "热点", "二矿党委", 2, 7),
    ("职代会提案", "建议统一各单位夏季防暑降温标准", "难点", "机关党委", 70, 90),
]

DUTY_POSTS = [("党委工作部部长", "党委工作部"), ("组织部部长", "组织部"), ("宣传部部长", "宣传部"),
              ("纪委副书记", "纪委办公室"), ("工会副主席", "工会"), ("生产调度中心主任", "生产调度中心"),
              ("安全监察部部长", "安全监察部")]

SETTINGS_ROWS = [
    ("预警工作日", None, "截止日前几个工作日内预警；留空则用 rules/colours.toml 的默认值 3"),
    ("滞后预警点数", None, "进度落后应有进度多少个百分点即预警；默认 20"),
    ("未按时调度工作日", None, "更新日期距今超过几个工作日算未按时调度；默认 5"),
]


def build_example(as_of: date = EXAMPLE_AS_OF, rules: Rulebook | None = None) -> list[SheetGrid]:
    """Every staff tab of the example book, in tab order."""
    rules = rules or load_rules()
    cal = rules.calendar
    year = as_of.year
    sheets = [
        staff_sheet(ORG, ORG.name, _org_rows()),
        staff_sheet(PLAN, PLAN.name, _plan_rows(), title=f"{year}年度党建调度重点工作任务计划书"),
        staff_sheet(SUBMISSIONS, SUBMISSIONS.name, _submission_rows(as_of, cal)),
        staff_sheet(CHANNELS, CHANNELS.name, channels := _channel_rows(as_of, cal)),
        staff_sheet(DUTY, DUTY.name, _duty_rows(as_of, cal)),
        staff_sheet(SETTINGS, SETTINGS.name, [{"key": k, "value": v, "note": n} for k, v, n in SETTINGS_ROWS]),
        staff_sheet(HOLIDAYS, HOLIDAYS.name, [], HOLIDAYS.note, note=True),
    ]
    memory = MemoryBook({s.name: s.rows for s in sheets}, label="example")
    last = add_months(as_of.year, as_of.month, -1)
    for ym, judged in ((last, month_end(*last) + timedelta(days=2)), ((as_of.year, as_of.month), as_of)):
        book = read_book(memory, as_of)
        rows = month_rows(book, rules, *ym).rows
        worked = [_work_on(r, judged, cal) for r in rows.to_dict("records")]
        name = month_tab_name(*ym)
        sheet = printable_month_sheet(staff_sheet(MONTH, name, worked))
        memory.tabs[name] = sheet.rows
        sheets.append(sheet)
        closed = {r["id"] for r in worked if r.get("progress") == 100}
        for issue in channels:  # staff close the issue in 渠道诉求 too (one truth, see channels.py)
            if issue["id"] in closed:
                issue.update(status="已办结", latest="已答复诉求人并回访")
        sheets[3] = staff_sheet(CHANNELS, CHANNELS.name, channels)
        memory.tabs[CHANNELS.name] = sheets[3].rows
    return sheets


def write_example(path: Path, as_of: date = EXAMPLE_AS_OF) -> None:
    write_new_book(path, build_example(as_of), created=datetime(as_of.year, as_of.month, as_of.day))


def _org_rows() -> list[dict[str, object]]:
    rows: list[dict[str, object]] = [{"code": "JT", "name": "集团党委", "level": "集团党委"}]
    for i, (committee, branches) in enumerate(COMMITTEES, start=1):
        code = f"JC{i:02d}"
        rows.append({"code": code, "name": committee, "level": "基层党委", "parent": "JT"})
        prefix = committee.removesuffix("党委").removesuffix("公司").removesuffix("中心")
        prefix = "" if committee == "机关党委" else prefix
        for j, branch in enumerate(branches.split(), start=1):
            rows.append({"code": f"ZB{i:02d}{j:02d}", "name": f"{prefix}{branch}党支部", "level": "党支部",
                         "parent": committee})
    return rows


def _plan_rows() -> list[dict[str, object]]:
    keys = ("name", "category", "source", "lead_dept", "unit", "months", "target", "standard", "orientation")
    return [{"id": f"JH-2026-{i:03d}", **dict(zip(keys, task, strict=True))}
            for i, task in enumerate(PLAN_TASKS, start=1)]


def _submission_rows(as_of: date, cal: WorkCalendar) -> list[dict[str, object]]:
    rows = []
    for i, (offset, dept, name, category, source, units, day) in enumerate(SUBMITTED, start=1):
        y, m = add_months(as_of.year, as_of.month, offset)
        deadline = min(date(y, m, min(day, 28)) if day < 29 else month_end(y, m), month_end(y, m))
        rows.append({"month": f"{y}-{m:02d}", "dept": dept, "id": f"SB-{y}{m:02d}-{i:02d}", "name": name,
                     "category": category, "source": source, "unit": units, "owner": f"{dept}联络员",
                     "start": cal.first_workday(y, m), "deadline": deadline})
    return rows


def _channel_rows(as_of: date, cal: WorkCalendar) -> list[dict[str, object]]:
    rows = []
    for i, (channel, content, category, unit, ago, allowed) in enumerate(CHANNEL_ISSUES, start=1):
        raised = as_of - timedelta(days=ago)
        deadline = raised + timedelta(days=allowed)
        rng = random.Random(f"QD{i}")
        closed = (deadline < as_of and rng.random() < 0.7) or rng.random() < 0.15
        rows.append({"id": f"QD-{raised:%Y%m}-{i:03d}", "channel": channel, "content": content,
                     "category": category, "raised": raised, "unit": unit, "owner": "单位党委书记",
                     "deadline": deadline, "status": "已办结" if closed else "办理中",
                     "latest": "已答复诉求人并回访" if closed else "正在协调解决"})
    return rows


def _duty_rows(as_of: date, cal: WorkCalendar) -> list[dict[str, object]]:
    start = as_of.replace(day=1) - timedelta(days=31)
    end = month_end(as_of.year, as_of.month) + timedelta(days=31)
    rows, day, turn = [], start.replace(day=1), 0
    while day <= end:
        if cal.is_workday(day):
            post, dept = DUTY_POSTS[turn % len(DUTY_POSTS)]
            rows.append({"date": day, "leader": post, "dept": dept, "phone": f"调度值班室 {8100 + turn % 7}"})
            turn += 1
        day += timedelta(days=1)
    return rows


def _work_on(task: dict[str, object], judged: date, cal: WorkCalendar) -> dict[str, object]:
    """Seeded, varied progress for one task as it would stand on ``judged``."""
    rng = random.Random(str(task["id"]))
    start, deadline = pd.Timestamp(task["start"]).date(), pd.Timestamp(task["deadline"]).date()
    if start > judged:
        return task
    span = max((deadline - start).days, 1)
    on_track = min(max((judged - start).days / span, 0.0), 1.0)
    roll = rng.random()
    overdue = deadline <= judged
    if task.get("status") == STATUS_LABELS["closed"] or roll < (0.88 if overdue else 0.25):
        done = start + timedelta(days=rng.randint(0, max(min((judged - start).days, span), 0)))
        task.update(progress=100, status=rng.choice(["已完成", "已完成", "已销号", "已闭合"]), updated=done,
                    latest="已完成并销号", exemplar=rng.random() < 0.08)
        return task
    if roll > 0.93 and on_track < 0.7 and not overdue:
        task.update(progress=0, status=STATUS_LABELS["not_started"])
        return task
    progress = int(max(5, min(95, on_track * 100 + rng.gauss(0, 14))) // 5 * 5)
    stale = rng.random() < 0.15
    updated = cal.shift(judged, -rng.randint(7, 12) if stale else -rng.randint(0, 2))
    task.update(progress=progress, status=rng.choice(["进行中", "推进中"]), updated=max(updated, start),
                latest=rng.choice(["已制定方案，正在推进", "已完成前期准备", "正在组织实施", "已完成过半，按计划推进",
                                   "待上级审批", "协调相关部门中"]))
    return task
