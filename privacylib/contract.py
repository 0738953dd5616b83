"""The data contract: every dataset an audit reads, its columns and their types.

This module is the single source of truth for `docs/data-contract.md`; the
loader, the controls and the tests all read it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Kind(StrEnum):
    """How a column's source text is read."""

    TEXT = "text"
    TIMESTAMP = "timestamp"
    BOOLEAN = "boolean"
    INTEGER = "integer"
    LIST = "list"
    ENUM = "enum"


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind = Kind.TEXT
    # The column must exist in the source (R in the contract).
    required: bool = False
    # Value that replaces a null (record_count 1, result success, ...).
    default: str | int | bool | None = None
    # For enumerations: the values the contract names. Others are kept but
    # reported as warnings, since several enumerations are open-ended.
    values: tuple[str, ...] = ()
    # Enumerations are lower-cased; a country code is upper-cased.
    upper: bool = False
    # "null is a finding": a null here is reported by a control, so it never
    # makes the row a reject, not even in a key.
    null_finding: bool = False


@dataclass(frozen=True)
class Dataset:
    name: str
    columns: tuple[Column, ...]
    # Columns whose combined value must be unique; () means no key.
    key: tuple[str, ...] = ()
    # One-line description for messages and the catalog.
    description: str = ""
    column_names: tuple[str, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "column_names", tuple(c.name for c in self.columns))

    def column(self, name: str) -> Column:
        for col in self.columns:
            if col.name == name:
                return col
        raise KeyError(name)

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)


def _c(name: str, kind: Kind = Kind.TEXT, *, req: bool = False, **kw: object) -> Column:
    return Column(name, kind, required=req, **kw)  # type: ignore[arg-type]


T, B, N, L, E = Kind.TIMESTAMP, Kind.BOOLEAN, Kind.INTEGER, Kind.LIST, Kind.ENUM
ACTIONS = ("read", "export", "update", "delete", "print")

DATASETS: tuple[Dataset, ...] = (
    Dataset("employees", (
        _c("actor_id", req=True), _c("name"), _c("department"), _c("role"),
        _c("hired_at", T), _c("terminated_at", T),
    ), key=("actor_id",), description="staff who can reach customer data"),
    Dataset("role_assignments", (
        _c("actor_id", req=True), _c("role", req=True),
        _c("valid_from", T), _c("valid_to", T),
    ), description="roles over time"),
    Dataset("role_permissions", (
        _c("role", req=True), _c("data_category", req=True),
        _c("action", E, req=True, values=(*ACTIONS, "*")),
    ), description="the access matrix"),
    Dataset("data_categories", (
        _c("data_category", req=True), _c("sensitive", B, req=True), _c("description"),
    ), key=("data_category",), description="categories of personal data"),
    Dataset("purposes", (
        _c("purpose", req=True),
        _c("legal_basis", E, req=True, values=(
            "consent", "contract", "legal_obligation", "vital_interest", "public_interest")),
        _c("description"),
    ), key=("purpose",), description="processing purposes and their legal basis"),
    Dataset("purpose_categories", (
        _c("purpose", req=True), _c("data_category", req=True),
    ), description="the categories each purpose needs"),
    Dataset("collection_fields", (
        _c("system", req=True), _c("field", req=True), _c("data_category", req=True),
        _c("purpose", req=True, null_finding=True), _c("mandatory", B, req=True),
    ), key=("system", "field", "purpose"), description="the data inventory"),
    Dataset("notices", (
        _c("notice_version", req=True), _c("published_at", T, req=True),
        _c("retired_at", T), _c("purposes", L, req=True),
    ), key=("notice_version",), description="versions of the privacy notice"),
    Dataset("consents", (
        _c("consent_id", req=True), _c("customer_id", req=True), _c("purpose", req=True),
        _c("granted_at", T, req=True, null_finding=True), _c("method", E), _c("notice_version"),
        _c("evidence_ref"), _c("separate", B, default=False), _c("withdrawn_at", T),
    ), key=("consent_id",), description="customers' consents"),
    Dataset("customers", (
        _c("customer_id", req=True), _c("created_at", T), _c("closed_at", T),
        _c("deleted_at", T), _c("anonymized_at", T),
    ), key=("customer_id",), description="customers"),
    Dataset("records", (
        _c("record_id", req=True), _c("customer_id"), _c("data_category", req=True),
        _c("store_id"), _c("collected_at", T, req=True), _c("deleted_at", T),
        _c("anonymized_at", T),
    ), key=("record_id",), description="personal-data holdings"),
    Dataset("retention_policy", (
        _c("data_category", req=True), _c("retention_days", N, req=True),
        _c("anchor", E, req=True, values=("collected_at", "account_closed")),
        _c("disposal", E, values=("delete", "anonymize")),
    ), key=("data_category",), description="retention periods"),
    Dataset("data_stores", (
        _c("store_id", req=True), _c("name"),
        _c("kind", E, req=True, values=(
            "database", "object_storage", "file_share", "saas", "paper_archive")),
        _c("holds_personal_data", B, req=True), _c("encrypted_at_rest", B),
        _c("encryption_algorithm"), _c("location", req=True), _c("last_vuln_scan_at", T),
        _c("open_critical_vulns", N), _c("access_logging", B), _c("physical_safeguards"),
    ), key=("store_id",), description="where personal data is stored"),
    Dataset("backups", (
        _c("backup_id", req=True), _c("store_id", req=True), _c("started_at", T, req=True),
        _c("completed_at", T),
        _c("status", E, req=True, values=("success", "failed", "partial")),
        _c("target_location", req=True), _c("encrypted", B),
    ), key=("backup_id",), description="backup runs"),
    Dataset("restore_tests", (
        _c("test_id", req=True), _c("store_id", req=True), _c("backup_id"),
        _c("tested_at", T, req=True), _c("result", E, req=True, values=("pass", "fail")),
        _c("integrity_verified", B), _c("restore_minutes", N),
    ), key=("test_id",), description="restore tests of backups"),
    Dataset("access_log", (
        _c("event_id", req=True), _c("ts", T, req=True, null_finding=True),
        _c("actor_id", req=True, null_finding=True),
        _c("customer_id"), _c("system"), _c("data_category", req=True),
        _c("action", E, req=True, values=ACTIONS), _c("purpose", req=True, null_finding=True),
        _c("ticket_id"),
        _c("record_count", N, default=1),
        _c("result", E, default="success", values=("success", "denied")), _c("source_ip"),
    ), key=("event_id",), description="every touch of customer data by staff"),
    Dataset("sharing", (
        _c("share_id", req=True), _c("customer_id"), _c("recipient", req=True),
        _c("recipient_country", E, default="CN", upper=True),
        _c("data_category", req=True), _c("purpose", req=True), _c("shared_at", T, req=True),
        _c("contract_ref"), _c("transfer_assessment_ref"),
    ), key=("share_id",), description="personal data provided to other organisations"),
    Dataset("dsr_requests", (
        _c("request_id", req=True), _c("customer_id", req=True),
        _c("type", E, req=True, values=(
            "access", "correction", "deletion", "withdrawal", "portability")),
        _c("purpose"), _c("received_at", T, req=True), _c("completed_at", T), _c("status", E),
    ), key=("request_id",), description="requests from customers about their data"),
    Dataset("incidents", (
        _c("incident_id", req=True), _c("detected_at", T, req=True),
        _c("customers_notified_at", T), _c("regulator_notified_at", T),
        _c("records_affected", N), _c("severity"),
    ), key=("incident_id",), description="personal-data security incidents"),
    Dataset("training", (
        _c("actor_id", req=True), _c("course"), _c("completed_at", T, req=True),
    ), description="privacy training completed by staff"),
)

BY_NAME: dict[str, Dataset] = {d.name: d for d in DATASETS}

# Common Chinese headers. An alias may stand for several contract columns
# (开始时间 is valid_from or started_at); the dataset's own columns decide.
ALIASES: dict[str, tuple[str, ...]] = {
    "客户编号": ("customer_id",), "客户id": ("customer_id",), "客户号": ("customer_id",),
    "员工编号": ("actor_id",), "工号": ("actor_id",), "操作人": ("actor_id",),
    "操作员": ("actor_id",), "员工id": ("actor_id",),
    "访问时间": ("ts",), "时间": ("ts",), "操作时间": ("ts",),
    "用途": ("purpose",), "目的": ("purpose",), "使用目的": ("purpose",),
    "处理目的": ("purpose",),
    "数据类别": ("data_category",), "数据分类": ("data_category",),
    "信息类别": ("data_category",),
    "操作": ("action",), "操作类型": ("action",), "动作": ("action",),
    "事件编号": ("event_id", "incident_id"), "日志编号": ("event_id",),
    "系统": ("system",), "系统名称": ("system",),
    "工单号": ("ticket_id",), "工单编号": ("ticket_id",), "审批单号": ("ticket_id",),
    "记录数": ("record_count",), "条数": ("record_count",),
    "结果": ("result",), "访问结果": ("result",), "测试结果": ("result",),
    "来源ip": ("source_ip",), "源ip": ("source_ip",), "ip地址": ("source_ip",),
    "姓名": ("name",), "名称": ("name",), "部门": ("department",),
    "岗位": ("role",), "角色": ("role",),
    "入职时间": ("hired_at",), "入职日期": ("hired_at",),
    "离职时间": ("terminated_at",), "离职日期": ("terminated_at",),
    "生效时间": ("valid_from",), "开始时间": ("valid_from", "started_at"),
    "失效时间": ("valid_to",), "结束时间": ("valid_to",),
    "是否敏感": ("sensitive",), "敏感": ("sensitive",),
    "描述": ("description",), "说明": ("description",),
    "合法性基础": ("legal_basis",), "法律依据": ("legal_basis",),
    "字段": ("field",), "字段名": ("field",),
    "是否必填": ("mandatory",), "必填": ("mandatory",),
    "告知版本": ("notice_version",), "隐私政策版本": ("notice_version",),
    "发布时间": ("published_at",), "停用时间": ("retired_at",), "废止时间": ("retired_at",),
    "目的列表": ("purposes",), "用途列表": ("purposes",),
    "同意编号": ("consent_id",), "同意时间": ("granted_at",), "授权时间": ("granted_at",),
    "同意方式": ("method",), "方式": ("method",),
    "证据编号": ("evidence_ref",), "留痕编号": ("evidence_ref",),
    "单独同意": ("separate",), "是否单独同意": ("separate",),
    "撤回时间": ("withdrawn_at",),
    "创建时间": ("created_at",), "开户时间": ("created_at",),
    "销户时间": ("closed_at",), "关闭时间": ("closed_at",),
    "删除时间": ("deleted_at",), "匿名化时间": ("anonymized_at",),
    "记录编号": ("record_id",), "存储编号": ("store_id",), "收集时间": ("collected_at",),
    "保存天数": ("retention_days",), "保留天数": ("retention_days",),
    "起算点": ("anchor",), "处置方式": ("disposal",),
    "类型": ("kind", "type"), "存储类型": ("kind",), "请求类型": ("type",),
    "是否含个人信息": ("holds_personal_data",), "含个人信息": ("holds_personal_data",),
    "是否加密存储": ("encrypted_at_rest",), "加密存储": ("encrypted_at_rest",),
    "加密算法": ("encryption_algorithm",),
    "位置": ("location",), "存放地点": ("location",), "所在地": ("location",),
    "最近漏洞扫描时间": ("last_vuln_scan_at",), "漏洞扫描时间": ("last_vuln_scan_at",),
    "高危漏洞数": ("open_critical_vulns",),
    "是否记录访问日志": ("access_logging",), "访问日志": ("access_logging",),
    "物理防护措施": ("physical_safeguards",), "防护措施": ("physical_safeguards",),
    "备份编号": ("backup_id",), "完成时间": ("completed_at",), "状态": ("status",),
    "备份位置": ("target_location",), "目标位置": ("target_location",),
    "是否加密": ("encrypted",),
    "测试编号": ("test_id",), "测试时间": ("tested_at",),
    "完整性校验": ("integrity_verified",), "恢复时长": ("restore_minutes",),
    "共享编号": ("share_id",), "接收方": ("recipient",),
    "接收方国家": ("recipient_country",), "国家": ("recipient_country",),
    "共享时间": ("shared_at",), "提供时间": ("shared_at",),
    "合同编号": ("contract_ref",), "协议编号": ("contract_ref",),
    "出境评估编号": ("transfer_assessment_ref",),
    "请求编号": ("request_id",), "申请编号": ("request_id",),
    "收到时间": ("received_at",), "受理时间": ("received_at",),
    "发现时间": ("detected_at",), "通知客户时间": ("customers_notified_at",),
    "通知监管时间": ("regulator_notified_at",), "报告监管时间": ("regulator_notified_at",),
    "影响记录数": ("records_affected",), "严重程度": ("severity",), "级别": ("severity",),
    "课程": ("course",),
}
