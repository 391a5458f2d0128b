"""Parameter shapes for training/gen_world.py: each kind knows its JSON Schema, how its description may read, and
how to draw a value together with the words a user says for it, literally or indirectly (a unit to convert, a
date to normalize, a city whose IANA time zone the description asks for, a country whose ISO code it asks for).

A draw is (value, words, indirect): `words` is what the user says; `indirect` is True when the value is not the
words themselves but follows from them by what the description states."""

from pools import CITIES_ZH, COMPANIES, NAMES_EN, NAMES_ZH, SURNAMES, TOPICS_EN, TOPICS_ZH

CITY_TZ = {  # city (en, zh) -> IANA time zone
    ("Paris", "巴黎"): "Europe/Paris", ("Tokyo", "东京"): "Asia/Tokyo", ("Berlin", "柏林"): "Europe/Berlin",
    ("Madrid", "马德里"): "Europe/Madrid", ("Toronto", "多伦多"): "America/Toronto", ("Sydney", "悉尼"): "Australia/Sydney",
    ("Cairo", "开罗"): "Africa/Cairo", ("Lima", "利马"): "America/Lima", ("Oslo", "奥斯陆"): "Europe/Oslo",
    ("Seoul", "首尔"): "Asia/Seoul", ("Chicago", "芝加哥"): "America/Chicago", ("Denver", "丹佛"): "America/Denver",
    ("Mumbai", "孟买"): "Asia/Kolkata", ("Istanbul", "伊斯坦布尔"): "Europe/Istanbul", ("Shanghai", "上海"): "Asia/Shanghai",
    ("Beijing", "北京"): "Asia/Shanghai", ("New York", "纽约"): "America/New_York", ("London", "伦敦"): "Europe/London",
    ("Los Angeles", "洛杉矶"): "America/Los_Angeles", ("Singapore", "新加坡"): "Asia/Singapore", ("Dubai", "迪拜"): "Asia/Dubai",
    ("Nairobi", "内罗毕"): "Africa/Nairobi", ("Auckland", "奥克兰"): "Pacific/Auckland", ("Helsinki", "赫尔辛基"): "Europe/Helsinki",
    ("Jakarta", "雅加达"): "Asia/Jakarta", ("Mexico City", "墨西哥城"): "America/Mexico_City", ("Hong Kong", "香港"): "Asia/Hong_Kong",
}
COUNTRY = {("Germany", "德国"): "DE", ("France", "法国"): "FR", ("Japan", "日本"): "JP", ("Brazil", "巴西"): "BR",
           ("Canada", "加拿大"): "CA", ("India", "印度"): "IN", ("Mexico", "墨西哥"): "MX", ("Spain", "西班牙"): "ES",
           ("Italy", "意大利"): "IT", ("Kenya", "肯尼亚"): "KE", ("Norway", "挪威"): "NO", ("China", "中国"): "CN",
           ("South Korea", "韩国"): "KR", ("Australia", "澳大利亚"): "AU", ("Egypt", "埃及"): "EG", ("Chile", "智利"): "CL"}
CURRENCY = {("euros", "欧元"): "EUR", ("US dollars", "美元"): "USD", ("Japanese yen", "日元"): "JPY", ("British pounds", "英镑"): "GBP",
            ("Chinese yuan", "人民币"): "CNY", ("Swiss francs", "瑞士法郎"): "CHF", ("Canadian dollars", "加元"): "CAD",
            ("Indian rupees", "印度卢比"): "INR", ("Korean won", "韩元"): "KRW", ("Australian dollars", "澳元"): "AUD"}
LANGUAGE = {("French", "法语"): "fr", ("Spanish", "西班牙语"): "es", ("German", "德语"): "de", ("Japanese", "日语"): "ja",
            ("Korean", "韩语"): "ko", ("Portuguese", "葡萄牙语"): "pt", ("Italian", "意大利语"): "it", ("Chinese", "中文"): "zh",
            ("Arabic", "阿拉伯语"): "ar", ("Russian", "俄语"): "ru"}
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
CITIES = [c for c, _ in CITY_TZ] + ["Lisbon", "Prague", "Vienna", "Porto", "Kyoto", "Osaka", "Boston", "Austin", "Zurich", "Bogota"]
TEXTS_EN = ["The meeting moved to Thursday", "Please bring the signed contract", "Running 10 minutes late",
            "Happy birthday, Sam!", "Server room door is broken", "Invoice attached, thanks", "Lunch at noon?",
            "Quarterly numbers look good", "Don't forget the umbrella", "Tickets are booked"]
TEXTS_ZH = ["会议改到周四了", "请带上签好的合同", "我会晚到十分钟", "生日快乐！", "机房的门坏了", "明天中午一起吃饭吗？", "票已经订好了"]
TAGS = ["urgent", "travel", "q3", "personal", "backend", "design", "follow-up", "vip", "draft", "legal", "hr", "ops"]


def _d(rng, lo=2024, hi=2027):
    return rng.randint(lo, hi), rng.randint(1, 12), rng.randint(1, 28)


def k_date(rng, lang):
    y, m, d = _d(rng)
    iso = f"{y:04d}-{m:02d}-{d:02d}"
    if rng.random() < 0.4:
        return iso, iso, False
    if lang == "zh":
        return iso, f"{y}年{m}月{d}日", True
    return iso, rng.choice([f"{MONTHS[m - 1]} {d}, {y}", f"{d} {MONTHS[m - 1]} {y}", f"{MONTHS[m - 1][:3]} {d} {y}"]), True


def k_time(rng, lang):
    h, mi = rng.randint(0, 23), rng.choice([0, 5, 15, 20, 30, 45, 50])
    v = f"{h:02d}:{mi:02d}"
    if rng.random() < 0.5:
        return v, v, False
    if lang == "zh":
        part = "上午" if h < 12 else "下午"
        return v, f"{part}{h if h <= 12 else h - 12}点" + (f"{mi}分" if mi else ""), True
    h12 = h % 12 or 12
    return v, f"{h12}:{mi:02d} {'am' if h < 12 else 'pm'}" if mi else f"{h12} {'am' if h < 12 else 'pm'}", True


def k_city(rng, lang):
    if lang == "zh":
        v = rng.choice(CITIES_ZH)
        return v, v, False
    v = rng.choice(CITIES)
    return v, v, False


def k_tz(rng, lang):
    (en, zh), v = rng.choice(list(CITY_TZ.items()))
    if rng.random() < 0.3:
        return v, v, False
    return v, zh if lang == "zh" else en, True


def _mapped(table):
    def draw(rng, lang):
        (en, zh), v = rng.choice(list(table.items()))
        if rng.random() < 0.3:
            return v, v, False
        return v, zh if lang == "zh" else en, True
    return draw


def k_person(rng, lang):
    v = rng.choice(NAMES_ZH) if lang == "zh" and rng.random() < 0.7 else f"{rng.choice(NAMES_EN)} {rng.choice(SURNAMES)}"
    return v, v, False


def k_email(rng, lang):
    v = f"{rng.choice(NAMES_EN).lower()}.{rng.choice(SURNAMES).lower()}@{rng.choice(['example.com', 'corp.io', 'mail.net', 'uni.edu'])}"
    return v, v, False


def k_phone(rng, lang):
    v = f"+{rng.choice(['1', '44', '49', '86', '81'])}{rng.randint(200, 999)}{rng.randint(1000000, 9999999)}"
    return v, v, False


def k_url(rng, lang):
    v = f"https://{rng.choice(['docs', 'www', 'shop', 'api'])}.{rng.choice(['example.com', 'acme.io', 'foo.org'])}/{rng.choice(['pricing', 'v2/status', 'blog/launch', 'help'])}"
    return v, v, False


def k_amount(rng, lang):
    v = rng.choice([round(rng.uniform(1, 500), 2), round(rng.uniform(500, 99999), 2), float(rng.randint(5, 5000))])
    s = f"{v:.2f}" if v != int(v) else str(int(v))
    return (int(v) if v == int(v) else v), s, False


def k_grams(rng, lang):
    kg = rng.choice([0.5, 1.2, 2.5, 3, 4.75, 12])
    if rng.random() < 0.4:
        g = rng.randint(50, 3000)
        return g, f"{g} {'克' if lang == 'zh' else rng.choice(['grams', 'g'])}", False
    return int(round(kg * 1000)), f"{kg:g} {'公斤' if lang == 'zh' else rng.choice(['kg', 'kilograms'])}", True


def k_meters(rng, lang):
    if rng.random() < 0.4:
        m = rng.randint(20, 5000)
        return m, f"{m} {'米' if lang == 'zh' else 'meters'}", False
    km = rng.choice([1.5, 2, 3.2, 5, 7.5, 10, 21.1, 42.195])
    return int(round(km * 1000)), f"{km:g} {'公里' if lang == 'zh' else rng.choice(['km', 'kilometers'])}", True


def k_minutes(rng, lang):
    if rng.random() < 0.4:
        m = rng.choice([15, 20, 30, 45, 50, 90, 135])
        return m, f"{m} {'分钟' if lang == 'zh' else 'minutes'}", False
    h = rng.choice([1, 1.5, 2, 3, 2.5, 4])
    return int(h * 60), (f"{h:g}个小时" if lang == "zh" else f"{h:g} {'hour' if h == 1 else 'hours'}"), True


def k_celsius(rng, lang):
    v = rng.choice([18, 19.5, 20, 21, 22.5, 23, 24, 26])
    return v, f"{v:g}{'度' if lang == 'zh' else rng.choice([' degrees', '°C'])}", False


def k_count(rng, lang):
    v = rng.choice([3, 5, 10, 12, 20, 25, 40, 50])
    return v, str(v), False


def k_quantity(rng, lang):
    v = rng.randint(1, 12)
    return v, str(v), False


def k_percent(rng, lang):
    v = rng.choice([5, 10, 15, 18, 20, 25, 30, 40, 75])
    return v, f"{v}%", False


def k_long_int(rng, lang):
    v = rng.randint(10_000_000, 999_999_999)
    return v, str(v), False


def k_year(rng, lang):
    v = rng.randint(1990, 2026)
    return v, str(v), False


def k_text(rng, lang):
    v = rng.choice(TEXTS_ZH if lang == "zh" else TEXTS_EN)
    return v, (f"“{v}”" if lang == "zh" else f'"{v}"'), False


def k_query(rng, lang):
    v = rng.choice(TOPICS_ZH if lang == "zh" else TOPICS_EN + ["noise cancelling headphones", "vegan recipes", "python asyncio"])
    return v, v, False


def k_company(rng, lang):
    v = rng.choice(COMPANIES)
    return v, v, False


def k_tags(rng, lang):
    vs = rng.sample(TAGS, rng.randint(2, 3))
    return vs, ("、".join(vs) if lang == "zh" else ", ".join(vs[:-1]) + " and " + vs[-1]), False


def k_emails(rng, lang):
    vs = sorted({k_email(rng, lang)[0] for _ in range(rng.randint(2, 3))})
    return vs, ("和" if lang == "zh" else " and ").join(vs), False


def k_items(rng, lang):
    items = [{"sku": f"SKU-{rng.randint(1000, 9999)}", "quantity": rng.randint(1, 5)} for _ in range(rng.randint(1, 3))]
    if lang == "zh":
        w = "，".join(f"{i['sku']} {i['quantity']}件" for i in items)
    else:
        w = " and ".join(f"{i['quantity']} of {i['sku']}" for i in items)
    return items, w, False


def k_address(rng, lang):
    v = {"street": f"{rng.randint(1, 250)} {rng.choice(['Baker Street', 'Elm Road', 'Harbor Ave', 'King St', 'Maple Lane'])}",
         "city": rng.choice(CITIES), "postal_code": f"{rng.randint(10000, 99999)}"}
    return v, f"{v['street']}, {v['city']} {v['postal_code']}", False


def k_id(prefix):
    def draw(rng, lang):
        style = rng.randrange(3)
        v = (f"{prefix}-{rng.randint(1000, 99999)}" if style == 0 else
             f"{prefix.lower()}_{''.join(rng.choice('abcdefghjkmnpqrstuvwxyz23456789') for _ in range(6))}" if style == 1 else
             f"{prefix}{rng.randint(100000, 9999999)}")
        return v, v, False
    return draw


# kind -> (JSON type, description variants, extra schema, drawer, name stems, English mention templates, Chinese label)
# Descriptions state formats and units exactly, so an indirect value is determined by them.
KINDS = {
    # A date's value follows its description: ISO when it says YYYY-MM-DD, US style when it says MM/DD/YYYY, the
    # user's own words when it states no format (world_talk.draw_value).
    "date": ("string", ["Date in YYYY-MM-DD format", "The date (ISO 8601, YYYY-MM-DD)", "Date, formatted as YYYY-MM-DD, e.g. 2025-04-30",
                        "Date as MM/DD/YYYY", "The date", "Date, as the user states it"], {}, k_date,
             ["date", "start_date", "due_date", "day", "on_date"], ["on {w}", "for {w}", "dated {w}"], "日期"),
    "time": ("string", ["Time in 24-hour HH:MM format", "Local time as HH:MM (24h clock)"], {}, k_time,
             ["time", "start_time", "at_time"], ["at {w}"], "时间"),
    "city": ("string", ["City name, e.g. Lisbon", "The city", "Name of the city (as the user wrote it)"], {}, k_city,
             ["city", "location", "city_name"], ["in {w}", "for {w}"], "城市"),
    "tz": ("string", ["IANA time zone name, e.g. America/New_York; give the zone of the city the user means",
                      "Time zone as an IANA tz database name (Region/City)"], {}, k_tz, ["timezone", "tz", "time_zone"], ["for {w}", "in the {w} time zone"], "时区"),
    "country": ("string", ["ISO 3166-1 alpha-2 country code, e.g. US", "Two-letter country code (ISO 3166-1)"], {}, _mapped(COUNTRY),
                ["country", "country_code", "region"], ["in {w}", "for {w}"], "国家"),
    "currency": ("string", ["ISO 4217 currency code, e.g. USD", "Three-letter currency code (ISO 4217)"], {}, _mapped(CURRENCY),
                 ["currency", "target_currency", "currency_code"], ["in {w}"], "货币"),
    "language": ("string", ["ISO 639-1 language code, e.g. en", "Two-letter language code (ISO 639-1)"], {}, _mapped(LANGUAGE),
                 ["language", "lang", "target_language"], ["in {w}", "into {w}"], "语言"),
    "person": ("string", ["Full name of the person", "The person's name", "Name of the contact"], {}, k_person,
               ["name", "contact_name", "assignee", "recipient_name", "owner"], ["for {w}", "named {w}"], "姓名"),
    "email": ("string", ["Email address", "Recipient email, e.g. jane@example.com"], {}, k_email, ["email", "recipient", "to_address"], ["to {w}", "for {w}"], "邮箱"),
    "phone": ("string", ["Phone number in E.164 format, e.g. +14155550142"], {}, k_phone, ["phone", "phone_number", "msisdn"], ["at {w}", "to {w}"], "电话"),
    "url": ("string", ["Full URL including the scheme", "The web address"], {}, k_url, ["url", "link", "page_url"], ["for {w}", "at {w}"], "网址"),
    "amount": ("number", ["Amount in {cur}", "Total amount, in {cur}", "The amount (a number, in {cur})"], {}, k_amount,
               ["amount", "total", "price", "budget"], ["of {w} {cur}", "for {w} {cur}"], "金额"),
    "grams": ("integer", ["Weight in grams", "Mass of the item in grams (convert other units)"], {"minimum": 1}, k_grams,
              ["weight_g", "weight_grams", "grams"], ["weighing {w}", "of {w}"], "重量"),
    "meters": ("integer", ["Distance in meters", "Length of the route in meters (convert km to m)"], {"minimum": 1}, k_meters,
               ["distance_m", "meters", "distance_meters"], ["of {w}", "covering {w}"], "距离"),
    "minutes": ("integer", ["Duration in minutes", "Length in whole minutes (e.g. 90 for an hour and a half)"], {"minimum": 1}, k_minutes,
                ["duration_minutes", "minutes", "duration_min"], ["for {w}", "lasting {w}"], "时长"),
    "celsius": ("number", ["Target temperature in degrees Celsius", "Temperature (°C)"], {"minimum": 5, "maximum": 35}, k_celsius,
                ["temperature", "target_temp", "celsius"], ["to {w}", "at {w}"], "温度"),
    "count": ("integer", ["Maximum number of results (1-50)", "How many items to return, between 1 and 50", "Page size"], {"minimum": 1, "maximum": 50}, k_count,
              ["limit", "max_results", "page_size", "count"], ["top {w}", "at most {w}", "{w} results"], "数量上限"),
    "quantity": ("integer", ["Number of units", "Quantity (a positive integer)"], {"minimum": 1}, k_quantity, ["quantity", "qty", "units"], ["{w} units", "quantity {w}"], "数量"),
    "percent": ("integer", ["Percentage from 0 to 100", "Discount in percent (0-100)"], {"minimum": 0, "maximum": 100}, k_percent,
                ["percent", "discount", "rate_percent"], ["of {w}", "at {w}"], "百分比"),
    "long_int": ("integer", ["Numeric account number (all digits)", "The numeric identifier"], {}, k_long_int, ["account_number", "customer_number", "ref_no"], ["number {w}", "#{w}"], "编号"),
    "year": ("integer", ["Four-digit year", "Year, e.g. 2019"], {}, k_year, ["year", "fiscal_year", "season"], ["for {w}", "in {w}"], "年份"),
    "text": ("string", ["The text to send", "Message body, exactly as given", "Content of the note"], {}, k_text,
             ["message", "text", "body", "note", "content"], ["saying {w}", "with the text {w}"], "内容"),
    "query": ("string", ["Search keywords", "Free-text query", "What to search for"], {}, k_query, ["query", "q", "keywords", "search_term"], ["about {w}", "for {w}"], "关键词"),
    "company": ("string", ["Company name", "Name of the organisation"], {}, k_company, ["company", "vendor", "organization"], ["at {w}", "from {w}"], "公司"),
    "tags": ("array", ["Tags to attach", "List of labels"], {"items": {"type": "string"}}, k_tags, ["tags", "labels"], ["tagged {w}", "with the tags {w}"], "标签"),
    "emails": ("array", ["Email addresses of the attendees", "Recipients (list of email addresses)"], {"items": {"type": "string"}}, k_emails,
               ["attendees", "recipients", "cc"], ["with {w}", "to {w}"], "邮箱列表"),
    "items": ("array", ["Line items, each with a SKU and a quantity", "Products to order"],
              {"items": {"type": "object", "properties": {"sku": {"type": "string", "description": "Product SKU"},
                                                          "quantity": {"type": "integer", "description": "Units"}}, "required": ["sku", "quantity"]}},
              k_items, ["items", "line_items", "products"], ["with {w}", "containing {w}"], "商品"),
    "address": ("object", ["Postal address", "Delivery address"],
                {"properties": {"street": {"type": "string"}, "city": {"type": "string"}, "postal_code": {"type": "string"}},
                 "required": ["street", "city", "postal_code"]}, k_address, ["address", "shipping_address", "location_address"], ["to {w}", "at {w}"], "地址"),
}

ENUMS = {  # name stems -> (values, Chinese words for them)
    "status": (["open", "pending", "closed", "cancelled"], {"open": "未处理", "pending": "待定", "closed": "已关闭", "cancelled": "已取消"}),
    "priority": (["low", "normal", "high", "urgent"], {"low": "低", "normal": "普通", "high": "高", "urgent": "紧急"}),
    "sort": (["newest", "oldest", "price_asc", "price_desc"], {"newest": "最新", "oldest": "最早", "price_asc": "价格从低到高", "price_desc": "价格从高到低"}),
    "unit": (["metric", "imperial"], {"metric": "公制", "imperial": "英制"}),
    "mode": (["driving", "walking", "cycling", "transit"], {"driving": "开车", "walking": "步行", "cycling": "骑车", "transit": "公共交通"}),
    "visibility": (["public", "private", "team"], {"public": "公开", "private": "私密", "team": "团队可见"}),
    "format": (["pdf", "csv", "xlsx"], {}),
    "period": (["daily", "weekly", "monthly"], {"daily": "每天", "weekly": "每周", "monthly": "每月"}),
}
