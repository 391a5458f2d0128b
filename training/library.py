"""The tool library: hand-written tools across many domains, plus record-keeping tools generated from a table
of business objects (get / cancel / list / update status of each). `library()` returns them all."""

from pools import *  # noqa: F403
from toolspec import P, T, code, email, emails, enum, flag, integer, listing, number, pick

R = None  # results get the rng as their second argument


def _tools():
    t = []
    add = t.append
    city = lambda name="city", d="The city name, e.g. Paris": P(name, "string", d, pick(CITIES_EN, CITIES_ZH))  # noqa: E731

    # --- weather & environment -----------------------------------------------------------------------------
    add(T("weather", "get_weather_forecast", "Get the weather forecast for a city for the next days",
          [city(), P("days", "integer", "Number of days to forecast (1-7)", integer(2, 7), False, en=" for the next {v} days", zh="未来{v}天的"),
           P("unit", "string", "Temperature unit", enum(["celsius", "fahrenheit"], {"celsius": "摄氏度", "fahrenheit": "华氏度"}), False, enum=["celsius", "fahrenheit"], en=" in {v}", zh="，用{v}")],
          ["What's the weather forecast for {city}?", "Give me the forecast in {city}.", "Will it rain in {city} soon? Check the forecast."],
          ["{city}的天气预报怎么样？", "帮我查一下{city}的天气预报。"],
          lambda a, r: {"city": a["city"], "high": r.randint(5, 35), "low": r.randint(-5, 15), "conditions": r.choice(["sunny", "rain", "cloudy", "snow"])}))
    add(T("weather", "get_air_quality", "Get the current air quality index of a city",
          [city()], ["How is the air quality in {city} right now?", "What's the AQI in {city}?"],
          ["{city}现在的空气质量怎么样？", "查一下{city}的空气质量指数。"],
          lambda a, r: {"city": a["city"], "aqi": r.randint(10, 220), "level": r.choice(["good", "moderate", "unhealthy"])}))
    add(T("weather", "get_uv_index", "Get today's UV index for a city",
          [city()], ["What's the UV index in {city} today?", "Do I need sunscreen in {city}? Check the UV index."],
          ["{city}今天的紫外线指数是多少？"],
          lambda a, r: {"city": a["city"], "uv_index": r.randint(1, 11)}))
    add(T("weather", "get_sunrise_sunset", "Get sunrise and sunset times for a city on a date",
          [city(), P("date", "string", "Date as YYYY-MM-DD", pick(DATES))],
          ["When are sunrise and sunset in {city} on {date}?"], ["{date}{city}的日出和日落时间是几点？"],
          lambda a, r: {"sunrise": r.choice(["05:42", "06:10", "07:03"]), "sunset": r.choice(["17:55", "18:40", "20:12"])}))
    add(T("weather", "get_tide_times", "Get high and low tide times for a coastal city",
          [city()], ["What are the tide times in {city}?"], ["{city}今天的潮汐时间是什么时候？"],
          lambda a, r: {"high_tide": r.choice(["04:12", "10:30"]), "low_tide": r.choice(["16:25", "22:48"])}))

    # --- travel ----------------------------------------------------------------------------------------------
    add(T("travel", "search_flights", "Search flights between two airports on a date",
          [P("origin", "string", "Departure airport code, e.g. JFK", pick(AIRPORTS)),
           P("destination", "string", "Arrival airport code, e.g. LHR", pick(AIRPORTS)),
           P("date", "string", "Departure date as YYYY-MM-DD", pick(DATES)),
           P("cabin", "string", "Cabin class", enum(["economy", "business", "first"], {"economy": "经济舱", "business": "商务舱", "first": "头等舱"}), False, enum=["economy", "business", "first"], en=" in {v} class", zh="，{v}"),
           P("passengers", "integer", "Number of passengers", integer(2, 6), False, en=" for {v} passengers", zh="，{v}位乘客")],
          ["Find flights from {origin} to {destination} on {date}.", "Search for a flight {origin} to {destination} on {date}."],
          ["帮我找{date}从{origin}飞{destination}的航班。", "查一下{date}{origin}到{destination}的机票。"],
          lambda a, r: {"flights": [{"flight": f"{r.choice(['UA', 'AF', 'NH', 'CA'])}{r.randint(100, 999)}", "price": r.randint(180, 1400)}]}))
    add(T("travel", "search_hotels", "Search hotels in a city for a check-in date",
          [city(), P("check_in", "string", "Check-in date as YYYY-MM-DD", pick(DATES)),
           P("nights", "integer", "Number of nights", integer(1, 9)),
           P("max_price", "number", "Highest price per night in USD", integer(80, 400), False, en=" under {v} dollars a night", zh="，每晚不超过{v}美元")],
          ["Find a hotel in {city} from {check_in} for {nights} nights.", "I need a hotel in {city}, checking in {check_in}, {nights} nights."],
          ["帮我在{city}找酒店，{check_in}入住，住{nights}晚。"],
          lambda a, r: {"hotels": [{"name": r.choice(["Grand Plaza", "Harbor Inn", "City Lodge"]), "price_per_night": r.randint(70, 390), "rating": round(r.uniform(3.5, 4.9), 1)}]},
          {"nights": "How many nights will you stay?"}, {"nights": "您打算住几晚？"}))
    add(T("travel", "get_visa_requirements", "Check whether a visa is needed to visit a country",
          [P("destination_country", "string", "Country to visit", pick(COUNTRIES_EN, COUNTRIES_ZH)),
           P("passport_country", "string", "Country that issued the passport", pick(COUNTRIES_EN, COUNTRIES_ZH))],
          ["Do I need a visa for {destination_country} with a {passport_country} passport?"],
          ["我拿{passport_country}护照去{destination_country}需要签证吗？"],
          lambda a, r: {"visa_required": r.choice([True, False]), "max_stay_days": r.choice([30, 90, 180])}))
    add(T("travel", "get_train_schedule", "List trains between two cities on a date",
          [city("from_city", "Departure city"), city("to_city", "Arrival city"), P("date", "string", "Date as YYYY-MM-DD", pick(DATES))],
          ["What trains go from {from_city} to {to_city} on {date}?"], ["{date}从{from_city}到{to_city}有哪些火车？"],
          lambda a, r: {"trains": [{"departure": r.choice(TIMES), "duration_minutes": r.randint(50, 400)}]}))
    add(T("travel", "convert_timezone", "Convert a time from one city's timezone to another's",
          [P("time", "string", "Time as HH:MM", pick(TIMES)), city("from_city", "City of the given time"), city("to_city", "City to convert to")],
          ["What time is {time} in {from_city} in {to_city}?", "Convert {time} {from_city} time to {to_city} time."],
          ["{from_city}时间{time}是{to_city}的几点？"],
          lambda a, r: {"converted_time": r.choice(TIMES), "day_offset": r.choice([0, 1, -1])}))
    add(T("travel", "rent_car", "Reserve a rental car",
          [city(), P("pickup_date", "string", "Pick-up date as YYYY-MM-DD", pick(DATES)), P("days", "integer", "Rental length in days", integer(1, 14)),
           P("car_type", "string", "Kind of car", enum(["compact", "suv", "van", "convertible"]), False, enum=["compact", "suv", "van", "convertible"], en=", a {v}", zh="，要{v}")],
          ["Rent me a car in {city} from {pickup_date} for {days} days."], ["帮我在{city}租一辆车，{pickup_date}取车，租{days}天。"],
          lambda a, r: {"confirmation": f"RC{r.randint(10000, 99999)}", "total_price": r.randint(90, 900)},
          {"days": "For how many days do you need the car?"}, {"days": "您需要租几天？"}))

    # --- finance ---------------------------------------------------------------------------------------------
    add(T("finance", "get_stock_price", "Get the latest price of a stock by its ticker symbol",
          [P("symbol", "string", "Ticker symbol, e.g. AAPL", pick(STOCKS))],
          ["What's the stock price of {symbol}?", "How much is {symbol} trading at?", "Check the share price of {symbol}."],
          ["{symbol}的股价是多少？", "查一下{symbol}现在的股价。"],
          lambda a, r: {"symbol": a["symbol"], "price": round(r.uniform(20, 900), 2), "currency": "USD"}))
    add(T("finance", "convert_currency", "Convert an amount of money from one currency to another",
          [P("amount", "number", "Amount to convert", integer(5, 5000)), P("from_currency", "string", "Currency code to convert from", pick(CURRENCIES)),
           P("to_currency", "string", "Currency code to convert to", pick(CURRENCIES))],
          ["Convert {amount} {from_currency} to {to_currency}.", "How much is {amount} {from_currency} in {to_currency}?"],
          ["{amount}{from_currency}能换多少{to_currency}？", "把{amount} {from_currency}换算成{to_currency}。"],
          lambda a, r: {"converted_amount": round(a["amount"] * r.uniform(0.1, 9), 2), "rate": round(r.uniform(0.1, 9), 4)}))
    add(T("finance", "calculate_loan_payment", "Calculate the monthly payment of a loan",
          [P("principal", "number", "Loan amount", integer(1000, 500000)), P("annual_rate", "number", "Annual interest rate in percent", number(1, 12)),
           P("years", "integer", "Loan term in years", integer(1, 30))],
          ["What's the monthly payment on a {principal} loan at {annual_rate}% for {years} years?"],
          ["贷款{principal}元，年利率{annual_rate}%，{years}年，每月还多少？"],
          lambda a, r: {"monthly_payment": round(r.uniform(50, 4000), 2)},
          {"years": "Over how many years is the loan?"}, {"years": "贷款期限是几年？"}))
    add(T("finance", "get_exchange_rate", "Get the exchange rate between two currencies",
          [P("base", "string", "Base currency code", pick(CURRENCIES)), P("quote", "string", "Quote currency code", pick(CURRENCIES))],
          ["What's the exchange rate from {base} to {quote}?"], ["{base}兑{quote}的汇率是多少？"],
          lambda a, r: {"rate": round(r.uniform(0.01, 150), 4)}))
    add(T("finance", "split_bill", "Split a bill among people with a tip",
          [P("total", "number", "Bill total", number(20, 400, 2)), P("people", "integer", "Number of people", integer(2, 8)),
           P("tip_percent", "number", "Tip in percent", integer(10, 25), False, en=" with a {v}% tip", zh="，加{v}%小费")],
          ["Split a bill of {total} among {people} people.", "We owe {total} and there are {people} of us, how much each?"],
          ["账单{total}元，{people}个人平分，每人多少？"],
          lambda a, r: {"per_person": round(a["total"] / a["people"], 2)},
          {"people": "How many people are splitting the bill?"}, {"people": "一共几个人分？"}))
    add(T("finance", "get_crypto_price", "Get the current price of a cryptocurrency",
          [P("coin", "string", "Coin name, e.g. bitcoin", pick(["bitcoin", "ethereum", "solana", "dogecoin", "cardano"]))],
          ["What's the price of {coin} right now?"], ["{coin}现在多少钱？"],
          lambda a, r: {"coin": a["coin"], "price_usd": round(r.uniform(0.1, 90000), 2)}))
    add(T("finance", "transfer_money", "Transfer money to a contact",
          [P("recipient", "string", "Name of the person", pick(NAMES_EN, NAMES_ZH)), P("amount", "number", "Amount to send", integer(5, 2000)),
           P("currency", "string", "Currency code", pick(CURRENCIES), False, en=" in {v}", zh="，币种{v}"),
           P("note", "string", "Message for the recipient", pick(["rent", "dinner", "birthday gift", "tickets"], ["房租", "晚饭", "生日礼物"]), False, en=" with the note {v}", zh="，备注{v}")],
          ["Send {amount} to {recipient}.", "Transfer {amount} to {recipient} please."], ["给{recipient}转{amount}。", "帮我转账{amount}给{recipient}。"],
          lambda a, r: {"status": "completed", "transaction_id": f"TX{r.randint(100000, 999999)}"},
          {"amount": "How much would you like to send?"}, {"amount": "您要转多少钱？"}))
    add(T("finance", "calculate_tax", "Estimate income tax for an annual income in a country",
          [P("income", "number", "Annual income", integer(10000, 300000)), P("country", "string", "Country", pick(COUNTRIES_EN, COUNTRIES_ZH))],
          ["Estimate the income tax on {income} in {country}."], ["在{country}年收入{income}要交多少税？"],
          lambda a, r: {"tax": round(a["income"] * r.uniform(0.05, 0.4), 2)}))

    # --- food ------------------------------------------------------------------------------------------------
    add(T("food", "find_recipe", "Find a recipe for a dish",
          [P("dish", "string", "Name of the dish", pick(FOODS_EN, FOODS_ZH)),
           P("vegetarian", "boolean", "Only vegetarian recipes", flag(" that is vegetarian", "，要素食的"), False, en="{v}", zh="{v}"),
           P("max_minutes", "integer", "Longest cooking time in minutes", integer(15, 90), False, en=" in under {v} minutes", zh="，{v}分钟以内")],
          ["Find me a recipe for {dish}.", "How do I make {dish}? Get a recipe."], ["帮我找一个{dish}的菜谱。", "{dish}怎么做？找个食谱。"],
          lambda a, r: {"title": a["dish"], "minutes": r.randint(10, 120), "ingredients": r.randint(4, 14)}))
    add(T("food", "book_restaurant", "Book a table at a restaurant",
          [P("restaurant", "string", "Restaurant name", pick(["Luigi's", "Sakura", "The Blue Door", "Golden Dragon", "Chez Marie"], ["全聚德", "海底捞", "外婆家", "鼎泰丰"])),
           P("date", "string", "Date as YYYY-MM-DD", pick(DATES)), P("time", "string", "Time as HH:MM", pick(TIMES)),
           P("party_size", "integer", "Number of guests", integer(2, 10))],
          ["Book a table at {restaurant} on {date} at {time} for {party_size}.", "Reserve {restaurant} for {party_size} people on {date} at {time}."],
          ["帮我订{restaurant}，{date} {time}，{party_size}位。"],
          lambda a, r: {"confirmed": True, "table": r.randint(1, 40)},
          {"party_size": "How many people will be dining?", "time": "What time would you like the table?"},
          {"party_size": "一共几位用餐？", "time": "您想订几点？"}))
    add(T("food", "get_nutrition_facts", "Get calories and macronutrients of a food",
          [P("food", "string", "Food name", pick(["apple", "avocado", "salmon", "rice", "oatmeal", "egg", "banana"], ["苹果", "米饭", "鸡蛋", "香蕉"])),
           P("grams", "number", "Serving size in grams", integer(50, 400), False, en=" for {v} grams", zh="，{v}克")],
          ["How many calories are in {food}?", "Nutrition facts for {food}, please."], ["{food}有多少卡路里？"],
          lambda a, r: {"calories": r.randint(30, 600), "protein_g": r.randint(0, 40)}))
    add(T("food", "order_food_delivery", "Order food for delivery",
          [P("items", "array", "Dishes to order", listing(FOODS_EN, FOODS_ZH), items={"type": "string"}),
           P("address", "string", "Delivery address", pick(["12 Oak Street", "5 Main Road", "88 Lake Avenue"], ["中山路12号", "人民路5号"]))],
          ["Order {items} delivered to {address}.", "Get me {items}, delivered to {address}."], ["帮我点{items}，送到{address}。"],
          lambda a, r: {"order_id": f"FD{r.randint(1000, 9999)}", "eta_minutes": r.randint(20, 60)},
          {"address": "Where should the food be delivered?"}, {"address": "请问送到哪个地址？"}))
    add(T("food", "find_restaurants", "Find restaurants of a cuisine in a city",
          [city(), P("cuisine", "string", "Cuisine, e.g. Thai", pick(["Thai", "Italian", "Mexican", "Indian", "Japanese", "Korean"], ["川菜", "粤菜", "日料", "火锅"])),
           P("open_now", "boolean", "Only places open now", flag(" that are open now", "，现在营业的"), False, en="{v}", zh="{v}")],
          ["Find {cuisine} restaurants in {city}.", "Any good {cuisine} places in {city}?"], ["{city}有什么好吃的{cuisine}餐厅？"],
          lambda a, r: {"restaurants": [{"name": r.choice(["Bamboo", "Olive", "Spice Route"]), "rating": round(r.uniform(3.8, 4.9), 1)}]}))
    add(T("food", "convert_cooking_units", "Convert a cooking quantity between units",
          [P("quantity", "number", "Amount", integer(1, 10)), P("from_unit", "string", "Unit to convert from", enum(["cups", "tablespoons", "grams", "ounces", "milliliters"]), enum=["cups", "tablespoons", "grams", "ounces", "milliliters"]),
           P("to_unit", "string", "Unit to convert to", enum(["cups", "tablespoons", "grams", "ounces", "milliliters"]), enum=["cups", "tablespoons", "grams", "ounces", "milliliters"])],
          ["How many {to_unit} is {quantity} {from_unit}?"], ["{quantity} {from_unit}等于多少{to_unit}？"],
          lambda a, r: {"result": round(r.uniform(1, 500), 1)}))

    # --- shopping --------------------------------------------------------------------------------------------
    add(T("shopping", "search_products", "Search the store catalog",
          [P("query", "string", "What to look for", pick(PRODUCTS_EN, PRODUCTS_ZH)),
           P("max_price", "number", "Highest price", integer(20, 300), False, en=" under ${v}", zh="，{v}元以内"),
           P("color", "string", "Color", pick(COLORS), False, en=" in {v}", zh="，{v}的")],
          ["Search for a {query}.", "Show me {query} options.", "I'm looking for a {query}."], ["帮我搜一下{query}。", "我想买{query}，找找看。"],
          lambda a, r: {"results": [{"name": a["query"], "price": round(r.uniform(10, 300), 2)}], "count": r.randint(1, 40)}))
    add(T("shopping", "add_to_cart", "Add a product to the shopping cart",
          [P("product", "string", "Product name", pick(PRODUCTS_EN, PRODUCTS_ZH)), P("quantity", "integer", "How many", integer(1, 6))],
          ["Add {quantity} {product} to my cart.", "Put {quantity} of the {product} in the cart."], ["把{quantity}个{product}加入购物车。"],
          lambda a, r: {"cart_items": r.randint(1, 9), "subtotal": round(r.uniform(10, 400), 2)},
          {"quantity": "How many would you like?"}, {"quantity": "您要几个？"}))
    add(T("shopping", "place_order", "Place an order for several products",
          [P("items", "array", "Products and quantities", None, items={"type": "object", "properties": {"product": {"type": "string"}, "quantity": {"type": "integer"}}, "required": ["product", "quantity"]}),
           P("express", "boolean", "Express shipping", flag(" with express shipping", "，要加急配送"), False, en="{v}", zh="{v}")],
          ["Order {items}.", "Place an order for {items}."], ["帮我下单：{items}。"],
          lambda a, r: {"order_id": f"ORD-{r.randint(10000, 99999)}", "total": round(r.uniform(20, 600), 2)}))
    t[-1].params[0].draw = _order_items
    add(T("shopping", "track_package", "Track a package by its tracking number",
          [P("tracking_number", "string", "Tracking number", code("1Z", 8))],
          ["Where is my package {tracking_number}?", "Track package {tracking_number}."], ["帮我查一下快递{tracking_number}到哪了。"],
          lambda a, r: {"status": r.choice(["in transit", "out for delivery", "delivered"]), "location": r.choice(CITIES_EN)}))
    add(T("shopping", "compare_prices", "Compare a product's price across stores",
          [P("product", "string", "Product name", pick(PRODUCTS_EN, PRODUCTS_ZH))],
          ["Compare prices for the {product}.", "Where is the {product} cheapest?"], ["比较一下{product}在各家店的价格。"],
          lambda a, r: {"lowest_price": round(r.uniform(10, 200), 2), "store": r.choice(["ShopMart", "BuyNow", "MegaStore"])}))
    add(T("shopping", "apply_coupon", "Apply a coupon code to the cart",
          [P("code", "string", "Coupon code", code("SAVE", 2))], ["Apply coupon {code}.", "Use the code {code} on my cart."], ["用一下优惠码{code}。"],
          lambda a, r: {"valid": True, "discount": r.choice(["10%", "15%", "$5"])}))

    # --- communication ---------------------------------------------------------------------------------------
    add(T("communication", "send_email", "Send an email",
          [P("to", "array", "Recipient addresses", emails, items={"type": "string"}), P("subject", "string", "Subject line", pick(["Meeting notes", "Invoice", "Lunch tomorrow", "Project update", "Welcome"], ["会议纪要", "周报", "明天的安排"])),
           P("body", "string", "Message text", pick(["See you at noon", "The report is attached", "Thanks for your help"], ["明天见", "请查收附件", "谢谢帮忙"]))],
          ["Email {to} with the subject {subject} saying {body}.", "Send an email to {to}, subject {subject}, body: {body}."],
          ["给{to}发邮件，主题是{subject}，内容是{body}。"],
          lambda a, r: {"sent": True, "message_id": f"M{r.randint(1000, 9999)}"},
          {"subject": "What should the subject line be?"}, {"subject": "邮件主题是什么？"}))
    add(T("communication", "send_sms", "Send a text message to a phone number",
          [P("phone", "string", "Phone number", code("+1555", 7)), P("message", "string", "Text to send", pick(["running late", "call me back", "happy birthday"], ["我晚点到", "回个电话", "生日快乐"]))],
          ["Text {phone} saying {message}.", "Send an SMS to {phone}: {message}."], ["给{phone}发短信说{message}。"],
          lambda a, r: {"delivered": True}))
    add(T("communication", "translate_text", "Translate text into a target language",
          [P("text", "string", "Text to translate", pick(["good morning", "where is the station", "thank you very much", "how much is this"], ["你好", "谢谢", "火车站在哪里"])),
           P("target_language", "string", "Language to translate into", pick(LANGUAGES_EN, LANGUAGES_ZH))],
          ["Translate '{text}' into {target_language}.", "How do you say '{text}' in {target_language}?"], ["把“{text}”翻译成{target_language}。"],
          lambda a, r: {"translation": r.choice(["bonjour", "gracias", "danke", "arigatou"])},
          {"target_language": "Which language should I translate it into?"}, {"target_language": "要翻译成哪种语言？"}))
    add(T("communication", "schedule_call", "Schedule a video call with a contact",
          [P("contact", "string", "Name of the contact", pick(NAMES_EN, NAMES_ZH)), P("date", "string", "Date as YYYY-MM-DD", pick(DATES)), P("time", "string", "Time as HH:MM", pick(TIMES)),
           P("duration_minutes", "integer", "Length in minutes", integer(15, 90), False, en=" for {v} minutes", zh="，{v}分钟")],
          ["Schedule a call with {contact} on {date} at {time}."], ["帮我约{contact}在{date} {time}视频通话。"],
          lambda a, r: {"scheduled": True, "link": f"https://meet.example.com/{r.randint(100, 999)}"},
          {"time": "What time should the call be?"}, {"time": "几点开始通话？"}))
    add(T("communication", "post_social_update", "Post a status update to social media",
          [P("text", "string", "Text of the post", pick(["Just finished a marathon", "New blog post is up", "Hello from the mountains"], ["今天天气真好", "新年快乐"])),
           P("hashtags", "array", "Hashtags to add", listing(HASHTAGS, None, 1, 2), False, items={"type": "string"}, en=" with {v}", zh="，加上{v}")],
          ["Post '{text}' on my feed."], ["帮我发一条动态：“{text}”。"],
          lambda a, r: {"post_id": r.randint(10000, 99999), "visible": True}))

    # --- productivity ----------------------------------------------------------------------------------------
    add(T("productivity", "create_calendar_event", "Create an event in the calendar",
          [P("title", "string", "Event title", pick(["Team sync", "Dentist", "Yoga class", "Budget review", "Dinner with parents"], ["周会", "看牙医", "家庭聚餐"])),
           P("date", "string", "Date as YYYY-MM-DD", pick(DATES)), P("start_time", "string", "Start time as HH:MM", pick(TIMES)),
           P("attendees", "array", "Names of people invited", listing(NAMES_EN, NAMES_ZH), False, items={"type": "string"}, en=" and invite {v}", zh="，邀请{v}"),
           P("location", "object", "Where it takes place", None, False, props={"building": {"type": "string"}, "room": {"type": "string"}}, props_required=["building"], en=" in {v}", zh="，地点{v}")],
          ["Add {title} to my calendar on {date} at {start_time}.", "Create an event called {title} on {date} at {start_time}."],
          ["在日历上添加{title}，{date} {start_time}。"],
          lambda a, r: {"event_id": f"EV{r.randint(100, 999)}", "created": True},
          {"date": "Which day is it?"}, {"date": "是哪一天？"}))
    t[-1].param("location").draw = _location
    add(T("productivity", "set_reminder", "Set a reminder",
          [P("text", "string", "What to be reminded of", pick(["call mom", "take the pills", "water the plants", "submit the report"], ["给妈妈打电话", "吃药", "交报告"])),
           P("time", "string", "Time as HH:MM", pick(TIMES)), P("repeat", "string", "How often", enum(["daily", "weekly", "never"], {"daily": "每天", "weekly": "每周"}), False, enum=["daily", "weekly", "never"], en=", repeating {v}", zh="，{v}重复")],
          ["Remind me to {text} at {time}.", "Set a reminder at {time} to {text}."], ["{time}提醒我{text}。"],
          lambda a, r: {"reminder_id": r.randint(1, 500), "scheduled_for": a["time"]},
          {"time": "What time should I remind you?"}, {"time": "几点提醒您？"}))
    add(T("productivity", "set_timer", "Start a countdown timer",
          [P("minutes", "integer", "Length in minutes", integer(1, 90)), P("label", "string", "Timer name", pick(["pasta", "tea", "workout", "laundry"], ["煮面", "泡茶", "洗衣服"]), False, en=" called {v}", zh="，名字叫{v}")],
          ["Set a timer for {minutes} minutes.", "Start a {minutes} minute timer."], ["设一个{minutes}分钟的计时器。"],
          lambda a, r: {"timer_id": r.randint(1, 99), "ends_at": r.choice(TIMES)},
          {"minutes": "How long should the timer be?"}, {"minutes": "计时多久？"}))
    add(T("productivity", "create_note", "Save a note",
          [P("title", "string", "Note title", pick(["Groceries", "Ideas", "Packing list", "Gift ideas"], ["购物清单", "读书笔记"])),
           P("content", "string", "Note text", pick(["milk, eggs, bread", "buy a new charger", "passport and tickets"], ["牛奶和鸡蛋", "记得带护照"])),
           P("pinned", "boolean", "Pin the note", flag(" and pin it", "，并置顶"), False, en="{v}", zh="{v}")],
          ["Save a note titled {title}: {content}."], ["记一条笔记，标题{title}，内容是{content}。"],
          lambda a, r: {"note_id": r.randint(1, 900), "saved": True}))
    add(T("productivity", "add_todo", "Add an item to the to-do list",
          [P("task", "string", "The to-do item", pick(["renew passport", "book dentist", "pay rent", "fix the bike"], ["交水电费", "修自行车", "续签护照"])),
           P("priority", "string", "Priority", enum(["low", "medium", "high"], {"low": "低", "medium": "中", "high": "高"}), False, enum=["low", "medium", "high"], en=" with {v} priority", zh="，优先级{v}"),
           P("due_date", "string", "Due date as YYYY-MM-DD", pick(DATES), False, en=", due {v}", zh="，截止{v}")],
          ["Add '{task}' to my to-do list.", "Put {task} on my todo list."], ["把“{task}”加到待办事项里。"],
          lambda a, r: {"todo_id": r.randint(1, 300), "open_items": r.randint(1, 20)}))
    add(T("productivity", "search_documents", "Search the user's documents by keyword",
          [P("keyword", "string", "Word to search for", pick(["budget", "contract", "roadmap", "receipt"], ["合同", "预算", "发票"])),
           P("limit", "integer", "Most results", integer(3, 20), False, en=", top {v} results", zh="，最多{v}条")],
          ["Search my documents for {keyword}.", "Find documents about {keyword}."], ["在我的文档里搜索{keyword}。"],
          lambda a, r: {"documents": [f"{a['keyword']}_{r.randint(1, 9)}.pdf"], "total": r.randint(1, 30)}))

    # --- smart home ------------------------------------------------------------------------------------------
    add(T("home", "set_thermostat", "Set the thermostat temperature",
          [P("temperature", "number", "Target temperature", integer(16, 28)), P("unit", "string", "Unit", enum(["celsius", "fahrenheit"], {"celsius": "摄氏度", "fahrenheit": "华氏度"}), False, enum=["celsius", "fahrenheit"], en=" {v}", zh="{v}"),
           P("room", "string", "Room", pick(ROOMS, ROOMS_ZH), False, en=" in the {v}", zh="，{v}")],
          ["Set the thermostat to {temperature}.", "Make it {temperature} degrees."], ["把温度调到{temperature}度。"],
          lambda a, r: {"target": a["temperature"], "current": r.randint(15, 30)},
          {"temperature": "What temperature would you like?"}, {"temperature": "要调到多少度？"}))
    add(T("home", "control_lights", "Turn lights on or off in a room",
          [P("room", "string", "Room", pick(ROOMS, ROOMS_ZH)), P("power", "string", "on or off", enum(["on", "off"], {"on": "打开", "off": "关掉"}), enum=["on", "off"]),
           P("brightness", "integer", "Brightness in percent", integer(10, 100), False, en=" at {v}% brightness", zh="，亮度{v}%")],
          ["Turn {power} the lights in the {room}.", "Switch the {room} lights {power}."], ["{power}{room}的灯。"],
          lambda a, r: {"room": a["room"], "state": a["power"]}))
    add(T("home", "lock_door", "Lock or unlock a door",
          [P("door", "string", "Which door", pick(["front", "back", "garage"], ["前门", "后门", "车库门"])), P("locked", "boolean", "true to lock, false to unlock", None)],
          ["{locked} the {door} door."], ["把{door}{locked}。"],
          lambda a, r: {"door": a["door"], "locked": a["locked"]}))
    t[-1].param("locked").draw = lambda rng, lang: (lambda v: (v, ("锁上" if v else "打开") if lang == "zh" else ("Lock" if v else "Unlock")))(rng.random() < 0.6)
    add(T("home", "start_robot_vacuum", "Start the robot vacuum in a room",
          [P("room", "string", "Room to clean", pick(ROOMS, ROOMS_ZH)), P("mode", "string", "Suction mode", enum(["quiet", "standard", "turbo"]), False, enum=["quiet", "standard", "turbo"], en=" in {v} mode", zh="，{v}模式")],
          ["Vacuum the {room}.", "Start the robot vacuum in the {room}."], ["让扫地机器人打扫{room}。"],
          lambda a, r: {"started": True, "battery": r.randint(20, 100)}))
    add(T("home", "play_music", "Play music on the speaker",
          [P("artist", "string", "Artist", pick(ARTISTS)), P("volume", "integer", "Volume 0-100", integer(10, 90), False, en=" at volume {v}", zh="，音量{v}"),
           P("shuffle", "boolean", "Shuffle the songs", flag(" on shuffle", "，随机播放"), False, en="{v}", zh="{v}")],
          ["Play some {artist}.", "Put on music by {artist}."], ["播放{artist}的歌。"],
          lambda a, r: {"now_playing": r.choice(SONGS), "artist": a["artist"]}))

    # --- health ----------------------------------------------------------------------------------------------
    add(T("health", "calculate_bmi", "Calculate body mass index from weight and height",
          [P("weight_kg", "number", "Weight in kilograms", integer(45, 120)), P("height_cm", "number", "Height in centimeters", integer(150, 200))],
          ["What's my BMI if I weigh {weight_kg} kg and I'm {height_cm} cm tall?"], ["我体重{weight_kg}公斤，身高{height_cm}厘米，BMI是多少？"],
          lambda a, r: {"bmi": round(a["weight_kg"] / (a["height_cm"] / 100) ** 2, 1)},
          {"height_cm": "How tall are you, in centimeters?"}, {"height_cm": "您的身高是多少厘米？"}))
    add(T("health", "log_workout", "Log a workout",
          [P("activity", "string", "Kind of workout", pick(["running", "cycling", "swimming", "yoga", "rowing"], ["跑步", "游泳", "骑行", "瑜伽"])),
           P("minutes", "integer", "Duration in minutes", integer(10, 120)), P("distance_km", "number", "Distance in km", number(1, 40), False, en=" covering {v} km", zh="，{v}公里")],
          ["Log {minutes} minutes of {activity}.", "I did {activity} for {minutes} minutes, log it."], ["记录一下：{activity}{minutes}分钟。"],
          lambda a, r: {"logged": True, "calories": r.randint(80, 900)},
          {"minutes": "How long was the workout?"}, {"minutes": "运动了多长时间？"}))
    add(T("health", "find_doctor", "Find doctors of a specialty in a city",
          [P("specialty", "string", "Medical specialty", pick(["dermatologist", "dentist", "pediatrician", "cardiologist"], ["牙医", "皮肤科医生", "儿科医生"])), city()],
          ["Find a {specialty} in {city}.", "I need a {specialty} near {city}."], ["帮我在{city}找一个{specialty}。"],
          lambda a, r: {"doctors": [{"name": f"Dr. {r.choice(SURNAMES)}", "rating": round(r.uniform(3.9, 5.0), 1)}]}))
    add(T("health", "track_water_intake", "Record water drunk today",
          [P("milliliters", "integer", "Amount in ml", integer(100, 1000))], ["I just drank {milliliters} ml of water, log it."], ["记录喝水{milliliters}毫升。"],
          lambda a, r: {"total_today_ml": a["milliliters"] + r.randint(0, 1500)}))
    add(T("health", "check_drug_interaction", "Check whether two medicines interact",
          [P("drug_a", "string", "First medicine", pick(["ibuprofen", "aspirin", "warfarin", "metformin", "amoxicillin"])), P("drug_b", "string", "Second medicine", pick(["ibuprofen", "aspirin", "warfarin", "metformin", "amoxicillin"]))],
          ["Can I take {drug_a} with {drug_b}?"], ["{drug_a}和{drug_b}能一起吃吗？"],
          lambda a, r: {"interaction": r.choice(["none known", "moderate", "severe"])}))

    # --- entertainment ---------------------------------------------------------------------------------------
    add(T("entertainment", "get_movie_showtimes", "Get showtimes of a movie in a city",
          [P("movie", "string", "Movie title", pick(MOVIES)), city(), P("date", "string", "Date as YYYY-MM-DD", pick(DATES), False, en=" on {v}", zh="，{v}")],
          ["When is {movie} playing in {city}?", "Showtimes for {movie} in {city}?"], ["{movie}在{city}什么时候放映？"],
          lambda a, r: {"showtimes": r.sample(TIMES, 3)}))
    add(T("entertainment", "get_movie_rating", "Get a movie's rating and year",
          [P("title", "string", "Movie title", pick(MOVIES))], ["How good is {title}? Get its rating.", "What's the rating of {title}?"], ["{title}评分多少？"],
          lambda a, r: {"rating": round(r.uniform(5.5, 9.2), 1), "year": r.randint(1979, 2024)}))
    add(T("entertainment", "get_song_lyrics", "Get the lyrics of a song",
          [P("song", "string", "Song title", pick(SONGS)), P("artist", "string", "Artist", pick(ARTISTS), False, en=" by {v}", zh="，{v}唱的")],
          ["Show me the lyrics of {song}."], ["给我看{song}的歌词。"],
          lambda a, r: {"first_line": "la la la", "lines": r.randint(20, 60)}))
    add(T("entertainment", "get_sports_score", "Get the latest score of a team",
          [P("team", "string", "Team name", pick(TEAMS))], ["Did the {team} win last night?", "What was the {team} score?"], ["{team}昨晚赢了吗？"],
          lambda a, r: {"team": a["team"], "score": f"{r.randint(0, 120)}-{r.randint(0, 120)}", "result": r.choice(["win", "loss"])}))
    add(T("entertainment", "get_book_info", "Get information about a book",
          [P("title", "string", "Book title", pick(BOOKS))], ["Tell me about the book {title}.", "Who wrote {title}?"], ["《{title}》这本书是谁写的？"],
          lambda a, r: {"author": r.choice(["Mary Shelley", "Jane Austen", "Frank Herbert", "曹雪芹", "刘慈欣"]), "pages": r.randint(150, 1200)}))
    add(T("entertainment", "buy_concert_tickets", "Buy tickets for an artist's concert",
          [P("artist", "string", "Artist", pick(ARTISTS)), P("quantity", "integer", "Number of tickets", integer(1, 6)), city()],
          ["Buy {quantity} tickets for {artist} in {city}."], ["帮我买{quantity}张{artist}在{city}的演唱会门票。"],
          lambda a, r: {"confirmation": f"TK{r.randint(1000, 9999)}", "total": r.randint(60, 900)},
          {"quantity": "How many tickets do you need?"}, {"quantity": "您要买几张？"}))

    # --- knowledge & tools ------------------------------------------------------------------------------------
    add(T("knowledge", "search_wikipedia", "Search Wikipedia and return a summary",
          [P("query", "string", "Search terms", pick(TOPICS_EN, TOPICS_ZH))], ["Look up {query} on Wikipedia."], ["在维基百科上查一下{query}。"],
          lambda a, r: {"title": a["query"], "summary": "A short summary of the topic."}))
    add(T("knowledge", "get_element_info", "Get facts about a chemical element",
          [P("element", "string", "Element name", pick(ELEMENTS))], ["What's the atomic number of {element}?", "Tell me about the element {element}."], ["{element}的原子序数是多少？"],
          lambda a, r: {"atomic_number": r.randint(1, 90), "atomic_mass": round(r.uniform(1, 200), 3)}))
    add(T("knowledge", "get_country_info", "Get capital, population and currency of a country",
          [P("country", "string", "Country name", pick(COUNTRIES_EN, COUNTRIES_ZH))], ["What's the capital of {country}?", "Give me facts about {country}."], ["{country}的首都是哪里？"],
          lambda a, r: {"capital": r.choice(CITIES_EN), "population_millions": r.randint(3, 1400)}))
    add(T("knowledge", "define_word", "Get the dictionary definition of a word",
          [P("word", "string", "The word", pick(["serendipity", "ephemeral", "ubiquitous", "laconic", "quixotic"])),
           P("language", "string", "Dictionary language", pick(LANGUAGES_EN), False, en=" in {v}", zh="，用{v}")],
          ["Define {word}.", "What does {word} mean?"], ["{word}是什么意思？"],
          lambda a, r: {"definition": "a short definition", "part_of_speech": r.choice(["noun", "adjective"])}))
    add(T("knowledge", "get_news_headlines", "Get the latest news headlines on a topic",
          [P("topic", "string", "Topic", pick(TOPICS_EN, TOPICS_ZH)), P("count", "integer", "Number of headlines", integer(2, 10), False, en=", {v} headlines", zh="，{v}条")],
          ["What's the latest news on {topic}?"], ["有什么关于{topic}的最新新闻？"],
          lambda a, r: {"headlines": [f"Update on {a['topic']}"], "count": a.get("count", 5)}))
    add(T("math", "calculate_expression", "Evaluate an arithmetic expression",
          [P("expression", "string", "The expression, e.g. 12*(3+4)", None)], ["What is {expression}?", "Calculate {expression}."], ["{expression}等于多少？"],
          lambda a, r: {"result": r.randint(-500, 5000)}))
    t[-1].param("expression").draw = lambda rng, lang: (lambda e: (e, e))(f"{rng.randint(2, 99)}{rng.choice(['*', '+', '-', '/'])}{rng.randint(2, 99)}")
    add(T("math", "convert_length", "Convert a length between units",
          [P("value", "number", "The length", integer(1, 500)), P("from_unit", "string", "Unit to convert from", enum(UNITS_LEN), enum=UNITS_LEN), P("to_unit", "string", "Unit to convert to", enum(UNITS_LEN), enum=UNITS_LEN)],
          ["Convert {value} {from_unit} to {to_unit}.", "How many {to_unit} is {value} {from_unit}?"], ["{value} {from_unit}是多少{to_unit}？"],
          lambda a, r: {"result": round(r.uniform(0.1, 9000), 2)}))
    add(T("math", "convert_weight", "Convert a weight between units",
          [P("value", "number", "The weight", integer(1, 300)), P("from_unit", "string", "Unit to convert from", enum(UNITS_W), enum=UNITS_W), P("to_unit", "string", "Unit to convert to", enum(UNITS_W), enum=UNITS_W)],
          ["Convert {value} {from_unit} into {to_unit}."], ["把{value} {from_unit}换算成{to_unit}。"],
          lambda a, r: {"result": round(r.uniform(0.1, 900), 2)}))
    add(T("math", "generate_random_number", "Generate a random integer in a range",
          [P("min", "integer", "Smallest value", integer(0, 10)), P("max", "integer", "Largest value", integer(20, 1000))],
          ["Give me a random number between {min} and {max}.", "Pick a random number from {min} to {max}."], ["给我一个{min}到{max}之间的随机数。"],
          lambda a, r: {"number": r.randint(a["min"], a["max"])}))
    add(T("math", "roll_dice", "Roll dice",
          [P("count", "integer", "How many dice", integer(1, 5)), P("sides", "integer", "Sides per die", enum([6, 8, 12, 20]), False, enum=None, en=" with {v} sides", zh="，每个{v}面")],
          ["Roll {count} dice.", "Can you roll {count} dice for me?"], ["帮我掷{count}个骰子。"],
          lambda a, r: {"rolls": [r.randint(1, a.get("sides", 6)) for _ in range(a["count"])]}))
    t[-1].param("sides").draw = lambda rng, lang: (lambda v: (v, str(v)))(rng.choice([6, 8, 12, 20]))
    add(T("math", "calculate_percentage", "Calculate a percentage of a number",
          [P("percent", "number", "The percentage", integer(1, 90)), P("value", "number", "The number", integer(10, 9000))],
          ["What is {percent}% of {value}?"], ["{value}的{percent}%是多少？"],
          lambda a, r: {"result": round(a["percent"] * a["value"] / 100, 2)}))
    add(T("math", "solve_quadratic", "Solve a quadratic equation ax^2+bx+c=0",
          [P("a", "number", "Coefficient a", integer(1, 9)), P("b", "number", "Coefficient b", integer(-20, 20)), P("c", "number", "Coefficient c", integer(-30, 30))],
          ["Solve the quadratic with a={a}, b={b}, c={c}."], ["解一元二次方程，a={a}，b={b}，c={c}。"],
          lambda a, r: {"roots": [round(r.uniform(-9, 9), 2), round(r.uniform(-9, 9), 2)]}))

    # --- developer -------------------------------------------------------------------------------------------
    add(T("developer", "create_github_issue", "Open an issue in a GitHub repository",
          [P("repo", "string", "owner/name", pick(REPOS)), P("title", "string", "Issue title", pick(["Login button broken", "Crash on startup", "Typo in README", "Slow search"], ["登录失败", "启动崩溃"])),
           P("labels", "array", "Labels", listing(["bug", "docs", "urgent", "ui"], None, 1, 2), False, items={"type": "string"}, en=" labeled {v}", zh="，标签{v}")],
          ["Open an issue in {repo} titled {title}."], ["在{repo}里建一个issue，标题是{title}。"],
          lambda a, r: {"issue_number": r.randint(1, 3000), "url": f"https://github.com/{a['repo']}/issues/{r.randint(1, 3000)}"}))
    add(T("developer", "run_sql_query", "Run a read-only SQL query on the analytics database",
          [P("query", "string", "The SQL text", pick(["SELECT count(*) FROM users", "SELECT name FROM products LIMIT 5", "SELECT avg(price) FROM orders"]))],
          ["Run this query: {query}"], ["执行这条SQL：{query}"],
          lambda a, r: {"rows": r.randint(1, 50), "first_row": [r.randint(1, 999)]}))
    add(T("developer", "check_website_status", "Check whether a website is up",
          [P("url", "string", "The URL", pick(["https://example.com", "https://shop.example.org", "https://api.corp.net/health"]))],
          ["Is {url} down?", "Check if {url} is up."], ["看看{url}能不能访问。"],
          lambda a, r: {"up": r.choice([True, False]), "latency_ms": r.randint(20, 900)}))
    add(T("developer", "lookup_dns", "Look up DNS records of a domain",
          [P("domain", "string", "Domain name", pick(["example.com", "openai.com", "wikipedia.org", "github.com"])), P("record_type", "string", "Record type", enum(["A", "AAAA", "MX", "TXT"]), False, enum=["A", "AAAA", "MX", "TXT"], en=" ({v} records)", zh="（{v}记录）")],
          ["Look up the DNS of {domain}."], ["查一下{domain}的DNS记录。"],
          lambda a, r: {"records": [f"93.184.{r.randint(0, 255)}.{r.randint(0, 255)}"]}))
    add(T("developer", "deploy_service", "Deploy a service version to an environment",
          [P("service", "string", "Service name", pick(["billing", "auth", "search", "frontend"])), P("version", "string", "Version tag", pick(["v1.2.0", "v2.0.1", "v3.4.5"])),
           P("environment", "string", "Target", enum(["staging", "production"], {"staging": "预发环境", "production": "生产环境"}), enum=["staging", "production"])],
          ["Deploy {service} {version} to {environment}."], ["把{service}的{version}部署到{environment}。"],
          lambda a, r: {"deployment_id": r.randint(1000, 9999), "status": "started"},
          {"environment": "Should it go to staging or production?"}, {"environment": "部署到预发环境还是生产环境？"}))

    # --- education, pets, garden, misc ------------------------------------------------------------------------
    add(T("education", "get_course_schedule", "Get the weekly schedule of a course",
          [P("course_code", "string", "Course code, e.g. CS101", code("CS", 3))], ["When does {course_code} meet?"], ["{course_code}这门课什么时候上？"],
          lambda a, r: {"days": r.choice(["Mon/Wed", "Tue/Thu"]), "time": r.choice(TIMES), "room": f"B{r.randint(100, 400)}"}))
    add(T("education", "find_tutor", "Find a tutor for a subject",
          [P("subject", "string", "Subject", pick(["calculus", "chemistry", "piano", "French"], ["数学", "物理", "英语"])), P("max_rate", "number", "Highest hourly rate", integer(20, 90), False, en=" under ${v} an hour", zh="，每小时{v}元以内")],
          ["Find me a {subject} tutor."], ["帮我找一个{subject}家教。"],
          lambda a, r: {"tutors": [{"name": r.choice(NAMES_EN), "hourly_rate": r.randint(20, 90)}]}))
    add(T("education", "quiz_vocabulary", "Make a vocabulary quiz in a language",
          [P("language", "string", "Language", pick(LANGUAGES_EN, LANGUAGES_ZH)), P("words", "integer", "Number of words", integer(5, 20))],
          ["Quiz me on {words} {language} words."], ["出{words}个{language}单词考考我。"],
          lambda a, r: {"quiz_id": r.randint(1, 999), "first_word": "casa"}))
    add(T("pets", "find_vet", "Find a veterinarian in a city",
          [city(), P("emergency", "boolean", "Open for emergencies", flag(" that handles emergencies", "，要能看急诊的"), False, en="{v}", zh="{v}")],
          ["Find a vet in {city}."], ["帮我在{city}找个宠物医院。"],
          lambda a, r: {"clinic": r.choice(["Happy Paws", "City Vet", "Pet Care Center"]), "phone": f"555-{r.randint(1000, 9999)}"}))
    add(T("pets", "feeding_schedule", "Get a feeding schedule for a pet",
          [P("animal", "string", "Kind of pet", pick(ANIMALS, ["猫", "狗", "兔子"])), P("age_months", "integer", "Age in months", integer(2, 120))],
          ["How often should I feed my {age_months}-month-old {animal}?"], ["我家{age_months}个月大的{animal}一天喂几次？"],
          lambda a, r: {"meals_per_day": r.randint(1, 4), "grams_per_meal": r.randint(20, 300)}))
    add(T("garden", "plant_care", "Get care instructions for a plant",
          [P("plant", "string", "Plant name", pick(PLANTS, ["绿萝", "多肉", "月季", "兰花"]))], ["How do I take care of my {plant}?"], ["{plant}怎么养？"],
          lambda a, r: {"water_every_days": r.randint(1, 14), "sunlight": r.choice(["full sun", "partial shade"])}))
    add(T("misc", "get_current_time", "Get the current local time in a city",
          [city()], ["What time is it in {city}?", "What's the local time in {city} now?"], ["{city}现在几点？"],
          lambda a, r: {"city": a["city"], "time": r.choice(TIMES)}))
    add(T("misc", "get_holidays", "List public holidays of a country in a year",
          [P("country", "string", "Country", pick(COUNTRIES_EN, COUNTRIES_ZH)), P("year", "integer", "Year", integer(2024, 2027))],
          ["What are the public holidays in {country} in {year}?"], ["{country}{year}年有哪些法定节假日？"],
          lambda a, r: {"count": r.randint(8, 20), "next": r.choice(DATES)}))
    add(T("misc", "generate_password", "Generate a random password",
          [P("length", "integer", "Number of characters", integer(8, 32)), P("symbols", "boolean", "Include symbols", flag(" with symbols", "，包含符号"), False, en="{v}", zh="{v}")],
          ["Generate a {length}-character password."], ["生成一个{length}位的密码。"],
          lambda a, r: {"password": "".join(r.choice("abcdefghjkmnpqrstuvwxyz23456789") for _ in range(a["length"]))}))
    add(T("misc", "shorten_url", "Shorten a long URL",
          [P("url", "string", "The URL", pick(["https://example.com/blog/2025/how-to-garden", "https://shop.example.org/item/12345?ref=mail"]))],
          ["Shorten {url}."], ["把{url}缩短一下。"],
          lambda a, r: {"short_url": f"https://sho.rt/{r.randint(1000, 9999)}"}))
    add(T("misc", "get_parking", "Find parking near an address",
          [P("address", "string", "Street address", pick(["12 Oak Street", "5 Main Road", "88 Lake Avenue", "200 Market St"])), P("hours", "integer", "Hours needed", integer(1, 10), False, en=" for {v} hours", zh="，停{v}小时")],
          ["Find parking near {address}."], ["帮我找{address}附近的停车场。"],
          lambda a, r: {"garage": r.choice(["Central Garage", "Lot B"]), "rate_per_hour": r.randint(2, 12)}))
    add(T("realestate", "estimate_home_value", "Estimate the market value of a home",
          [P("address", "string", "Street address", pick(["12 Oak Street", "5 Main Road", "88 Lake Avenue"])), P("bedrooms", "integer", "Bedrooms", integer(1, 6))],
          ["What's the value of the {bedrooms}-bedroom house at {address}?"], ["{address}那套{bedrooms}居室的房子值多少钱？"],
          lambda a, r: {"estimate": r.randint(150000, 1500000)}))
    add(T("realestate", "search_apartments", "Search rental apartments",
          [city(), P("bedrooms", "integer", "Bedrooms", integer(1, 4)), P("max_rent", "number", "Highest monthly rent", integer(800, 5000), False, en=" under {v} a month", zh="，月租不超过{v}"),
           P("pets_allowed", "boolean", "Pets allowed", flag(" that allow pets", "，可以养宠物"), False, en="{v}", zh="{v}")],
          ["Find {bedrooms}-bedroom apartments in {city}."], ["在{city}找{bedrooms}室的出租公寓。"],
          lambda a, r: {"listings": r.randint(0, 40), "median_rent": r.randint(900, 4800)}))
    add(T("jobs", "search_jobs", "Search job listings",
          [P("title", "string", "Job title", pick(["data analyst", "nurse", "software engineer", "teacher", "designer"], ["程序员", "设计师", "会计"])), city(),
           P("remote", "boolean", "Remote only", flag(" that are remote", "，要远程的"), False, en="{v}", zh="{v}")],
          ["Find {title} jobs in {city}."], ["在{city}找{title}的工作。"],
          lambda a, r: {"jobs": r.randint(0, 200), "top_company": r.choice(COMPANIES)}))
    add(T("auto", "get_car_maintenance", "Get the next maintenance for a car model and mileage",
          [P("model", "string", "Car model", pick(["Civic", "Corolla", "Model 3", "F-150", "Golf"])), P("mileage", "integer", "Mileage in km", integer(1000, 200000))],
          ["My {model} has {mileage} km, what maintenance is due?"], ["我的{model}开了{mileage}公里，该做什么保养？"],
          lambda a, r: {"service": r.choice(["oil change", "brake check", "tire rotation"]), "due_in_km": r.randint(100, 5000)}))
    add(T("auto", "find_charging_station", "Find electric car charging stations near a city",
          [city(), P("fast_only", "boolean", "Only fast chargers", flag(" with fast charging", "，只要快充"), False, en="{v}", zh="{v}")],
          ["Where can I charge my EV in {city}?"], ["{city}哪里有充电桩？"],
          lambda a, r: {"stations": r.randint(1, 30), "nearest_km": round(r.uniform(0.2, 9), 1)}))
    add(T("auto", "get_fuel_price", "Get the average fuel price in a city",
          [city(), P("fuel", "string", "Fuel type", enum(["regular", "premium", "diesel"]), False, enum=["regular", "premium", "diesel"], en=" for {v}", zh="，{v}")],
          ["What's the gas price in {city}?"], ["{city}的油价是多少？"],
          lambda a, r: {"price_per_liter": round(r.uniform(0.9, 2.4), 2)}))
    add(T("sports", "get_league_standings", "Get the standings of a sports league",
          [P("league", "string", "League", pick(["NBA", "Premier League", "La Liga", "MLB", "NFL", "Serie A"]))],
          ["Show the {league} standings."], ["看一下{league}的积分榜。"],
          lambda a, r: {"leader": r.choice(TEAMS), "points": r.randint(20, 90)}))
    add(T("sports", "book_tennis_court", "Book a tennis court",
          [P("date", "string", "Date as YYYY-MM-DD", pick(DATES)), P("time", "string", "Time as HH:MM", pick(TIMES)), P("hours", "integer", "Hours", integer(1, 3), False, en=" for {v} hours", zh="，{v}小时")],
          ["Book a tennis court on {date} at {time}."], ["帮我订{date} {time}的网球场。"],
          lambda a, r: {"court": r.randint(1, 8), "confirmed": True},
          {"time": "What time would you like to play?"}, {"time": "您想几点打球？"}))
    # --- no parameters ---------------------------------------------------------------------------------------
    add(T("misc", "get_my_location", "Get the user's current location", [],
          ["Where am I right now?", "What's my current location?"], ["我现在在哪里？", "查一下我现在的位置。"],
          lambda a, r: {"city": r.choice(CITIES_EN), "latitude": round(r.uniform(-60, 60), 4), "longitude": round(r.uniform(-150, 150), 4)}))
    add(T("misc", "check_battery_level", "Get the phone's battery level", [],
          ["How much battery do I have left?", "Check my battery level."], ["我的手机还有多少电？"],
          lambda a, r: {"percent": r.randint(3, 100), "charging": r.choice([True, False])}))
    add(T("misc", "get_random_fact", "Return a random fun fact", [],
          ["Tell me a random fun fact.", "Give me a random fact."], ["随便告诉我一个冷知识。"],
          lambda a, r: {"fact": r.choice(["Octopuses have three hearts.", "Honey never spoils.", "Bananas are berries."])}))
    add(T("games", "coin_toss", "Toss a coin and report heads or tails", [],
          ["Toss a coin for me.", "Heads or tails? Toss a coin."], ["帮我抛个硬币。", "扔一次硬币看看是正面还是反面。"],
          lambda a, r: {"side": r.choice(["heads", "tails"])}))
    add(T("games", "draw_playing_card", "Draw a random card from a deck", [],
          ["Draw a card for me.", "Pick a random playing card."], ["帮我抽一张扑克牌。"],
          lambda a, r: {"card": r.choice(["ace of spades", "seven of hearts", "queen of clubs"])}))
    add(T("games", "roll_die", "Roll one six-sided die", [],
          ["Roll a die.", "Roll the die for me."], ["帮我掷一次骰子。"],
          lambda a, r: {"value": r.randint(1, 6)}))
    return t


def _order_items(rng, lang):
    pool = PRODUCTS_ZH if lang == "zh" else PRODUCTS_EN
    names = rng.sample(pool, rng.randint(1, 2))
    items = [{"product": n, "quantity": rng.randint(1, 4)} for n in names]
    if lang == "zh":
        words = "，".join(f"{i['quantity']}个{i['product']}" for i in items)
    else:
        words = " and ".join(f"{i['quantity']} {i['product']}" for i in items)
    return items, words


def _location(rng, lang):
    building = rng.choice(["HQ", "Building 5", "North Tower", "Annex"] if lang != "zh" else ["总部", "五号楼", "北塔"])
    room = rng.choice(["101", "3B", "Blue Room", "204"])
    words = f"{building} room {room}" if lang != "zh" else f"{building}{room}室"
    return {"building": building, "room": room}, words


# ---- generated record-keeping tools ---------------------------------------------------------------------------

OBJECTS = [
    # (object, Chinese, id prefix, statuses)
    ("order", "订单", "ORD-", ["pending", "shipped", "delivered"]),
    ("ticket", "工单", "TCK-", ["open", "pending", "closed"]),
    ("invoice", "发票", "INV-", ["draft", "sent", "paid"]),
    ("booking", "预订", "BK-", ["confirmed", "pending", "cancelled"]),
    ("shipment", "货运单", "SHP-", ["created", "in_transit", "delivered"]),
    ("subscription", "订阅", "SUB-", ["active", "paused", "expired"]),
    ("task", "任务", "TSK-", ["todo", "in_progress", "done"]),
    ("refund", "退款", "RF-", ["requested", "approved", "rejected"]),
    ("appointment", "预约", "APT-", ["scheduled", "completed", "missed"]),
    ("payment", "付款", "PAY-", ["pending", "settled", "failed"]),
    ("claim", "理赔", "CLM-", ["submitted", "reviewing", "approved"]),
    ("application", "申请", "APP-", ["received", "interview", "rejected"]),
    ("lead", "销售线索", "LD-", ["new", "contacted", "won"]),
    ("incident", "事故单", "INC-", ["open", "mitigated", "resolved"]),
    ("contract", "合同", "CTR-", ["draft", "signed", "expired"]),
    ("delivery", "配送单", "DLV-", ["scheduled", "on_the_way", "delivered"]),
    ("membership", "会员", "MEM-", ["active", "suspended", "expired"]),
    ("prescription", "处方", "RX-", ["active", "filled", "expired"]),
    ("loan", "贷款申请", "LN-", ["submitted", "approved", "declined"]),
    ("parcel", "包裹", "PCL-", ["waiting", "shipped", "received"]),
    ("bug", "缺陷", "BUG-", ["new", "fixed", "wontfix"]),
    ("job", "任务作业", "JOB-", ["queued", "running", "failed"]),
    ("reimbursement", "报销单", "RMB-", ["submitted", "approved", "paid"]),
    ("rental", "租赁单", "RNT-", ["reserved", "active", "returned"]),
    ("enrollment", "选课", "ENR-", ["enrolled", "waitlisted", "dropped"]),
]

REASONS_EN = ["ordered by mistake", "found a better price", "no longer needed", "duplicate"]
REASONS_ZH = ["下错单了", "不需要了", "重复了"]


def _record_tools():
    t = []
    for obj, zh, prefix, statuses in OBJECTS:
        idp = f"{obj}_id"
        ident = lambda: P(idp, "string", f"The {obj} ID, e.g. {prefix}1234", code(prefix))  # noqa: E731
        words = obj.replace("_", " ")
        t.append(T("records:" + obj, f"get_{obj}_details", f"Get the details of a {words}", [ident()],
                   [f"Show me the details of {words} {{{idp}}}.", f"What's the status of {words} {{{idp}}}?", f"Look up {words} {{{idp}}}."],
                   [f"帮我查一下{zh}{{{idp}}}的详情。", f"{zh}{{{idp}}}现在是什么状态？"],
                   lambda a, r, s=statuses: {"id": next(iter(a.values())), "status": r.choice(s), "updated": r.choice(DATES)}))
        t.append(T("records:" + obj, f"cancel_{obj}", f"Cancel a {words}",
                   [ident(), P("reason", "string", "Why it is cancelled", pick(REASONS_EN, REASONS_ZH), False, en=" because {v}", zh="，原因是{v}")],
                   [f"Cancel {words} {{{idp}}}.", f"Please cancel my {words} {{{idp}}}."], [f"取消{zh}{{{idp}}}。", f"帮我把{zh}{{{idp}}}取消掉。"],
                   lambda a, r: {"cancelled": True, "id": a[next(iter(a))]},
                   {idp: f"Which {words} should I cancel? Please give me its ID."}, {idp: f"请问要取消哪个{zh}？请提供编号。"}))
        t.append(T("records:" + obj, f"list_{obj}s", f"List {words}s, filtered by status",
                   [P("status", "string", f"Status of the {words}s", enum(statuses), enum=statuses),
                    P("limit", "integer", "Most results", integer(2, 25), False, en=", at most {v}", zh="，最多{v}个")],
                   [f"List my {{status}} {words}s.", f"Which {words}s are {{status}}?"], [f"列出所有状态为{{status}}的{zh}。"],
                   lambda a, r, p=prefix: {"count": r.randint(0, 30), "ids": [f"{p}{r.randint(1000, 9999)}"]}))
        t.append(T("records:" + obj, f"update_{obj}_status", f"Change the status of a {words}",
                   [ident(), P("status", "string", "New status", enum(statuses), enum=statuses)],
                   [f"Mark {words} {{{idp}}} as {{status}}.", f"Set the status of {words} {{{idp}}} to {{status}}."],
                   [f"把{zh}{{{idp}}}的状态改成{{status}}。"],
                   lambda a, r: {"updated": True, "status": a["status"]},
                   {"status": f"What status should the {words} get?"}, {"status": f"要改成什么状态？"}))
    return t


def library():
    tools = _tools() + _record_tools()
    names = [t.name for t in tools]
    assert len(names) == len(set(names)), "duplicate tool names"
    return tools
