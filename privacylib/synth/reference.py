"""The synthetic company's fixed catalog: roles, permissions, purposes, stores.

Times are local (Asia/Shanghai, the policy's default) and naive here; the
writer adds an offset where a file is meant to carry one.
"""

from __future__ import annotations

from datetime import datetime

PERIOD_START = datetime(2026, 10, 1)
PERIOD_END = AS_OF = datetime(2026, 11, 1)
DAYS = (PERIOD_END - PERIOD_START).days

# role -> (department, share of staff)
ROLES = {
    "customer_service": ("客服中心", 0.40),
    "finance": ("财务部", 0.12),
    "marketing": ("市场部", 0.15),
    "risk_control": ("风控部", 0.13),
    "dba": ("信息技术部", 0.06),
    "analyst": ("数据分析部", 0.14),
}

PERMISSIONS = [
    ("customer_service", "contact", "read"),
    ("customer_service", "contact", "update"),
    ("customer_service", "order", "read"),
    ("customer_service", "order", "update"),
    ("customer_service", "preference", "read"),
    ("finance", "payment", "read"),
    ("finance", "payment", "export"),
    ("finance", "order", "read"),
    ("finance", "order", "export"),
    ("finance", "contact", "read"),
    ("marketing", "contact", "read"),
    ("marketing", "contact", "export"),
    ("marketing", "preference", "read"),
    ("marketing", "preference", "export"),
    ("risk_control", "identity", "read"),
    ("risk_control", "payment", "read"),
    ("risk_control", "biometric", "read"),
    ("risk_control", "location", "read"),
    ("risk_control", "order", "read"),
    ("dba", "contact", "*"),
    ("dba", "order", "*"),
    ("dba", "preference", "*"),
    ("dba", "device", "*"),
    ("dba", "payment", "*"),
    ("analyst", "order", "read"),
    ("analyst", "order", "export"),
    ("analyst", "preference", "read"),
    ("analyst", "preference", "export"),
    ("analyst", "device", "read"),
]

# role -> what its people do: (data_category, action, purpose, weight)
TEMPLATES = {
    "customer_service": [
        ("contact", "read", "service", 40),
        ("order", "read", "service", 25),
        ("contact", "update", "service", 8),
        ("order", "update", "order_fulfilment", 8),
        ("preference", "read", "personalisation", 4),
    ],
    "finance": [
        ("payment", "read", "billing", 30),
        ("order", "read", "billing", 20),
        ("payment", "export", "tax_reporting", 2),
        ("contact", "read", "billing", 5),
    ],
    "marketing": [
        ("contact", "read", "marketing", 30),
        ("preference", "read", "marketing", 25),
        ("preference", "export", "marketing", 2),
    ],
    "risk_control": [
        ("identity", "read", "risk_assessment", 20),
        ("payment", "read", "risk_assessment", 15),
        ("biometric", "read", "face_verification", 6),
        ("location", "read", "risk_assessment", 4),
    ],
    "dba": [
        ("order", "update", "service", 3),
        ("contact", "read", "service", 3),
        ("device", "read", "service", 2),
        ("payment", "delete", "billing", 0.2),
    ],
    "analyst": [
        ("order", "read", "analytics", 20),
        ("preference", "read", "analytics", 15),
        ("device", "read", "personalisation", 5),
        ("order", "export", "analytics", 1),
    ],
}

SYSTEM_OF = {
    "contact": "crm",
    "order": "crm",
    "payment": "billing",
    "preference": "app",
    "device": "app",
    "identity": "risk",
    "biometric": "risk",
    "location": "risk",
}

CATEGORIES = [  # (data_category, sensitive, description)
    ("contact", False, "姓名、手机号、邮箱、地址"),
    ("order", False, "订单与交易记录"),
    ("preference", False, "消费偏好与浏览记录"),
    ("device", False, "设备标识"),
    ("payment", True, "银行卡与支付信息（金融账户）"),
    ("identity", True, "身份证件信息"),
    ("biometric", True, "人脸等生物识别信息"),
    ("location", True, "精准定位信息"),
]

PURPOSES = [  # (purpose, legal_basis, description)
    ("service", "contract", "客户服务"),
    ("order_fulfilment", "contract", "订单履行"),
    ("billing", "contract", "结算与账单"),
    ("tax_reporting", "legal_obligation", "税务申报"),
    ("risk_assessment", "legal_obligation", "反洗钱与风险评估"),
    ("marketing", "consent", "营销推广"),
    ("personalisation", "consent", "个性化推荐"),
    ("analytics", "consent", "数据分析"),
    ("face_verification", "consent", "人脸核身"),
    ("logistics", "contract", "物流配送（委托第三方）"),
    ("insurance_referral", "consent", "保险产品推荐（向合作方提供）"),
    ("overseas_support", "consent", "境外客服支持"),
]
CONSENT_PURPOSES = {p for p, basis, _ in PURPOSES if basis == "consent"}

PURPOSE_CATEGORIES = {
    "service": ["contact", "order", "device"],
    "order_fulfilment": ["contact", "order", "location"],
    "billing": ["payment", "contact", "order"],
    "tax_reporting": ["payment", "identity"],
    "risk_assessment": ["identity", "payment", "location", "biometric"],
    "marketing": ["contact", "preference"],
    "personalisation": ["preference", "device"],
    "analytics": ["order", "preference", "device"],
    "face_verification": ["biometric", "identity"],
    "logistics": ["contact", "location"],
    "insurance_referral": ["contact", "identity"],
    "overseas_support": ["contact", "order"],
}

COLLECTION_FIELDS = [  # (system, field, data_category, purpose, mandatory)
    ("app", "mobile", "contact", "service", True),
    ("app", "email", "contact", "marketing", False),
    ("app", "nickname", "preference", "personalisation", False),
    ("app", "device_id", "device", "service", True),
    ("app", "face_image", "biometric", "face_verification", True),
    ("app", "gps", "location", "order_fulfilment", False),
    ("crm", "name", "contact", "service", True),
    ("crm", "address", "contact", "order_fulfilment", True),
    ("crm", "order_history", "order", "service", True),
    ("billing", "bank_card", "payment", "billing", True),
    ("billing", "invoice_title", "contact", "billing", False),
    ("risk", "id_number", "identity", "risk_assessment", True),
    ("risk", "id_photo", "identity", "face_verification", True),
    ("web", "mobile", "contact", "service", True),
    ("web", "interests", "preference", "marketing", False),
]

NOTICES = [  # (version, published_at, retired_at, purposes)
    (
        "v2024.1",
        datetime(2024, 1, 1),
        datetime(2025, 7, 1),
        ["service", "order_fulfilment", "billing", "marketing", "personalisation", "logistics"],
    ),
    ("v2025.7", datetime(2025, 7, 1), None, [p for p, _, _ in PURPOSES]),
]

RETENTION = [  # (data_category, retention_days, anchor, disposal)
    ("contact", 1095, "account_closed", "delete"),
    ("order", 1825, "collected_at", "anonymize"),
    ("preference", 730, "collected_at", "delete"),
    ("device", 365, "collected_at", "delete"),
    ("payment", 1825, "account_closed", "delete"),
    ("identity", 1095, "account_closed", "delete"),
    ("biometric", 365, "collected_at", "delete"),
    ("location", 180, "collected_at", "delete"),
]

# store_id, name, kind, holds PD, location, categories stored there
STORES = [
    ("ST-CRM", "客户关系管理库", "database", True, "IDC-Shanghai-A", ["contact", "order"]),
    ("ST-BILL", "结算库", "database", True, "IDC-Shanghai-A", ["payment"]),
    (
        "ST-APP",
        "App 业务库",
        "database",
        True,
        "IDC-Shanghai-B",
        ["preference", "device", "location"],
    ),
    ("ST-RISK", "风控库", "database", True, "IDC-Beijing-A", ["identity", "biometric"]),
    ("ST-OSS", "影像对象存储", "object_storage", True, "cn-east-2", ["identity"]),
    ("ST-DWH", "数据仓库", "database", True, "IDC-Shanghai-B", ["order", "preference"]),
    ("ST-LOGS", "运维日志平台", "saas", False, "cn-north-1", []),
    ("ST-PAPER", "纸质档案室", "paper_archive", True, "上海总部 B1 档案室", ["identity"]),
]
BACKUP_TARGET = {
    "IDC-Shanghai-A": "IDC-Beijing-B",
    "IDC-Shanghai-B": "IDC-Beijing-B",
    "IDC-Beijing-A": "IDC-Shanghai-C",
    "cn-east-2": "cn-north-3",
}

SHARING_PARTNERS = [  # purpose, recipient, country, categories
    ("logistics", "顺丰速运有限公司", "CN", "contact"),
    ("insurance_referral", "平安保险代理有限公司", "CN", "contact"),
    ("overseas_support", "Acme Support Pte. Ltd.", "SG", "order"),
]
