"""Seeded demo order exports (Shopify, Taobao/Tmall pair) with planted segments; bench writer."""
from __future__ import annotations

import csv
import io
import unicodedata
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np

T = np.dtypes.StringDType()

# The current 79-column Shopify orders export (export_formats.md section 1).
SHOPIFY_HEADER = (
    "Name", "Email", "Financial Status", "Paid at", "Fulfillment Status", "Fulfilled at",
    "Accepts Marketing", "Currency", "Subtotal", "Shipping", "Taxes", "Total", "Discount Code",
    "Discount Amount", "Shipping Method", "Created at", "Lineitem quantity", "Lineitem name",
    "Lineitem price", "Lineitem compare at price", "Lineitem sku", "Lineitem requires shipping",
    "Lineitem taxable", "Lineitem fulfillment status", "Billing Name", "Billing Street",
    "Billing Address1", "Billing Address2", "Billing Company", "Billing City", "Billing Zip",
    "Billing Province", "Billing Country", "Billing Phone", "Shipping Name", "Shipping Street",
    "Shipping Address1", "Shipping Address2", "Shipping Company", "Shipping City", "Shipping Zip",
    "Shipping Province", "Shipping Country", "Shipping Phone", "Notes", "Note Attributes",
    "Cancelled at", "Payment Method", "Payment Reference", "Refunded Amount", "Vendor",
    "Outstanding Balance", "Employee", "Location", "Device ID", "Id", "Tags", "Risk Level",
    "Source", "Lineitem discount", "Tax 1 Name", "Tax 1 Value", "Tax 2 Name", "Tax 2 Value",
    "Tax 3 Name", "Tax 3 Value", "Tax 4 Name", "Tax 4 Value", "Tax 5 Name", "Tax 5 Value",
    "Phone", "Receipt Number", "Duties", "Billing Province Name", "Shipping Province Name",
    "Payment ID", "Payment Terms Name", "Next Payment Due At", "Payment References",
)
# Continuation rows of a multi-item order repeat these order fields (plus the line fields).
SHOPIFY_REPEATED = ("Name", "Email", "Created at", "Phone")

TAOBAO_ORDER_HEADER = (
    "订单编号", "买家会员名", "买家支付宝账号", "买家应付货款", "买家应付邮费", "买家支付积分", "总金额",
    "返点积分", "买家实际支付金额", "买家实际支付积分", "订单状态", "买家留言", "收货人姓名", "收货地址",
    "运送方式", "联系电话", "联系手机", "订单创建时间", "订单付款时间", "宝贝标题", "宝贝种类", "物流单号",
    "物流公司", "订单备注", "宝贝总数量", "店铺Id", "店铺名称", "订单关闭原因", "卖家服务费", "买家服务费",
    "发票抬头", "是否手机订单", "分阶段订单信息", "定金排名", "修改后的sku", "修改后的收货地址", "异常信息",
    "退款金额",
)
TAOBAO_DETAIL_HEADER = (
    "订单编号", "标题", "价格", "购买数量", "外部系统编号", "商品属性", "套餐信息", "备注", "订单状态", "商家编码",
)

START = date(2024, 11, 1)
END = date(2026, 10, 31)
DAYS = (END - START).days + 1
STORE_TZ = ZoneInfo("America/New_York")  # a USD shop: offsets -0500 / -0400
EXPORT_STAMP = "20261101093015"  # when the Taobao pair was "exported"
_START64 = np.datetime64(START.isoformat(), "s")
# Orders placed in the last two days before the export are not fulfilled/shipped yet.
_CUTOFF64 = np.datetime64((END - timedelta(days=1)).isoformat(), "s")

# Six categories from cheap accessories to premium items; the same order on both platforms.
# Home grows and apparel shrinks over the two years (factor at the start, factor at the end).
CATEGORY_TREND = ((1.0, 1.0), (1.1, 0.8), (0.6, 1.6), (1.5, 0.5), (1.0, 1.0), (1.0, 1.0))
# (sku, title, category, price in cents, compare-at cents or 0, vendor)
SHOPIFY_CATALOG = (
    ("ACC-LAN-01", "Braided Phone Lanyard", 0, 1200, 0, "Northwind Goods"),
    ("ACC-KEY-02", "Leather Keychain Accessory", 0, 1400, 1800, "Northwind Goods"),
    ("ACC-CAB-03", "Cable Organizer Pouch", 0, 1600, 0, "Northwind Goods"),
    ("ACC-CAS-04", "Silicone Phone Case", 0, 1900, 2400, "Northwind Goods"),
    ("ACC-PIN-05", "Enamel Pin Set", 0, 950, 0, "Northwind Goods"),
    ("STA-NTB-01", "Dot Grid Notebook A5", 1, 1800, 0, "Paper & Pine"),
    ("STA-PEN-02", "Gel Pen Set (6)", 1, 1250, 0, "Paper & Pine"),
    ("STA-PLN-03", "Undated Weekly Planner", 1, 2400, 2900, "Paper & Pine"),
    ("STA-TAP-04", "Washi Tape Bundle", 1, 1100, 0, "Paper & Pine"),
    ("HOM-CND-01", "Soy Candle, Cedar", 2, 2800, 0, "Hearth Studio"),
    ("HOM-MUG-02", "Stoneware Mug", 2, 2400, 0, "Hearth Studio"),
    ("HOM-BLK-03", "Linen Throw Blanket", 2, 6500, 7900, "Hearth Studio"),
    ("HOM-VAS-04", "Ceramic Bud Vase", 2, 4200, 0, "Hearth Studio"),
    ("APP-TEE-01", "Organic Cotton Tee", 3, 3200, 0, "Common Thread"),
    ("APP-HOO-02", "Fleece Hoodie", 3, 6800, 8500, "Common Thread"),
    ("APP-BEA-03", "Merino Beanie", 3, 3400, 0, "Common Thread"),
    ("APP-CAP-04", "Kids Canvas Cap", 3, 2900, 0, "Common Thread"),
    ("BAG-TOT-01", "Canvas Tote Bag", 4, 4800, 0, "Carryall Co."),
    ("BAG-BPK-02", "Roll-top Backpack", 4, 12800, 14900, "Carryall Co."),
    ("BAG-XBD-03", "Leather Crossbody Bag", 4, 14500, 0, "Carryall Co."),
    ("WAT-AUT-01", "Automatic Field Watch", 5, 39500, 0, "Meridian Watch Co."),
    ("WAT-QTZ-02", "Minimalist Quartz Watch", 5, 18900, 0, "Meridian Watch Co."),
    ("WAT-CHR-03", "Steel Chronograph Watch", 5, 44900, 49900, "Meridian Watch Co."),
    ("WAT-STR-04", "Leather Watch Strap", 5, 5900, 0, "Meridian Watch Co."),
)
SHOPIFY_VARIANTS = {0: ("Black", "Sand", "Olive"), 1: ("", ""), 2: ("", "Natural", "Charcoal"),
                    3: ("Navy / M", "Black / L", "Grey / S", "Oat / M"), 4: ("Black", "Tan"),
                    5: ("Silver", "Black", "Gold")}
# (商家编码, 标题, category, 价格 in fen, 商品属性 choices)
TAOBAO_CATALOG = (
    ("PJ-01", "硅胶手机壳 防摔全包 配件", 0, 1990, ("颜色分类：黑色", "颜色分类：奶白", "颜色分类：墨绿")),
    ("PJ-02", "编织手机挂绳 斜挎 配件", 0, 1580, ("颜色分类：灰色", "颜色分类：卡其")),
    ("PJ-03", "数据线收纳包 便携 配件", 0, 2500, ("颜色分类：黑色",)),
    ("WJ-01", "点阵笔记本 A5 文具", 1, 1680, ("规格：单本", "规格：三本装")),
    ("WJ-02", "儿童中性笔套装 6支装 文具", 1, 1290, ("颜色分类：黑色", "颜色分类：彩色")),
    ("WJ-03", "复古手账本 文具 礼盒", 1, 2900, ("颜色分类：棕色",)),
    ("JJ-01", "香薰蜡烛 雪松味 家居", 2, 5900, ("香型：雪松", "香型：白茶")),
    ("JJ-02", "陶瓷马克杯 家居 早餐杯", 2, 3900, ("颜色分类：米白", "颜色分类：雾蓝")),
    ("JJ-03", "亚麻沙发毯 家居 北欧", 2, 12900, ("颜色分类：燕麦", "颜色分类：深灰")),
    ("FZ-01", "纯棉短袖T恤 服装 男女同款", 3, 7900, ("颜色分类：白色；尺码：L", "颜色分类：黑色；尺码：M")),
    ("FZ-02", "加绒连帽卫衣 服装 宽松", 3, 16900, ("颜色分类：灰色；尺码：XL", "颜色分类：藏青；尺码：L")),
    ("XB-01", "帆布托特包 箱包 大容量", 4, 8900, ("颜色分类：米白", "颜色分类：黑色")),
    ("XB-02", "防水双肩包 箱包 通勤", 4, 23900, ("颜色分类：黑色", "颜色分类：军绿")),
    ("SM-01", "降噪蓝牙耳机 数码 旗舰款", 5, 69900, ("颜色分类：曜石黑", "颜色分类：云母白")),
    ("SM-02", "智能手表 数码 运动版", 5, 89900, ("颜色分类：黑色", "颜色分类：银色")),
)

# Customer groups planted for segmentation: (name, share of customers).
GROUPS = (("loyal_premium", 0.03), ("regular", 0.12), ("bargain", 0.12), ("lapsed", 0.25),
          ("new_recent", 0.16), ("gift_q4", 0.10), ("casual", 0.22))
# Category weights per group (accessories, stationery, home, apparel, bags, premium).
GROUP_CATEGORIES = {
    "loyal_premium": (0, 0, 0.15, 0, 0.2, 0.65), "regular": (0.12, 0.12, 0.22, 0.24, 0.2, 0.1),
    "bargain": (0.45, 0.35, 0.1, 0.1, 0, 0), "lapsed": (0.2, 0.2, 0.2, 0.25, 0.12, 0.03),
    "new_recent": (0.15, 0.12, 0.3, 0.18, 0.18, 0.07),
    "gift_q4": (0.05, 0.1, 0.35, 0.25, 0.2, 0.05),
    "casual": (0.2, 0.18, 0.2, 0.22, 0.15, 0.05),
}
LINES_P = (0.75, 0.15, 0.06, 0.03, 0.01)  # distinct items per order: ~25 % multi-item
GIFT_LINES_P = (0.35, 0.35, 0.2, 0.1, 0.0)
SHOPIFY_STATUS_P = {"paid": 0.929, "partially_refunded": 0.012, "refunded": 0.018, "voided": 0.028,
                    "pending": 0.009, "authorized": 0.004}

# Shopify countries: weight for customers acquired at the start and at the end (AU grows, FR
# shrinks), dial code, locale, e-mail domains and places (city, province code, province name, zip).
COUNTRIES = {
    "US": (0.46, 0.42, "1", "en", ("gmail.com", "yahoo.com", "outlook.com", "icloud.com"), (
        ("Boston", "MA", "Massachusetts", "02134"), ("New York", "NY", "New York", "10001"),
        ("Brooklyn", "NY", "New York", "11201"), ("Los Angeles", "CA", "California", "90012"),
        ("San Francisco", "CA", "California", "94110"), ("Austin", "TX", "Texas", "78701"),
        ("Seattle", "WA", "Washington", "98101"), ("Chicago", "IL", "Illinois", "60614"),
        ("Denver", "CO", "Colorado", "80202"), ("Portland", "OR", "Oregon", "97205"),
        ("Miami", "FL", "Florida", "33101"), ("Atlanta", "GA", "Georgia", "30303"))),
    "CA": (0.08, 0.08, "1", "en", ("gmail.com", "outlook.com", "rogers.com"), (
        ("Toronto", "ON", "Ontario", "M5V 2T6"), ("Vancouver", "BC", "British Columbia", "V6B 1A1"),
        ("Montréal", "QC", "Quebec", "H2X 1Y4"))),
    "GB": (0.10, 0.10, "44", "en", ("gmail.com", "hotmail.co.uk", "btinternet.com"), (
        ("London", "", "", "SW1A 1AA"), ("Manchester", "", "", "M1 1AE"),
        ("Edinburgh", "", "", "EH1 1YZ"), ("Bristol", "", "", "BS1 4DJ"))),
    "DE": (0.08, 0.08, "49", "de", ("gmx.de", "web.de", "gmail.com", "t-online.de"), (
        ("Berlin", "", "", "10115"), ("München", "", "", "80331"), ("Hamburg", "", "", "20095"),
        ("Köln", "", "", "50667"))),
    "FR": (0.12, 0.01, "33", "fr", ("orange.fr", "free.fr", "gmail.com"), (
        ("Paris", "", "", "75008"), ("Lyon", "", "", "69002"), ("Marseille", "", "", "13001"),
        ("Bordeaux", "", "", "33000"))),
    "AU": (0.02, 0.22, "61", "en", ("bigpond.com", "gmail.com", "outlook.com"), (
        ("Sydney", "NSW", "New South Wales", "2000"), ("Melbourne", "VIC", "Victoria", "3000"),
        ("Brisbane", "QLD", "Queensland", "4000"), ("Perth", "WA", "Western Australia", "6000"))),
    "JP": (0.05, 0.05, "81", "ja", ("yahoo.co.jp", "gmail.com", "docomo.ne.jp"), (
        ("Shibuya", "JP-13", "Tokyo", "150-0001"), ("Osaka", "JP-27", "Osaka", "530-0001"),
        ("Kyoto", "JP-26", "Kyoto", "600-8216"))),
    "NL": (0.04, 0.04, "31", "nl", ("gmail.com", "ziggo.nl", "outlook.com"), (
        ("Amsterdam", "", "", "1012 AB"), ("Utrecht", "", "", "3511 AA"))),
    "SE": (0.03, 0.03, "46", "sv", ("gmail.com", "telia.com"), (
        ("Stockholm", "", "", "111 20"), ("Göteborg", "", "", "411 05"))),
    "IT": (0.025, 0.025, "39", "it", ("gmail.com", "libero.it"), (
        ("Milano", "MI", "Milan", "20121"), ("Roma", "RM", "Rome", "00184"))),
    "ES": (0.025, 0.025, "34", "es", ("gmail.com", "hotmail.es"), (
        ("Madrid", "M", "Madrid", "28013"), ("Barcelona", "B", "Barcelona", "08001"))),
}
US_AREA = {"MA": "617", "NY": "212", "CA": "415", "TX": "512", "WA": "206", "IL": "312",
           "CO": "303", "OR": "503", "FL": "305", "GA": "404", "ON": "416", "BC": "604",
           "QC": "514"}
US_TAX = {"MA": 6.25, "NY": 8.875, "CA": 7.25, "TX": 6.25, "WA": 6.5, "IL": 6.25, "CO": 2.9,
          "FL": 6.0, "GA": 4.0}
NAMES = {
    "en": (("Emma", "Olivia", "Liam", "Noah", "Ava", "Sophia", "James", "Lucas", "Mia", "Amelia",
            "Ethan", "Harper", "Chloe", "Jack", "Grace", "Daniel", "Zoë", "Isabella", "Henry",
            "Ella"),
           ("Smith", "Johnson", "Brown", "Taylor", "Miller", "Wilson", "Davis", "Clark", "Walker",
            "Young", "O'Brien", "Murphy", "Nguyen", "Patel", "Kim", "García", "Campbell", "Evans")),
    "de": (("Lukas", "Anna", "Leon", "Marie", "Felix", "Sophie", "Jonas", "Lena", "Jürgen",
            "Greta"),
           ("Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Schäfer")),
    "fr": (("Louis", "Camille", "Léa", "Hugo", "Chloé", "Jules", "Manon", "Inès", "Théo"),
           ("Martin", "Bernard", "Dubois", "Thomas", "Petit", "Durand", "Lefèvre", "Moreau")),
    "nl": (("Daan", "Emma", "Sem", "Julia", "Lotte", "Bram"),
           ("de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser")),
    "sv": (("Erik", "Astrid", "Lars", "Ingrid", "Oskar", "Maja"),
           ("Andersson", "Johansson", "Karlsson", "Nilsson", "Eriksson", "Lindström")),
    "it": (("Giulia", "Marco", "Francesca", "Luca", "Chiara", "Matteo"),
           ("Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano")),
    "es": (("Lucía", "Hugo", "Martina", "Pablo", "Sofía", "Álvaro"),
           ("García", "Fernández", "López", "Martínez", "Sánchez", "Pérez")),
    "ja": (("Yui", "Haruto", "Sakura", "Ren", "Aoi", "Sota"),
           ("Sato", "Suzuki", "Takahashi", "Tanaka", "Watanabe", "Ito")),
}
JA_KANJI = {"Yui": "結衣", "Haruto": "陽翔", "Sakura": "さくら", "Ren": "蓮", "Aoi": "葵", "Sota": "蒼太",
            "Sato": "佐藤", "Suzuki": "鈴木", "Takahashi": "高橋", "Tanaka": "田中", "Watanabe": "渡辺",
            "Ito": "伊藤"}
STREETS = {
    "en": ("Main St", "Oak Avenue", "Maple Drive", "Park Road", "High Street", "Elm Street",
           "Cedar Lane", "King Street"),
    "de": ("Hauptstraße", "Bahnhofstraße", "Gartenweg", "Schillerstraße", "Lindenallee"),
    "fr": ("rue de Rivoli", "avenue Victor Hugo", "rue du Faubourg Saint-Honoré",
           "boulevard Voltaire"),
    "nl": ("Prinsengracht", "Kerkstraat", "Damrak"), "sv": ("Drottninggatan", "Storgatan"),
    "it": ("Via Roma", "Corso Buenos Aires", "Via Garibaldi"), "es": ("Calle Mayor", "Gran Vía"),
    "ja": ("Jingumae", "Umeda", "Shijo-dori"),
}
GIFT_NOTES = ("Gift wrap please", "Happy birthday! Love, {n}", "Merry Christmas!\nLove, {n}",
              "Please do not include the receipt, it is a gift.", "For Mum \u2764 from {n}")

# Taobao: (province label, city, districts); 四川 grows and 上海 shrinks over the period.
TAOBAO_PLACES = (
    ("浙江省", "杭州市", ("西湖区", "余杭区", "滨江区")), ("浙江省", "宁波市", ("鄞州区", "海曙区")),
    ("广东省", "广州市", ("天河区", "越秀区")), ("广东省", "深圳市", ("南山区", "福田区")),
    ("江苏省", "南京市", ("鼓楼区", "玄武区")), ("江苏省", "苏州市", ("姑苏区", "吴中区")),
    ("上海", "上海市", ("浦东新区", "徐汇区", "静安区")), ("北京", "北京市", ("朝阳区", "海淀区")),
    ("四川省", "成都市", ("武侯区", "锦江区", "高新区")), ("湖北省", "武汉市", ("洪山区", "江汉区")),
    ("山东省", "青岛市", ("市南区", "崂山区")), ("山东省", "济南市", ("历下区",)),
    ("福建省", "厦门市", ("思明区",)), ("河南省", "郑州市", ("金水区",)), ("湖南省", "长沙市", ("岳麓区",)),
    ("陕西省", "西安市", ("雁塔区",)), ("辽宁省", "沈阳市", ("和平区",)), ("重庆", "重庆市", ("渝中区",)),
    ("天津", "天津市", ("南开区",)), ("安徽省", "合肥市", ("蜀山区",)), ("云南省", "昆明市", ("五华区",)),
    ("广西壮族自治区", "南宁市", ("青秀区",)), ("黑龙江省", "哈尔滨市", ("南岗区",)),
    ("新疆维吾尔自治区", "乌鲁木齐市", ("天山区",)),
)
TAOBAO_TREND = {"四川省": (0.5, 2.0), "上海": (1.6, 0.5)}
CN_STREETS = ("文三路", "人民路", "中山路", "建设路", "解放路", "长江路", "学院路", "新华路", "天府大道")
CN_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
CN_GIVEN = ("伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
            "明", "超", "秀英", "华", "慧", "子涵", "欣怡", "浩然")
NICK_WORDS = ("xiao", "da", "mei", "tian", "yun", "feng", "le", "meng", "lan", "xin", "yu", "chen")
CN_NICKS = ("快乐的小鱼", "爱吃猫的鱼", "阳光宝贝", "小熊软糖", "追风少年", "柠檬不萌", "晴天娃娃")
COURIERS = (("中通快递", "7"), ("圆通速递", "YT"), ("韵达快递", "43"), ("顺丰速运", "SF"), ("申通快递", "77"))


def generate_demo(out_dir: Path, seed: int = 7, scale: float = 1.0) -> list[Path]:
    """Write the Shopify export and the Taobao/Tmall pair into out_dir; return their paths."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    shopify = out_dir / "shopify_orders_export.csv"
    orders, lines = _shopify_demo_orders(np.random.default_rng([seed, 1]), round(2500 * scale))
    _write_shopify(shopify, orders, lines)
    taobao = _write_taobao(out_dir, np.random.default_rng([seed, 2]), round(1500 * scale))
    return [shopify, *taobao, _write_shopify_products(out_dir)]


# The shop's product types (Shopify's "Type"), by the category index of SHOPIFY_CATALOG.
SHOPIFY_CATEGORY_NAMES = ("Accessories", "Stationery", "Home", "Apparel", "Bags", "Watches")
SHOPIFY_PRODUCTS_HEADER = (
    "Handle", "Title", "Body (HTML)", "Vendor", "Product Category", "Type", "Tags", "Published",
    "Option1 Name", "Option1 Value", "Option1 Linked To", "Option2 Name", "Option2 Value",
    "Option2 Linked To", "Option3 Name", "Option3 Value", "Option3 Linked To", "Variant SKU",
    "Variant Grams", "Variant Inventory Tracker", "Variant Inventory Policy",
    "Variant Fulfillment Service", "Variant Price", "Variant Compare At Price",
    "Variant Requires Shipping", "Variant Taxable", "Unit Price Total Measure",
    "Unit Price Total Measure Unit", "Unit Price Base Measure", "Unit Price Base Measure Unit",
    "Variant Barcode", "Image Src", "Image Position", "Image Alt Text", "Gift Card", "SEO Title",
    "SEO Description", "Variant Image", "Variant Weight Unit", "Variant Tax Code", "Cost per item",
    "Status",
)


def _write_shopify_products(out_dir: Path) -> Path:
    """The shop's products export (Admin → Products → Export): one row per product, so that the
    order lines can get their product type (the orders export has none)."""
    path = out_dir / "products_export_1.csv"
    rows = []
    for sku, title, category, price, compare, vendor in SHOPIFY_CATALOG:
        handle = "".join(c if c.isalnum() else "-" for c in title.lower()).strip("-")
        values = {"Handle": handle, "Title": title, "Body (HTML)": f"<p>{title}.</p>", "Vendor": vendor,
                  "Type": SHOPIFY_CATEGORY_NAMES[category], "Published": "TRUE",
                  "Option1 Name": "Title", "Option1 Value": "Default Title", "Variant SKU": sku,
                  "Variant Inventory Tracker": "shopify", "Variant Inventory Policy": "deny",
                  "Variant Fulfillment Service": "manual", "Variant Price": f"{price / 100:.2f}",
                  "Variant Compare At Price": f"{compare / 100:.2f}" if compare else "",
                  "Variant Requires Shipping": "TRUE", "Variant Taxable": "TRUE",
                  "Gift Card": "FALSE", "Variant Weight Unit": "kg", "Status": "active"}
        rows.append([values.get(column, "") for column in SHOPIFY_PRODUCTS_HEADER])
    with path.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f, lineterminator="\n").writerows([SHOPIFY_PRODUCTS_HEADER, *rows])
    return path


def write_shopify_export(path: Path, n_lines: int, seed: int = 1, part: int = 0) -> None:
    """Write n_lines line-item rows (plus the header) in the Shopify layout, vectorised. Parts
    1, 2, … of the same size are the shop's further exports: their own orders (numbers and ids
    follow on), and half their customers are the previous part's."""
    rng = np.random.default_rng(seed + part)
    per = rng.choice(np.arange(1, 6), size=n_lines, p=LINES_P)
    ends = np.cumsum(per)
    n_orders = int(np.searchsorted(ends, n_lines)) + 1
    per = per[:n_orders]
    per[-1] -= ends[n_orders - 1] - n_lines  # trim the last order to hit n_lines exactly
    order = np.repeat(np.arange(n_orders), per)
    cat = _catalog_arrays()
    product = rng.integers(0, len(SHOPIFY_CATALOG), n_lines)
    qty = rng.choice([1, 2, 3], size=n_lines, p=[0.88, 0.09, 0.03])
    starts = np.concatenate([[0], np.cumsum(per)[:-1]])
    subtotal = np.add.reduceat(cat["price"][product] * qty, starts)

    # A heavy-tailed customer base: low ids buy far more often than high ones.
    n_customers = max(1, n_orders // 3)
    cust = np.minimum((n_customers * rng.random(n_orders) ** 3).astype(np.int64), n_customers - 1)
    cust += part * (n_customers // 2)
    places = _flat_places()
    place = (cust * 7919) % len(places["city"])
    first = np.array(NAMES["en"][0], dtype=T)[cust % len(NAMES["en"][0])]
    last = np.array(NAMES["en"][1], dtype=T)[(cust // 7) % len(NAMES["en"][1])]
    name = np.strings.add(np.strings.add(first, " "), last)
    cust_s = cust.astype(T)
    email = np.strings.add(np.strings.add("customer", cust_s), "@example.com")
    guest = cust % 20 == 0
    email = np.where(guest, "", email)
    phone = np.strings.add("+1555", np.strings.zfill(cust_s, 7))
    phone = np.where(guest | (cust % 3 == 0), phone, "")

    code = np.where(rng.random(n_orders) < 0.15, "SAVE10", "")
    discount = np.where(code != "", subtotal // 10, 0)
    country = places["country"][place]
    prov = places["prov"][place]
    shipping, tax, tax_name, method = _shopify_charges(subtotal - discount, country, prov,
                                                       rng.random(n_orders) < 0.1)
    status = rng.choice(list(SHOPIFY_STATUS_P), size=n_orders, p=list(SHOPIFY_STATUS_P.values()))
    total = subtotal - discount + shipping + tax
    refunded = np.where(status == "refunded", total,
                        np.where(status == "partially_refunded", total // 4, 0))
    created = _START64 + np.sort(rng.integers(0, DAYS * 86400, n_orders)).astype("timedelta64[s]")
    street = np.strings.add(np.strings.add((cust % 900 + 10).astype(T), " "),
                            np.array(STREETS["en"], dtype=T)[cust % len(STREETS["en"])])
    orders = {
        "number": np.arange(1001, 1001 + n_orders) + part * n_lines,  # a part has at most n_lines orders
        "order_id": 5_600_000_000_000 + (np.arange(n_orders) + part * n_lines) * 13,
        "email": email, "phone": phone, "accepts": cust % 3 == 1, "created": created,
        "status": status, "subtotal": subtotal, "discount": discount, "shipping": shipping,
        "tax": tax, "refunded": refunded,
        "code": code, "ship_method": method, "tax_name": tax_name, "currency": "USD",
        "bill_name": name, "bill_addr1": street, "bill_addr2": "", "bill_company": "",
        "bill_city": places["city"][place], "bill_zip": places["zip"][place], "bill_prov": prov,
        "bill_prov_name": places["prov_name"][place], "bill_country": country,
        "note": "", "source": "web", "tags": "", "pay_method": "Shopify Payments", "risk": "Low",
    }
    for key in ("name", "addr1", "addr2", "company", "city", "zip", "prov", "prov_name", "country"):
        orders["ship_" + key] = orders["bill_" + key]
    lines = {"order": order, "qty": qty, "title": cat["title"][product],
             "price": cat["price"][product], "compare": cat["compare"][product],
             "sku": cat["sku"][product], "vendor": cat["vendor"][product]}
    _write_shopify(Path(path), orders, lines)


# ---------------------------------------------------------------- Shopify row layout (shared)

def _write_shopify(path: Path, orders: dict, lines: dict, chunk: int = 50_000) -> None:
    """Write a Shopify export (UTF-8, no BOM, LF), `chunk` orders at a time to bound memory."""
    n = len(orders["number"])
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(SHOPIFY_HEADER)
        for lo in range(0, n, chunk):
            hi = min(n, lo + chunk)
            a, b = np.searchsorted(lines["order"], [lo, hi])
            part = {k: v[lo:hi] if isinstance(v, np.ndarray) else v for k, v in orders.items()}
            part_lines = {k: v[a:b] for k, v in lines.items()}
            part_lines["order"] = part_lines["order"] - lo
            writer.writerows(zip(*(c.tolist() for c in _shopify_columns(part, part_lines))))


def _shopify_columns(o: dict, li: dict) -> list[np.ndarray]:
    """Lay out orders and their line items as Shopify export columns, in SHOPIFY_HEADER order.

    `o` holds one value per order (sorted by creation), `li` one per line item, sorted by
    li["order"] (the order's position). Order-level fields go on an order's first row only.
    """
    n_rows = len(li["order"])
    n = len(o["number"])
    full = {k: (np.full(n, v, dtype=T) if isinstance(v, str) else v) for k, v in o.items()}
    order = li["order"]
    first = np.ones(n_rows, dtype=bool)
    first[1:] = order[1:] != order[:-1]
    st = full["status"]
    oid = full["order_id"]
    created = full["created"]
    total = full["subtotal"] - full["discount"] + full["shipping"] + full["tax"]
    captured = np.isin(st, ("paid", "partially_refunded", "refunded"))
    fulfilled = (created < _CUTOFF64) & (np.isin(st, ("paid", "partially_refunded"))
                                         | ((st == "refunded") & (oid % 3 > 0)))
    # Cancelling an unpaid order voids it; cancelling a paid, unshipped one refunds it.
    cancelled = (st == "voided") | ((st == "refunded") & ~fulfilled)
    seconds = np.timedelta64(1, "s")
    pay_ref = np.strings.add(np.strings.add("c", (oid * 7 % 10**11 + 2 * 10**10).astype(T)), ".1")
    pay_ref = np.where(captured | (st == "authorized"), pay_ref, "")

    def street(side):
        two = full[side + "_addr2"] != ""
        return np.where(two, np.strings.add(np.strings.add(full[side + "_addr1"], ", "),
                                            full[side + "_addr2"]), full[side + "_addr1"])

    def zip_(side):  # numeric zips get Excel armour, as Shopify writes them
        z = full[side + "_zip"]
        return np.where(np.strings.isdigit(z), np.strings.add("'", z), z)

    has_tax = full["tax"] > 0
    by_order = {
        "Name": np.strings.add("#", full["number"].astype(T)),
        "Email": full["email"],
        "Financial Status": st,
        "Paid at": _store_time(created + (3 + oid % 120) * seconds, captured),
        "Fulfillment Status": np.where(fulfilled, "fulfilled", "unfulfilled"),
        "Fulfilled at": _store_time(created + (86400 * (1 + oid % 3) + 3600 * (oid % 7)) * seconds,
                                    fulfilled),
        "Accepts Marketing": np.where(full["accepts"], "yes", "no"),
        "Currency": full["currency"],
        "Subtotal": _money(full["subtotal"]),
        "Shipping": _money(full["shipping"]),
        "Taxes": _money(full["tax"]),
        "Total": _money(total),
        "Discount Code": full["code"],
        "Discount Amount": _money(full["discount"]),
        "Shipping Method": full["ship_method"],
        "Created at": _store_time(created),
        "Billing Street": street("bill"), "Shipping Street": street("ship"),
        "Billing Zip": zip_("bill"), "Shipping Zip": zip_("ship"),
        "Billing Phone": full["phone"], "Shipping Phone": full["phone"],
        "Notes": full["note"],
        "Cancelled at": _store_time(created + 3600 * (2 + oid % 40) * seconds, cancelled),
        "Payment Method": full["pay_method"],
        "Payment Reference": pay_ref,
        "Refunded Amount": _money(full["refunded"]),
        "Outstanding Balance": _money(np.where(np.isin(st, ("pending", "authorized")), total, 0)),
        "Id": oid.astype(T),
        "Tags": full["tags"],
        "Risk Level": full["risk"],
        "Source": full["source"],
        "Tax 1 Name": np.where(has_tax, full["tax_name"], ""),
        "Tax 1 Value": np.where(has_tax, _money(full["tax"]), ""),
        "Phone": full["phone"],
        "Payment ID": pay_ref,
        "Payment References": pay_ref,
    }
    for side, label in (("bill", "Billing"), ("ship", "Shipping")):
        by_order[label + " Name"] = full[side + "_name"]
        by_order[label + " Address1"] = full[side + "_addr1"]
        by_order[label + " Address2"] = full[side + "_addr2"]
        by_order[label + " Company"] = full[side + "_company"]
        by_order[label + " City"] = full[side + "_city"]
        by_order[label + " Province"] = full[side + "_prov"]
        by_order[label + " Country"] = full[side + "_country"]
        by_order[label + " Province Name"] = full[side + "_prov_name"]
    line_fulfilled = fulfilled[order]
    by_line = {
        "Lineitem quantity": li["qty"].astype(T),
        "Lineitem name": li["title"],
        "Lineitem price": _money(li["price"]),
        "Lineitem compare at price": np.where(li["compare"] > 0, _money(li["compare"]), ""),
        "Lineitem sku": li["sku"],
        "Lineitem requires shipping": np.full(n_rows, "true", dtype=T),
        "Lineitem taxable": np.full(n_rows, "true", dtype=T),
        "Lineitem fulfillment status": np.where(line_fulfilled, "fulfilled", "pending"),
        "Vendor": li["vendor"],
        "Lineitem discount": np.full(n_rows, "0.00", dtype=T),
    }
    # Object arrays of Python strings: cheap to scatter and to hand to the csv writer.
    first_rows = np.flatnonzero(first)
    assert len(first_rows) == n, "every order needs at least one line item"
    blank = np.full(n_rows, "", dtype=object)
    columns = []
    for col in SHOPIFY_HEADER:
        if col in by_line:
            columns.append(np.asarray(by_line[col]).astype(object))
        elif col in SHOPIFY_REPEATED:
            columns.append(np.asarray(by_order[col]).astype(object)[order])
        elif col in by_order:
            column = blank.copy()
            column[first_rows] = np.asarray(by_order[col]).astype(object)
            columns.append(column)
        else:
            columns.append(blank)
    return columns


def _shopify_charges(net, country, prov, express):
    """Shipping, tax, tax name and shipping method per order, from the net goods value in cents."""
    domestic = country == "US"
    free = np.where(domestic, net >= 7500, net >= 15000)
    shipping = np.where(domestic, np.where(express, 1495, np.where(free, 0, 695)),
                        np.where(free, 0, np.where(country == "CA", 1295, 1995)))
    method = np.where(domestic, np.where(express, "Express Shipping",
                                         np.where(free, "Free Shipping", "Standard Shipping")),
                      np.where(free, "Free International Shipping", "International Shipping"))
    rate = np.zeros(len(net))
    name = np.full(len(net), "", dtype=T)
    for state, pct in US_TAX.items():
        hit = domestic & (prov == state)
        rate[hit] = pct
        name[hit] = f"{state} State Tax {pct:g}%"
    canada = country == "CA"
    rate[canada] = 5.0
    name[canada] = "GST 5%"
    tax = np.rint(net * rate / 100).astype(np.int64)
    return shipping.astype(np.int64), tax, name, method.astype(T)


def _shopify_demo_orders(rng: np.random.Generator, n_customers: int) -> tuple[dict, dict]:
    """Plan the planted customer groups and their orders; return order and line tables."""
    day_w = _day_weights("shopify")
    sale = _sale_mask("shopify")
    customers = _assign_groups(rng, n_customers)
    used_emails: dict[str, int] = {}
    used_phones: dict[str, int] = {}
    rows, line_rows = [], []
    for idx, group in enumerate(customers):
        days = _order_days(rng, group, day_w, sale, "shopify")
        t0 = days[0] / DAYS
        codes = list(COUNTRIES)
        w = np.array([COUNTRIES[c][0] + (COUNTRIES[c][1] - COUNTRIES[c][0]) * t0 for c in codes])
        if group == "loyal_premium":  # premium buyers sit in the richest markets
            w = w * np.array([2.0 if c in ("US", "GB", "DE", "JP") else 0.3 for c in codes])
        country = codes[rng.choice(len(codes), p=w / w.sum())]
        person = _person(rng, country)
        ident = rng.random()
        single = len(days) == 1 and group in ("lapsed", "casual")
        guest = ident < 0.07 and group != "loyal_premium"
        email = "" if guest else _email(rng, person, used_emails)
        none = single and ident < 0.018  # neither e-mail nor phone: unidentifiable
        phone = "" if none or (email and rng.random() < 0.6) else _phone(rng, person, used_phones)
        accepts = rng.random() < {"loyal_premium": 0.9, "bargain": 0.8}.get(group, 0.35)
        for k, day in enumerate(days):
            items = _pick_items(rng, group, day, SHOPIFY_CATALOG)
            order = dict(person["address"])
            second = int(day) * 86400 + _second_of_day(rng)
            order.update(customer=idx, group=group, email=email, phone=phone, accepts=accepts,
                         created=_START64 + np.timedelta64(second, "s"),
                         subtotal=sum(SHOPIFY_CATALOG[p][3] * q for p, q in items),
                         tags="", note="", bill_name=person["name"], bill_company="")
            for key in ("name", "addr1", "addr2", "company", "city", "zip", "prov", "prov_name",
                        "country"):
                order["ship_" + key] = order["bill_" + key]
            if group == "gift_q4":  # ship to someone else, often with a note
                recipient = _person(rng, country)
                for key in ("addr1", "addr2", "city", "zip", "prov", "prov_name"):
                    order["ship_" + key] = recipient["address"]["bill_" + key]
                order["ship_name"] = recipient["name"]
                order["tags"] = "gift"
                if rng.random() < 0.6:
                    order["note"] = str(rng.choice(GIFT_NOTES)).format(n=person["name"].split()[0])
            elif rng.random() < 0.01:
                order["note"] = "Please leave the parcel at the back door."
            if rng.random() < 0.02:
                company = "Studio " + person["name"].split()[-1]
                order["bill_company"] = order["ship_company"] = company
            code, pct = _discount(rng, group, day, k)
            order["code"] = code
            order["discount"] = int(round(order["subtotal"] * pct / 100))
            order["status"] = _shopify_status(rng, group)
            order["source"] = str(rng.choice(["web", "580111", "shopify_draft_order"],
                                             p=[0.9, 0.07, 0.03]))
            order["pay_method"] = ("manual" if order["source"] == "shopify_draft_order" else
                                   str(rng.choice(["Shopify Payments", "PayPal Express Checkout"],
                                                  p=[0.75, 0.25])))
            order["risk"] = str(rng.choice(["Low", "Medium", "High"], p=[0.965, 0.03, 0.005]))
            order["express"] = rng.random() < 0.1
            order["items"] = items
            rows.append(order)
    rows.sort(key=lambda r: (r["created"], r["customer"]))
    n = len(rows)
    o = {key: np.array([r[key] for r in rows], dtype=T) for key in (
        "email", "phone", "status", "code", "tags", "note", "source", "pay_method", "risk",
        "bill_name", "bill_addr1", "bill_addr2", "bill_company", "bill_city", "bill_zip",
        "bill_prov", "bill_prov_name", "bill_country", "ship_name", "ship_addr1", "ship_addr2",
        "ship_company", "ship_city", "ship_zip", "ship_prov", "ship_prov_name", "ship_country")}
    o["number"] = np.arange(1001, 1001 + n)
    o["order_id"] = 5_600_000_000_000 + np.cumsum(rng.integers(3, 400, n))
    o["created"] = np.array([r["created"] for r in rows], dtype="datetime64[s]")
    o["accepts"] = np.array([r["accepts"] for r in rows], dtype=bool)
    o["subtotal"] = np.array([r["subtotal"] for r in rows], dtype=np.int64)
    o["discount"] = np.array([r["discount"] for r in rows], dtype=np.int64)
    o["currency"] = "USD"
    o["shipping"], o["tax"], o["tax_name"], o["ship_method"] = _shopify_charges(
        o["subtotal"] - o["discount"], o["bill_country"], o["bill_prov"],
        np.array([r["express"] for r in rows], dtype=bool))
    total = o["subtotal"] - o["discount"] + o["shipping"] + o["tax"]
    refunded = np.zeros(n, dtype=np.int64)
    for i, r in enumerate(rows):
        if r["status"] == "refunded":
            refunded[i] = total[i]
        elif r["status"] == "partially_refunded":  # one unit came back, or a price adjustment
            price = SHOPIFY_CATALOG[r["items"][0][0]][3]
            units = sum(q for _, q in r["items"])
            refunded[i] = price if units > 1 else price // 2
        for p, q in r["items"]:
            line_rows.append((i, p, q))
    o["refunded"] = refunded
    cat = _catalog_arrays()
    variants = np.array([_variant(p, i) for i, p, _ in line_rows], dtype=T)
    product = np.array([p for _, p, _ in line_rows])
    title = np.where(variants != "", np.strings.add(np.strings.add(cat["title"][product], " - "),
                                                    variants), cat["title"][product])
    lines = {"order": np.array([i for i, _, _ in line_rows]),
             "qty": np.array([q for _, _, q in line_rows]), "title": title,
             "price": cat["price"][product], "compare": cat["compare"][product],
             "sku": cat["sku"][product], "vendor": cat["vendor"][product]}
    return o, lines


def _variant(product: int, order_pos: int) -> str:
    options = SHOPIFY_VARIANTS[SHOPIFY_CATALOG[product][2]]
    return options[(order_pos * 31 + product) % len(options)]


def _discount(rng, group: str, day: int, k: int) -> tuple[str, int]:
    """Discount code and percent: bargain hunters use seasonal codes, new buyers a welcome code."""
    d = START + timedelta(days=int(day))
    if group == "bargain" and rng.random() < 0.85:
        if d.month == 11 or (d.month == 12 and d.day < 20):
            return "BFCM25", 25
        if d.month in (12, 1):
            return "NEWYEAR20", 20
        return "SUMMER15", 15
    if k == 0 and rng.random() < 0.2:
        return "WELCOME10", 10
    if rng.random() < 0.03:
        return "FRIENDS10", 10
    return "", 0


def _shopify_status(rng, group: str) -> str:
    p = dict(SHOPIFY_STATUS_P)
    if group == "bargain":  # bargain hunters send more back
        p["refunded"] += 0.02
        p["paid"] -= 0.02
    return str(rng.choice(list(p), p=list(p.values())))


def _person(rng, country: str) -> dict:
    """A name and a billing address in `country`."""
    locale = COUNTRIES[country][3]
    firsts, lasts = NAMES[locale]
    first, last = str(rng.choice(firsts)), str(rng.choice(lasts))
    display = f"{first} {last}"
    if locale == "ja" and rng.random() < 0.5:
        display = f"{JA_KANJI[last]} {JA_KANJI[first]}"
    city, prov, prov_name, zip_ = COUNTRIES[country][5][rng.integers(len(COUNTRIES[country][5]))]
    street = str(rng.choice(STREETS[locale]))
    num = int(rng.integers(1, 300))
    if locale in ("en", "fr"):
        addr1 = f"{num} {street}"
    elif locale == "ja":
        addr1 = f"{rng.integers(1, 6)}-{rng.integers(1, 30)}-{rng.integers(1, 20)} {street}"
    else:
        addr1 = f"{street} {num}"
    addr2 = f"Apt {rng.integers(1, 40)}" if locale == "en" and rng.random() < 0.2 else ""
    return {"name": display, "first": first, "last": last, "country": country, "address": {
        "bill_addr1": addr1, "bill_addr2": addr2, "bill_city": city, "bill_zip": zip_,
        "bill_prov": prov, "bill_prov_name": prov_name, "bill_country": country}}


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _email(rng, person: dict, used: dict) -> str:
    first, last = _ascii(person["first"]), _ascii(person["last"])
    style = rng.integers(3)
    local = (f"{first}.{last}" if style == 0 else f"{first}{last[0]}{rng.integers(70, 100)}"
             if style == 1 else f"{first[0]}{last}")
    domain = str(rng.choice(COUNTRIES[person["country"]][4]))
    email = f"{local}@{domain}"
    used[email] = used.get(email, 0) + 1
    return email if used[email] == 1 else f"{local}{used[email]}@{domain}"


def _phone(rng, person: dict, used: dict) -> str:
    country = person["country"]
    dial = COUNTRIES[country][2]
    while True:  # phones are identities: never give two customers the same one
        if dial == "1":
            area = US_AREA.get(person["address"]["bill_prov"], "646")
            phone = f"+1{area}{rng.integers(2000000, 9999999)}"
        else:
            phone = f"+{dial}{rng.integers(6, 8)}{rng.integers(10**7, 10**8)}"
        if phone not in used:
            used[phone] = 1
            return phone


# ---------------------------------------------------------------- planted groups (shared)

def _assign_groups(rng, n_customers: int) -> list[str]:
    names = [g for g, _ in GROUPS]
    counts = [int(round(share * n_customers)) for _, share in GROUPS]
    counts[names.index("casual")] += n_customers - sum(counts)
    groups = [g for g, c in zip(names, counts) for _ in range(c)]
    return [groups[i] for i in rng.permutation(len(groups))]


def _day_weights(platform: str) -> np.ndarray:
    """Relative order volume per day: growth, Nov/Dec peaks and the platform's festivals."""
    month = {1: 0.8, 2: 0.7, 3: 0.85, 4: 0.9, 5: 0.95, 6: 0.9, 7: 1.0, 8: 0.85, 9: 0.9, 10: 1.0,
             11: 1.6, 12: 1.9}
    w = np.empty(DAYS)
    for i in range(DAYS):
        d = START + timedelta(days=i)
        w[i] = month[d.month] * (1 + 0.35 * i / DAYS)
        if platform == "shopify":
            bf = _black_friday(d.year)
            if d == bf or d == bf + timedelta(days=3):
                w[i] *= 4
            elif bf < d < bf + timedelta(days=3):
                w[i] *= 2.5
        else:
            if d.month == 11 and d.day == 11:
                w[i] *= 12
            elif d.month == 11 and d.day < 11:
                w[i] *= 1.6
            elif (d.month, d.day) in ((6, 18), (12, 12)):
                w[i] *= 4
            elif d.month == 2 and d.day < 20:  # Spring Festival: couriers stop
                w[i] *= 0.5
    return w


def _black_friday(year: int) -> date:
    nov1 = date(year, 11, 1)
    thanksgiving = nov1 + timedelta(days=(3 - nov1.weekday()) % 7 + 21)
    return thanksgiving + timedelta(days=1)


def _sale_mask(platform: str) -> np.ndarray:
    """Days when bargain hunters shop."""
    mask = np.zeros(DAYS, dtype=bool)
    for i in range(DAYS):
        d = START + timedelta(days=i)
        if platform == "shopify":
            bf = _black_friday(d.year)
            mask[i] = (bf <= d <= bf + timedelta(days=3) or (d.month == 12 and d.day >= 26)
                       or (d.month == 1 and d.day <= 4) or (d.month == 7 and 10 <= d.day <= 20))
        else:
            mask[i] = ((d.month == 11 and d.day <= 11) or (d.month == 6 and d.day <= 18)
                       or (d.month == 12 and d.day == 12))
    return mask


def _pick_days(rng, w: np.ndarray, lo: int, hi: int, k: int) -> list[int]:
    hi = max(hi, lo + 1)
    part = w[lo:hi]
    return [lo + int(x) for x in rng.choice(hi - lo, size=k, p=part / part.sum())]


def _order_days(rng, group: str, w: np.ndarray, sale: np.ndarray, platform: str) -> list[int]:
    """Order days of one customer of `group`, sorted; the first one is their acquisition."""
    if group == "loyal_premium":
        first = _pick_days(rng, w, 0, 180, 1)[0]
        n = 10 + min(20, int(rng.geometric(0.15)) - 1)
        days = [first] + _pick_days(rng, np.sqrt(w), first, DAYS, n - 1)
    elif group == "regular":
        first = _pick_days(rng, w, 0, int(0.7 * DAYS), 1)[0]
        days = [first] + _pick_days(rng, w, first, min(DAYS, first + int(rng.integers(120, 500))),
                                    int(rng.integers(1, 6)))
    elif group == "bargain":
        days = _pick_days(rng, w * sale, 0, DAYS, int(rng.integers(2, 8)))
    elif group == "lapsed":
        first = _pick_days(rng, w, 0, 365, 1)[0]
        days = [first] + (_pick_days(rng, w, first, first + 60, 1) if rng.random() < 0.1 else [])
    elif group == "new_recent":  # acquisition accelerates over the last six months
        lo = DAYS - 183
        first = _pick_days(rng, w * np.linspace(0.3, 3.0, DAYS), lo, DAYS, 1)[0]
        extra = int(rng.choice(3, p=[0.65, 0.25, 0.1]))
        days = [first] + _pick_days(rng, w, first, DAYS, extra)
    elif group == "gift_q4":
        windows = _gift_windows(platform)
        which = rng.choice(3, p=[0.3, 0.3, 0.4])
        chosen = [windows[0]] if which == 0 else [windows[1]] if which == 1 else windows
        days = [d for lo, hi in chosen
                for d in _pick_days(rng, w, lo, hi, 1 + (rng.random() < 0.1))]
    else:
        days = _pick_days(rng, w, 0, DAYS, 1)
    return sorted(days)


def _gift_windows(platform: str) -> list[tuple[int, int]]:
    """Day ranges of the two year-end gift seasons."""
    spans = ((11, 15), (12, 23)) if platform == "shopify" else ((12, 1), (12, 31))
    return [((date(y, *spans[0]) - START).days, (date(y, *spans[1]) - START).days)
            for y in (START.year, START.year + 1)]


def _pick_items(rng, group: str, day: int, catalog) -> list[tuple[int, int]]:
    """(product index, quantity) of one order: the group's categories, trend-adjusted by date."""
    t = day / DAYS
    trend = np.array([a + (b - a) * t for a, b in CATEGORY_TREND])
    w = np.array(GROUP_CATEGORIES[group]) * trend
    n = 1 + int(rng.choice(5, p=GIFT_LINES_P if group == "gift_q4" else LINES_P))
    qty_p = [0.55, 0.3, 0.15] if group == "bargain" else [0.88, 0.09, 0.03]
    items: list[tuple[int, int]] = []
    for _ in range(n):
        category = rng.choice(len(w), p=w / w.sum())
        products = [i for i, p in enumerate(catalog) if p[2] == category]
        product = int(rng.choice(products))
        if all(product != p for p, _ in items):
            items.append((product, 1 + int(rng.choice(3, p=qty_p))))
    return items


def _second_of_day(rng) -> int:
    """Time of day, busiest in the evening."""
    hour_w = np.array([2, 1, 0.5, 0.3, 0.3, 0.5, 1, 2, 3, 4, 4, 5,
                       6, 5, 5, 5, 5, 6, 7, 8, 9, 9, 7, 4])
    return int(rng.choice(24, p=hour_w / hour_w.sum())) * 3600 + int(rng.integers(3600))


# ---------------------------------------------------------------- Taobao / Tmall

def _write_taobao(out_dir: Path, rng: np.random.Generator, n_customers: int) -> list[Path]:
    """Write the 订单报表 and 宝贝报表 pair (GBK, CRLF as written on Windows)."""
    day_w = _day_weights("taobao")
    sale = _sale_mask("taobao")
    customers = _assign_groups(rng, n_customers)
    used: dict[str, int] = {}
    orders = []
    for idx, group in enumerate(customers):
        days = _order_days(rng, group, day_w, sale, "taobao")
        buyer = _cn_buyer(rng, days[0] / DAYS, used)
        for day in days:
            created = datetime.combine(START, datetime.min.time()) + timedelta(
                days=int(day), seconds=_second_of_day(rng))
            orders.append({"buyer": buyer, "group": group, "created": created,
                           "items": _pick_items(rng, group, day, TAOBAO_CATALOG), "day": day})
    orders.sort(key=lambda r: r["created"])
    order_ids = rng.choice(10**18, size=len(orders), replace=False) + 2 * 10**18
    order_rows, detail_rows = [], []
    for order, oid in zip(orders, order_ids):
        order_row, details = _taobao_rows(rng, order, str(oid))
        order_rows.append(order_row)
        detail_rows.extend(details)
    order_path = out_dir / f"ExportOrderList{EXPORT_STAMP}.csv"
    detail_path = out_dir / f"ExportOrderDetailList{EXPORT_STAMP}.csv"
    with open(order_path, "w", encoding="gbk", newline="") as f:
        f.write(_csv_line(TAOBAO_ORDER_HEADER))
        for row in order_rows:
            # Some exporters armour the id as an Excel formula; they write it raw, unquoted.
            armoured = rng.random() < 0.04
            f.write(f'="{row[0]}",' + _csv_line(row[1:]) if armoured else _csv_line(row))
    with open(detail_path, "w", encoding="gbk", newline="") as f:
        f.write(_csv_line(TAOBAO_DETAIL_HEADER))
        for row in detail_rows:
            f.write(_csv_line(row))
    return [order_path, detail_path]


def _csv_line(values) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()


def _cn_buyer(rng, t0: float, used: dict) -> dict:
    """A Taobao buyer: nick, receiver, phone and address (province weights follow the trend)."""
    while True:
        style = rng.random()
        if style < 0.35:
            nick = f"tb{rng.integers(10**8, 10**10)}"
        elif style < 0.75:
            nick = f"{rng.choice(NICK_WORDS)}{rng.choice(NICK_WORDS)}_{rng.integers(1, 999)}"
        else:
            nick = f"{rng.choice(CN_NICKS)}{rng.integers(1, 9999)}"
        if nick not in used:
            used[nick] = 1
            break
    w = np.array([1.0 + 2.0 * (p[0] in ("浙江省", "广东省", "江苏省")) for p in TAOBAO_PLACES])
    for i, p in enumerate(TAOBAO_PLACES):
        if p[0] in TAOBAO_TREND:
            a, b = TAOBAO_TREND[p[0]]
            w[i] *= a + (b - a) * t0
    province, city, districts = TAOBAO_PLACES[rng.choice(len(TAOBAO_PLACES), p=w / w.sum())]
    address = (f"{province} {city} {rng.choice(districts)} {rng.choice(CN_STREETS)} "
               f"{rng.integers(1, 999)}号")
    if rng.random() < 0.5:
        address += (f" {rng.integers(1, 30)}幢{rng.integers(1, 6)}单元"
                    f"{rng.integers(1, 30)}0{rng.integers(1, 5)}室")
    mobile = f"1{rng.choice(['38', '39', '58', '86', '77', '35'])}{rng.integers(10**7, 10**8)}"
    name = str(rng.choice(list(CN_SURNAMES))) + str(rng.choice(CN_GIVEN))
    alipay = (mobile[:3] + "****" + mobile[-4:] if rng.random() < 0.6
              else f"{nick[:2]}***@{rng.choice(['163.com', 'qq.com', '126.com'])}")
    return {"nick": nick, "name": name, "mobile": mobile, "address": address, "alipay": alipay,
            "province": province}


def _taobao_rows(rng, order: dict, oid: str) -> tuple[list, list]:
    """One 订单报表 row and its 宝贝报表 rows."""
    buyer, items, created = order["buyer"], order["items"], order["created"]
    goods = sum(TAOBAO_CATALOG[p][3] * q for p, q in items)
    postage = 0 if goods >= 4900 else (1500 if buyer["province"] == "新疆维吾尔自治区" else 800)
    total = goods + postage
    age = DAYS - 1 - order["day"]
    r = rng.random()
    close_reason, refund = "", 0
    if age <= 2 and r < 0.25:  # unpaid orders close themselves after a day or two
        status = "等待买家付款"
    elif r < 0.03:
        status, close_reason = "交易关闭", "买家未付款"
    elif r < 0.06 + 0.03 * (order["group"] == "bargain"):
        status, close_reason, refund = "交易关闭", "买家申请退款", total
    elif age <= 1:
        status = "买家已付款，等待卖家发货"
    elif age <= 10:
        status = "卖家已发货，等待买家确认"
    else:
        status = "交易成功"
    paid = status not in ("等待买家付款",) and close_reason != "买家未付款"
    partial = status == "交易成功" and sum(q for _, q in items) > 1 and rng.random() < 0.03
    if partial:  # one unit of the first item refunded; that sub-order is closed
        refund = TAOBAO_CATALOG[items[0][0]][3]
    shipped = status in ("交易成功", "卖家已发货，等待买家确认") or (refund and rng.random() < 0.5)
    courier, prefix = COURIERS[rng.integers(len(COURIERS))]
    tracking = f"{prefix}{rng.integers(10**11, 10**12)}{rng.integers(10, 99)}" if shipped else ""
    paid_at = created + timedelta(seconds=int(rng.integers(5, 600))) if paid else None
    masked = rng.random() < 0.05  # privacy masking: not an identity
    nick = buyer["nick"][0] + "**" + buyer["nick"][-1] if masked else buyer["nick"]
    mobile = buyer["mobile"][:3] + "****" + buyer["mobile"][-4:] if masked else buyer["mobile"]
    receiver = buyer["name"][0] + "**" if masked else buyer["name"]
    message = ""
    if order["group"] == "gift_q4" and rng.random() < 0.4:
        message = str(rng.choice(["送人的，麻烦不要放发票", "礼物，请帮忙包装一下", "生日礼物，谢谢"]))
    elif rng.random() < 0.03:
        message = "请尽快发货，谢谢"
    titles = "，".join(TAOBAO_CATALOG[p][1] for p, _ in items)
    fmt = "%Y-%m-%d %H:%M:%S"
    row = [oid, nick, buyer["alipay"], _yuan(goods), _yuan(postage), "0", _yuan(total),
           str(total // 10000), _yuan(total if paid else 0), "0", status, message, receiver,
           buyer["address"], "快递", "", mobile, created.strftime(fmt),
           paid_at.strftime(fmt) if paid_at else "", titles, str(len(items)), tracking,
           courier if shipped else "", "", str(sum(q for _, q in items)), "", "简屋生活旗舰店",
           close_reason, "0.00", "0.00", "", "手机订单" if rng.random() < 0.8 else "", "", "", "",
           "", "", _yuan(refund)]
    details = []
    for k, (p, q) in enumerate(items):
        sku, title, _, price, attrs = TAOBAO_CATALOG[p]
        line_status = "交易关闭" if partial and k == 0 and q == 1 else status
        details.append([oid, title, _yuan(price), str(q), "", attrs[rng.integers(len(attrs))], "",
                        "", line_status, sku])
    return row, details


def _yuan(fen: int) -> str:
    return f"{fen // 100}.{fen % 100:02d}"


# ---------------------------------------------------------------- formatting helpers

def _catalog_arrays() -> dict[str, np.ndarray]:
    return {"sku": np.array([p[0] for p in SHOPIFY_CATALOG], dtype=T),
            "title": np.array([p[1] for p in SHOPIFY_CATALOG], dtype=T),
            "price": np.array([p[3] for p in SHOPIFY_CATALOG], dtype=np.int64),
            "compare": np.array([p[4] for p in SHOPIFY_CATALOG], dtype=np.int64),
            "vendor": np.array([p[5] for p in SHOPIFY_CATALOG], dtype=T)}


def _flat_places() -> dict[str, np.ndarray]:
    """Every Shopify place as parallel arrays; the US listed twice to dominate."""
    rows = [(c, *place) for c, spec in COUNTRIES.items()
            for place in spec[5] * (2 if c == "US" else 1)]
    keys = ("country", "city", "prov", "prov_name", "zip")
    return {k: np.array([r[i] for r in rows], dtype=T) for i, k in enumerate(keys)}


def _money(cents) -> np.ndarray:
    """Integer cents as '1234.50' strings (amounts are never negative here)."""
    cents = np.asarray(cents, dtype=np.int64)
    units = (cents // 100).astype(T)
    return np.strings.add(np.strings.add(units, "."), np.strings.zfill((cents % 100).astype(T), 2))


def _store_time(local: np.ndarray, mask: np.ndarray | None = None) -> np.ndarray:
    """Store-local times as 'YYYY-MM-DD HH:MM:SS -0500' (offset follows DST); '' where not mask."""
    local = np.asarray(local, dtype="datetime64[s]")
    text = np.strings.replace(np.datetime_as_string(local, unit="s").astype(T), "T", " ")
    hours, inverse = np.unique(local.astype("datetime64[h]"), return_inverse=True)
    offsets = np.array([h.replace(tzinfo=STORE_TZ).strftime(" %z") for h in hours.astype(object)],
                       dtype=T)
    out = np.strings.add(text, offsets[inverse.ravel()])
    return out if mask is None else np.where(mask, out, "")
