#!/usr/bin/env python3
"""make_store.py — writes packaging/demo/store.json, the demo store that the till compiles in
(core/demo.c) and the reference HQ loads. Standard library only and deterministic: the same
script always writes the same bytes, so the file can be regenerated and diffed.

Usage: python3 packaging/demo/make_store.py [OUTPUT]   (default: store.json beside this script)

Format (money in fen, multipliers in basis points, 10000 = x1.0):
  store       {id, terminal, name}
  categories  [{code, name, earn_excluded}]
  items       [{sku, barcode (EAN-13/EAN-8 string or null), name_zh, name_en, category, price,
                member_price (int or null)}]
  tiers       [{level, name, threshold (growth), multiplier_bp}]
  earn_rules  {points_per_yuan_bp, growth_per_yuan_bp, member_day_kind (none|weekday|monthday),
               member_day_value, member_day_bp, birthday_bp, combine (highest|product),
               welcome_points, referral_points, points_per_yuan_value}
  staff       [{code, name, role (cashier|guide|manager), pin}]
  members     [{id, phone, card_no, name, birthday "MM-DD", points, growth, tier (level),
                guide (staff code or null), version, expiring_points, expiring_on (date or null)}]
"""

import json
import os
import random
import sys

SEED = 20261124

STORE = {"id": "S001", "terminal": "T01", "name": "联华超市 徐汇店 Lianhua Supermarket Xuhui"}

CATEGORIES = [
    ("FRESH", "生鲜 Fresh produce", False),
    ("DAIRY", "乳品 Dairy", False),
    ("BAKERY", "烘焙 Bakery", False),
    ("GRAIN", "粮油 Rice, flour and oil", False),
    ("SNACKS", "零食 Snacks", False),
    ("DRINKS", "饮料 Drinks", False),
    ("HOUSEHOLD", "日用 Household", False),
    ("TOBACCO", "烟草 Tobacco", True),
]

# Manufacturer prefixes in the GS1 China range 690-699 (made up, not real companies' numbers).
MAKERS = ["6901234", "6902357", "6903468", "6920579", "6931680", "6940791", "6954802",
          "6970913", "6985024", "6991135"]

# (category, name_zh, name_en, price in fen, member price in fen or None, barcode kind)
# barcode kind: "ean13", "ean8" or None (weighed or SKU-only goods).
ITEMS = [
    ("FRESH", "香蕉（散称）", "Bananas (by weight)", 699, None, None),
    ("FRESH", "红富士苹果（散称）", "Fuji apples (by weight)", 1280, 1080, None),
    ("FRESH", "西红柿（散称）", "Tomatoes (by weight)", 598, None, None),
    ("FRESH", "猪肉五花肉（散称）", "Pork belly (by weight)", 2980, None, None),
    ("FRESH", "鸡蛋 30枚装", "Eggs, 30 pack", 2590, 2290, "ean13"),
    ("FRESH", "大白菜（散称）", "Napa cabbage (by weight)", 298, None, None),
    ("FRESH", "冷鲜鸡胸肉 500g", "Chilled chicken breast 500g", 1690, None, "ean13"),
    ("DAIRY", "纯牛奶 250ml×12", "Whole milk 250ml x12", 5990, 4990, "ean13"),
    ("DAIRY", "原味酸奶 100g×8", "Plain yogurt 100g x8", 1880, None, "ean13"),
    ("DAIRY", "鲜牛奶 950ml", "Fresh milk 950ml", 1550, None, "ean13"),
    ("DAIRY", "奶酪片 200g", "Cheese slices 200g", 2680, None, "ean13"),
    ("DAIRY", "豆浆 1L", "Soy milk 1L", 890, None, "ean8"),
    ("BAKERY", "全麦吐司 400g", "Wholemeal toast 400g", 1290, None, "ean13"),
    ("BAKERY", "肉松面包", "Pork floss bun", 650, None, None),
    ("BAKERY", "蛋黄派 6枚", "Egg yolk pies x6", 1190, None, "ean13"),
    ("BAKERY", "月饼礼盒", "Mooncake gift box", 16800, 13800, "ean13"),
    ("BAKERY", "苏打饼干 400g", "Soda crackers 400g", 990, None, "ean8"),
    ("GRAIN", "东北大米 5kg", "Northeast rice 5kg", 4990, 4590, "ean13"),
    ("GRAIN", "高筋面粉 2.5kg", "Bread flour 2.5kg", 2390, None, "ean13"),
    ("GRAIN", "花生油 5L", "Peanut oil 5L", 11990, 9990, "ean13"),
    ("GRAIN", "生抽酱油 500ml", "Light soy sauce 500ml", 1290, None, "ean13"),
    ("GRAIN", "陈醋 500ml", "Aged vinegar 500ml", 890, None, "ean13"),
    ("GRAIN", "挂面 1kg", "Dried noodles 1kg", 990, None, "ean13"),
    ("GRAIN", "食盐 400g", "Table salt 400g", 300, None, "ean8"),
    ("GRAIN", "散装小米（散称）", "Loose millet (by weight)", 1196, None, None),
    ("SNACKS", "薯片 原味 70g", "Potato crisps, original 70g", 750, None, "ean13"),
    ("SNACKS", "牛肉干 100g", "Beef jerky 100g", 3580, 3280, "ean13"),
    ("SNACKS", "瓜子 500g", "Sunflower seeds 500g", 1690, None, "ean13"),
    ("SNACKS", "巧克力 80g", "Chocolate bar 80g", 1390, None, "ean13"),
    ("SNACKS", "方便面 五连包", "Instant noodles x5", 1450, None, "ean13"),
    ("SNACKS", "坚果礼盒 750g", "Mixed nuts gift box 750g", 12800, 9900, "ean13"),
    ("SNACKS", "口香糖", "Chewing gum", 350, None, "ean8"),
    ("DRINKS", "矿泉水 550ml", "Mineral water 550ml", 200, None, "ean13"),
    ("DRINKS", "矿泉水 550ml×24", "Mineral water 550ml x24", 3600, 2990, "ean13"),
    ("DRINKS", "可乐 330ml", "Cola 330ml", 300, None, "ean13"),
    ("DRINKS", "绿茶 500ml", "Green tea 500ml", 350, None, "ean13"),
    ("DRINKS", "橙汁 1L", "Orange juice 1L", 1290, None, "ean13"),
    ("DRINKS", "啤酒 500ml×12", "Beer 500ml x12", 6600, 5880, "ean13"),
    ("DRINKS", "白酒 52度 500ml", "Baijiu 52% 500ml", 45900, None, "ean13"),
    ("DRINKS", "速溶咖啡 15条", "Instant coffee x15", 3990, None, "ean13"),
    ("HOUSEHOLD", "抽纸 3层×6包", "Facial tissues 3-ply x6", 2490, 1990, "ean13"),
    ("HOUSEHOLD", "洗衣液 3kg", "Laundry liquid 3kg", 4990, None, "ean13"),
    ("HOUSEHOLD", "洗洁精 1.5kg", "Dish soap 1.5kg", 1590, None, "ean13"),
    ("HOUSEHOLD", "牙膏 120g", "Toothpaste 120g", 1290, None, "ean13"),
    ("HOUSEHOLD", "洗发水 750ml", "Shampoo 750ml", 5890, 4990, "ean13"),
    ("HOUSEHOLD", "垃圾袋 100只", "Bin bags x100", 990, None, "ean13"),
    ("HOUSEHOLD", "环保购物袋", "Reusable shopping bag", 100, None, None),
    ("TOBACCO", "香烟 软包", "Cigarettes, soft pack", 2300, None, "ean13"),
    ("TOBACCO", "香烟 硬盒", "Cigarettes, hard box", 3500, None, "ean13"),
    ("TOBACCO", "香烟 条装", "Cigarettes, carton", 23000, None, "ean13"),
    ("TOBACCO", "打火机", "Lighter", 200, None, "ean8"),
]

TIERS = [
    (0, "普通", 0, 10000),
    (1, "银卡", 2000, 12000),
    (2, "金卡", 10000, 15000),
    (3, "白金", 20000, 18000),
    (4, "钻石", 50000, 20000),
]

EARN_RULES = {
    "points_per_yuan_bp": 10000,
    "growth_per_yuan_bp": 10000,
    "member_day_kind": "weekday",
    "member_day_value": 3,
    "member_day_bp": 20000,
    "birthday_bp": 20000,
    "combine": "highest",
    "welcome_points": 100,
    "referral_points": 200,
    "points_per_yuan_value": 100,
}

STAFF = [
    ("1001", "王芳", "cashier", "1111"),
    ("1002", "李娜", "cashier", "2222"),
    ("1003", "张伟", "cashier", "3333"),
    ("2001", "刘洋", "guide", "4444"),
    ("2002", "陈静", "guide", "5555"),
    ("9001", "赵强", "manager", "9999"),
]

# Guides' badges: EAN-13 (valid check digits) a scanner reads off the guide's card.
BADGES = {"2001": "9900000020019", "2002": "9900000020026"}

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红梅琳晨浩宇欣怡子涵梓轩雨萱一诺思远佳琪嘉怡俊杰文博天宇心怡雅婷家豪晓东海燕春梅玉兰德明建华丹丹亮"

# Real mainland mobile number blocks (all 1[3-9]x).
PHONE_BLOCKS = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150",
                "151", "152", "153", "155", "156", "157", "158", "159", "166", "176", "177",
                "178", "180", "181", "182", "183", "185", "186", "187", "188", "189", "191",
                "193", "195", "198", "199"]

MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]  # no 02-29: valid every year

MEMBERS = 1000


def check_digit(body):
    """GS1 check digit for the digits of body (EAN-8 without it: 7, EAN-13: 12)."""
    total = 0
    for i, ch in enumerate(reversed(body)):
        total += int(ch) * (3 if i % 2 == 0 else 1)
    return str((10 - total % 10) % 10)


def make_items(rng):
    items = []
    used = set()
    ean8_next = 0
    for n, (cat, zh, en, price, mprice, kind) in enumerate(ITEMS):
        sku = "%05d" % (10001 + n)
        barcode = None
        if kind == "ean13":
            while barcode is None or barcode in used:
                body = rng.choice(MAKERS) + "%05d" % rng.randrange(100000)
                barcode = body + check_digit(body)
        elif kind == "ean8":
            body = "69%05d" % (12340 + ean8_next)
            ean8_next += 1
            barcode = body + check_digit(body)
        if barcode:
            used.add(barcode)
        items.append({"sku": sku, "barcode": barcode, "name_zh": zh, "name_en": en,
                      "category": cat, "price": price, "member_price": mprice})
    return items


def tier_for(growth):
    level = 0
    for lv, _name, threshold, _bp in TIERS:
        if growth >= threshold:
            level = lv
    return level


def random_growth(rng):
    r = rng.random()
    if r < 0.50:
        return rng.randrange(0, 2000)
    if r < 0.78:
        return rng.randrange(2000, 10000)
    if r < 0.91:
        return rng.randrange(10000, 20000)
    if r < 0.98:
        return rng.randrange(20000, 50000)
    return rng.randrange(50000, 150000)


def make_member(rng, n, phones):
    while True:
        phone = rng.choice(PHONE_BLOCKS) + "%08d" % rng.randrange(100000000)
        if phone not in phones:
            break
    phones.add(phone)
    month = rng.randrange(1, 13)
    day = rng.randrange(1, MONTH_DAYS[month - 1] + 1)
    growth = random_growth(rng)
    points = rng.randrange(0, growth // 2 + 200)
    expiring = 0
    expiring_on = None
    if points > 0 and rng.random() < 0.3:
        expiring = rng.randrange(1, min(points, 2000) + 1)
        expiring_on = rng.choice(["2026-12-31", "2027-03-31", "2027-06-30"])
    given = rng.choice(GIVEN)
    if rng.random() < 0.6:
        given += rng.choice(GIVEN)
    return {
        "id": "M%06d" % n,
        "phone": phone,
        "card_no": "88%08d" % n,
        "name": rng.choice(SURNAMES) + given,
        "birthday": "%02d-%02d" % (month, day),
        "points": points,
        "growth": growth,
        "tier": tier_for(growth),
        "guide": rng.choice(["2001", "2002", None, None, None]),
        "version": 1,
        "expiring_points": expiring,
        "expiring_on": expiring_on,
    }


def make_members(rng):
    # The two members the docs and tests name: a 金卡 member and a 普通 member with the
    # balance of EXAMPLES.md example 4.
    fixed = [
        {"id": "M000001", "phone": "13800138000", "card_no": "8800000001", "name": "陈晓东",
         "birthday": "03-15", "points": 5000, "growth": 12000, "tier": 2, "guide": "2001",
         "version": 1, "expiring_points": 500, "expiring_on": "2026-12-31"},
        {"id": "M000002", "phone": "13900139000", "card_no": "8800000002", "name": "李秀英",
         "birthday": "07-08", "points": 3050, "growth": 500, "tier": 0, "guide": None,
         "version": 1, "expiring_points": 0, "expiring_on": None},
    ]
    phones = {m["phone"] for m in fixed}
    members = list(fixed)
    for n in range(len(fixed) + 1, MEMBERS + 1):
        members.append(make_member(rng, n, phones))
    return members


def check(store):
    """The promises core/demo.c and the tests rely on; a failure here is a bug in this script."""
    levels = {m["tier"] for m in store["members"]}
    assert levels == {t["level"] for t in store["tiers"]}, "a tier has no members"
    for m in store["members"]:
        assert m["tier"] == tier_for(m["growth"]), m["id"]
        assert len(m["phone"]) == 11 and m["phone"][1] in "3456789", m["id"]
        assert m["expiring_points"] <= m["points"], m["id"]
    assert len({m["phone"] for m in store["members"]}) == len(store["members"])
    assert len({m["card_no"] for m in store["members"]}) == len(store["members"])
    codes = [i["barcode"] for i in store["items"] if i["barcode"]]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert len(code) in (8, 13) and code[:3] in ["69%d" % d for d in range(10)], code
        assert check_digit(code[:-1]) == code[-1], code


def main():
    rng = random.Random(SEED)
    store = {
        "store": STORE,
        "categories": [{"code": c, "name": n, "earn_excluded": x} for c, n, x in CATEGORIES],
        "items": make_items(rng),
        "tiers": [{"level": lv, "name": n, "threshold": t, "multiplier_bp": bp}
                  for lv, n, t, bp in TIERS],
        "earn_rules": EARN_RULES,
        "staff": [dict({"code": c, "name": n, "role": r, "pin": p},
                       **({"badge": BADGES[c]} if c in BADGES else {}))
                  for c, n, r, p in STAFF],
        "members": make_members(rng),
    }
    check(store)
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "store.json")
    with open(out, "w", encoding="utf-8", newline="\n") as f:
        json.dump(store, f, indent=1, ensure_ascii=False, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
