"""Realistic Chinese personal data for synthetic people.

Everything here is made up, but in the real formats, so that masking in
reports has something real to mask: GB 11643 resident ID numbers with valid
region codes, birth dates and check digits; mainland mobile numbers; e-mail.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉宇飞鑫波斌婷雪琳晨浩"
    "然欣怡子涵梓轩思雨嘉宁佳琪雅文博睿泽昊天俊杰诗涵梦瑶一诺"
)
# Real county-level region codes (GB/T 2260).
REGIONS = (
    "110101",
    "110105",
    "110108",
    "310101",
    "310104",
    "310115",
    "440103",
    "440106",
    "440305",
    "330102",
    "330106",
    "320102",
    "320505",
    "510104",
    "420102",
    "610113",
    "370102",
    "210102",
    "500103",
    "350203",
)
MOBILE_PREFIXES = (
    "130",
    "131",
    "132",
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "166",
    "176",
    "177",
    "186",
    "187",
    "188",
    "189",
    "198",
    "199",
)
MAIL_DOMAINS = ("qq.com", "163.com", "126.com", "sina.com", "foxmail.com", "outlook.com")
PINYIN = (
    "wang",
    "li",
    "zhang",
    "liu",
    "chen",
    "yang",
    "huang",
    "zhao",
    "wu",
    "zhou",
    "xu",
    "sun",
    "ma",
    "zhu",
    "hu",
    "guo",
    "he",
    "gao",
    "lin",
    "luo",
)

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def resident_id(rng: random.Random, born: date, female: bool) -> str:
    seq = rng.randrange(0, 100) * 10 + rng.choice((0, 2, 4, 6, 8) if female else (1, 3, 5, 7, 9))
    first17 = f"{rng.choice(REGIONS)}{born:%Y%m%d}{seq:03d}"
    return first17 + id_check_digit(first17)


def person(rng: random.Random, *, born_from: int = 1960, born_to: int = 2004) -> dict[str, str]:
    """A name, a resident ID, a mobile number and an e-mail address."""
    female = rng.random() < 0.5
    born = date(born_from, 1, 1) + timedelta(days=rng.randrange((born_to - born_from) * 365))
    name = rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))
    mobile = rng.choice(MOBILE_PREFIXES) + f"{rng.randrange(10**8):08d}"
    mail = (
        f"{rng.choice(PINYIN)}{rng.choice(PINYIN)}{rng.randrange(10, 9999)}@"
        f"{rng.choice(MAIL_DOMAINS)}"
    )
    return {
        "name": name,
        "id_number": resident_id(rng, born, female),
        "mobile": mobile,
        "email": mail,
    }
