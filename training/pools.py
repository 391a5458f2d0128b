"""Value pools for the synthetic data: every argument value is taken from one of these and written into the
user's words, so the model learns to copy values from the request. English and Chinese variants."""

CITIES_EN = [
    "Paris", "Tokyo", "Berlin", "Madrid", "Toronto", "Sydney", "Cairo", "Lima", "Oslo", "Dublin", "Prague",
    "Nairobi", "Seoul", "Hanoi", "Lisbon", "Vienna", "Chicago", "Boston", "Denver", "Austin", "Mumbai", "Istanbul",
    "Athens", "Bogota", "Helsinki", "Warsaw", "Zurich", "Osaka", "Manila", "Jakarta", "Santiago", "Montreal",
    "Edinburgh", "Kyoto", "Marseille", "Porto", "Reykjavik", "Auckland", "Cape Town", "San Diego", "New Orleans",
    "Las Vegas", "Budapest", "Copenhagen", "Stockholm", "Brussels", "Amsterdam", "Singapore", "Bangkok", "Dubai",
]
CITIES_ZH = [
    "北京", "上海", "广州", "深圳", "杭州", "成都", "武汉", "西安", "南京", "重庆", "天津", "苏州", "长沙", "青岛",
    "厦门", "昆明", "大连", "哈尔滨", "沈阳", "郑州", "济南", "合肥", "福州", "南宁", "贵阳", "兰州", "拉萨", "三亚",
    "东京", "巴黎", "伦敦", "纽约", "首尔", "悉尼",
]
NAMES_EN = [
    "Alice", "Bob", "Carlos", "Diana", "Ethan", "Fatima", "George", "Hana", "Ivan", "Julia", "Kenji", "Laura",
    "Mohammed", "Nina", "Oscar", "Priya", "Quinn", "Rosa", "Sam", "Tara", "Umar", "Vera", "Walter", "Yuki", "Zoe",
    "Liam", "Emma", "Noah", "Olivia", "Lucas", "Mia", "Aarav", "Sofia", "Mateo", "Chloe",
]
NAMES_ZH = ["张伟", "王芳", "李娜", "刘洋", "陈静", "杨磊", "赵敏", "黄强", "周杰", "吴婷", "徐明", "孙丽", "马超", "朱琳", "胡军", "林峰"]
SURNAMES = ["Smith", "Garcia", "Chen", "Müller", "Rossi", "Kim", "Nguyen", "Silva", "Novak", "Khan", "Tanaka", "Brown"]
DATES = [
    "2025-01-14", "2025-02-03", "2025-03-21", "2025-04-09", "2025-05-30", "2025-06-12", "2025-07-04", "2025-08-18",
    "2025-09-27", "2025-10-05", "2025-11-11", "2025-12-24", "2026-01-02", "2026-02-14", "2026-03-08", "2026-04-19",
]
TIMES = ["08:00", "09:30", "10:15", "12:00", "13:45", "15:00", "16:30", "18:00", "19:30", "20:45"]
LANGUAGES_EN = ["French", "Spanish", "German", "Japanese", "Italian", "Korean", "Portuguese", "Chinese", "Arabic", "Dutch"]
LANGUAGES_ZH = ["英语", "法语", "日语", "德语", "西班牙语", "韩语", "俄语"]
CURRENCIES = ["USD", "EUR", "JPY", "GBP", "CNY", "CAD", "AUD", "CHF", "INR", "KRW"]
STOCKS = ["AAPL", "MSFT", "TSLA", "NVDA", "AMZN", "GOOGL", "META", "NFLX", "IBM", "ORCL", "BABA", "TSM"]
COMPANIES = ["Acme Corp", "Globex", "Initech", "Umbrella Labs", "Stark Industries", "Wayne Enterprises", "Hooli", "Vandelay"]
FOODS_EN = ["lasagna", "pad thai", "banana bread", "ramen", "guacamole", "paella", "pancakes", "chili", "tiramisu", "falafel"]
FOODS_ZH = ["红烧肉", "宫保鸡丁", "麻婆豆腐", "饺子", "糖醋排骨", "鱼香肉丝", "小笼包", "酸辣汤"]
MOVIES = ["Inception", "Arrival", "Parasite", "Coco", "Dune", "Amelie", "Up", "Heat", "Alien", "Spirited Away"]
SONGS = ["Yesterday", "Bohemian Rhapsody", "Hotel California", "Imagine", "Hey Jude", "Let It Be", "Wonderwall"]
ARTISTS = ["Adele", "Queen", "Coldplay", "Beyonce", "Miles Davis", "Taylor Swift", "Radiohead", "ABBA", "周杰伦", "王菲"]
BOOKS = ["Dune", "Emma", "Beloved", "Ulysses", "Dracula", "Frankenstein", "Middlemarch", "Siddhartha", "红楼梦", "三体"]
TEAMS = ["Lakers", "Arsenal", "Yankees", "Real Madrid", "Celtics", "Juventus", "Packers", "Bayern Munich", "Warriors"]
PRODUCTS_EN = ["wireless mouse", "standing desk", "coffee grinder", "yoga mat", "desk lamp", "backpack", "air fryer", "headphones"]
PRODUCTS_ZH = ["蓝牙耳机", "电饭煲", "机械键盘", "保温杯", "跑步鞋", "台灯", "行李箱"]
COLORS = ["red", "blue", "green", "black", "white", "yellow", "purple", "orange"]
DOMAINS = ["example.com", "mail.org", "corp.net", "school.edu"]
AIRPORTS = ["JFK", "LAX", "SFO", "LHR", "CDG", "NRT", "PEK", "SIN", "DXB", "FRA", "SYD", "ORD", "PVG", "HND"]
PLANTS = ["basil", "tomato", "orchid", "fern", "cactus", "rose", "mint", "lavender"]
ANIMALS = ["cat", "dog", "rabbit", "parrot", "hamster", "turtle"]
ELEMENTS = ["hydrogen", "oxygen", "carbon", "iron", "gold", "silver", "helium", "neon", "copper", "zinc"]
COUNTRIES_EN = ["Japan", "Brazil", "Kenya", "Canada", "Norway", "India", "Mexico", "Egypt", "Chile", "Vietnam", "Peru"]
COUNTRIES_ZH = ["中国", "日本", "法国", "德国", "巴西", "印度", "加拿大", "澳大利亚", "意大利", "西班牙"]
TOPICS_EN = ["climate change", "electric cars", "the Olympics", "space exploration", "renewable energy", "AI safety"]
TOPICS_ZH = ["人工智能", "新能源汽车", "奥运会", "气候变化", "航天"]
HASHTAGS = ["#travel", "#foodie", "#fitness", "#photography", "#coding", "#music"]
REPOS = ["octo/website", "acme/api", "team/mobile-app", "data/pipeline", "infra/terraform"]
UNITS_LEN = ["meters", "feet", "miles", "kilometers", "inches", "centimeters"]
UNITS_W = ["kilograms", "pounds", "grams", "ounces"]
ROOMS = ["kitchen", "living room", "bedroom", "garage", "office", "bathroom"]
ROOMS_ZH = ["客厅", "卧室", "厨房", "书房"]
