"""Schema of a city carbon-peak work plan (碳达峰工作方案), validated by pydantic at load.

A plan is the registry every other part reads: responsible units, quantified targets, the
programmes (工程) with their numbered tasks, policy guarantees (政策保障), organisation items
(组织实施) and the key projects of the plan's columns (专栏). Every record carries a `source`:
the section of the plan text and the sentence quoted from it.

References between records are by `code`: a task's `lead_units` hold unit codes; a key project's
`serves_targets` hold target codes. load.py checks that every reference resolves.

Targets: one record per (indicator, target year). A 2030 target with a 2025 milestone is two
records sharing `indicator`; the indicator engine groups them. A value the plan leaves to the
province ("完成省下达…") is recorded with `target_value: null` and `value_pending: true`.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

UnitKind = Literal[
    "department",  # 市政府部门, e.g. 市发展改革委
    "district_government",  # 区县人民政府 / 功能区管委会
    "state_owned_enterprise",  # e.g. 国网济南供电公司
    "people_organisation",  # 人民团体, e.g. 团市委, 市妇联
    "party_organ",  # 党委部门, e.g. 市委宣传部
    "public_institution",  # 事业单位
    "central_agency_branch",  # 垂直管理机构的派出机构, e.g. 市税务局, 人民银行…分行
    "coordination_body",  # 议事协调机构的办事机构, e.g. 碳达峰碳中和工作领导小组办公室
    "other",
]

MetricKind = Literal[
    "level",  # a quantity reaching a value (光伏装机 500万千瓦)
    "share",  # a percentage share (非化石能源消费比重 12%)
    "reduction",  # a percentage reduction against a base year (单位GDP能耗比2020年降低14.8%)
    "count",  # a number of things (充电桩 …个)
    "peak",  # a quantity that must peak by the target year (碳达峰, 陆路交通石油消费达峰)
    "qualitative",  # a target stated in words only
]

Direction = Literal["at_least", "at_most", "about"]

ProjectKind = Literal[
    "new_build", "upgrade", "expansion", "demonstration", "programme", "plan", "study", "platform", "other"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Source(Strict):
    """Where a record comes from: plan section (e.g. `三(一)2`, `专栏1-8`) and the quoted sentence."""

    section: str = Field(min_length=1)
    quote: str = Field(min_length=1)


class ResponsibleUnit(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    name_zh: str
    name_en: str
    short_zh: str | None = None
    kind: UnitKind
    aliases: list[str] = []  # other spellings found in the text, resolved to this unit
    source: Source | None = None  # where the plan first names the unit (its 责任单位 list)
    # a member of a collective unit the plan names ("各区县政府" → each district): its code; the
    # collective's responsibilities pass to every member, and the collective is never evaluated
    member_of: str | None = None
    # the plan's collective wording ("各区县政府", "市有关部门单位"): never evaluated, never listed
    # as a unit that failed to report; its tasks pass to its members (none: to no one)
    collective: bool = False
    area: Literal["district", "county", "functional_zone"] | None = None  # for district governments
    reference: str | None = None  # a source outside the plan, for a unit the plan names only as a member


class Target(Strict):
    code: str = Field(pattern=r"^[a-z0-9_]+$")
    indicator: str = Field(pattern=r"^[a-z0-9_]+$")  # the measured quantity shared by milestones
    name_zh: str
    name_en: str
    metric: MetricKind
    unit: str | None = None  # unit of target_value/base_value; "%" for shares and reductions
    base_year: int | None = None
    base_value: float | None = None
    target_year: int
    target_value: float | None = None
    value_pending: bool = False  # the plan leaves the number to the province; never invent one
    direction: Direction
    responsible_units: list[str] = []
    # the unit(s) credited with the target in the evaluation; empty = the first responsible unit
    lead_units: list[str] = []
    programme: str | None = None  # programme code when the target sits inside a task
    task: str | None = None  # task code
    notes: str | None = None
    source: Source


class Measure(Strict):
    """A numbered task of a programme, a policy guarantee (四) or an organisation item (五)."""

    code: str  # "P1.T2" for programme 1 task 2, "G3" for guarantee 3, "O1" for organisation item 1
    number: int
    title_zh: str
    title_en: str
    text_zh: str
    lead_units: list[str] = []  # the first unit listed after 责任单位
    co_units: list[str] = []  # the others, in the order listed
    source: Source


class Programme(Strict):
    code: str  # "P1" … "P10"
    number: int
    name_zh: str
    name_en: str
    text_zh: str  # the programme's introductory paragraph
    tasks: list[Measure]
    source: Source


class Capacity(Strict):
    """A capacity stated in a project's name, parsed: `200MW/800MWh` gives two, `2×400MW` one with count 2."""

    quantity: Literal["power", "energy", "voltage", "volume", "length", "area", "count", "mass", "other"]
    value: float
    unit: str
    count: int = 1  # number of identical units (2×400 MW → value 400, count 2)
    approximate: bool = False  # a class rating (`2×400MW级`), not an exact one
    text: str  # the words it was parsed from


class Column(Strict):
    """A column of key projects (专栏) and the programme whose section it sits in."""

    number: int = Field(ge=1)
    title_zh: str
    title_en: str
    programme: str  # code of the programme the column follows in the text, e.g. "P1"
    source: Source


class KeyProject(Strict):
    code: str  # "C1.8.4": column 1, group 8, item 4
    column: int = Field(ge=1)
    group: str  # the numbered group of the column, e.g. 储能示范项目
    subgroup: str | None = None  # a numbered sub-group inside the group, e.g. 大数据与新一代信息技术领域
    category: str  # a stable category code, e.g. storage, pv, wind, gas_grid, power_grid, hydrogen …
    name_zh: str
    name_en: str | None = None
    kind: ProjectKind
    capacities: list[Capacity] = []
    serves_targets: list[str] = []  # target codes this project contributes to
    source: Source


class Plan(Strict):
    code: str = Field(pattern=r"^[a-z0-9_\-]+$")
    city_zh: str
    city_en: str
    title_zh: str
    title_en: str
    document_no: str | None = None
    published: dt.date | None = None
    source_note: str  # where the text comes from
    units: list[ResponsibleUnit]
    targets: list[Target]
    programmes: list[Programme]
    guarantees: list[Measure]
    organisation: list[Measure]
    key_projects: list[KeyProject]
    columns: list[Column] = []

    # -- lookups used across the platform --------------------------------------------------
    def unit(self, code: str) -> ResponsibleUnit:
        for u in self.units:
            if u.code == code:
                return u
        raise KeyError(code)

    def target(self, code: str) -> Target:
        for t in self.targets:
            if t.code == code:
                return t
        raise KeyError(code)

    def target_leads(self, target: Target) -> list[str]:
        """The lead unit(s) of a target: its `lead_units`, else the first responsible unit."""
        return list(target.lead_units) or target.responsible_units[:1]

    def members(self) -> dict[str, list[str]]:
        """Collective unit → its member units (`member_of`), in plan order."""
        out: dict[str, list[str]] = {}
        for u in self.units:
            if u.member_of:
                out.setdefault(u.member_of, []).append(u.code)
        return out

    def tasks(self) -> list[Measure]:
        return [t for p in self.programmes for t in p.tasks]

    def project_units(self, project: KeyProject) -> list[str]:
        """The units that report on `project`: those responsible for a target it serves; for a
        project serving no target, the lead units of the tasks of its column's programme (the plan
        names no unit per project). [] when neither is known."""
        found = [u for t in self.targets if t.code in project.serves_targets for u in t.responsible_units]
        if not found:
            programme = next((c.programme for c in self.columns if c.number == project.column), None)
            found = [u for p in self.programmes if p.code == programme for t in p.tasks for u in t.lead_units]
        return list(dict.fromkeys(found))

    def measures(self) -> list[Measure]:
        """Tasks, guarantees and organisation items: everything a unit can be responsible for."""
        return [*self.tasks(), *self.guarantees, *self.organisation]
