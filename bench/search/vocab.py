"""Vocabulary of the synthetic catalog: real records first, a built-in list of Japanese places.

Words come from the real records in the shared fixtures (CKAN package dicts, DCAT records, the
headers and cell values of real Japanese CSV files), the demo catalog shipped with Renkei and the
seed table of the Priority Policy Program; Japanese geography, the common subjects of municipal
open data (the Digital Agency's recommended data sets) and organisation units are built in.
Everything is read in a fixed order and de-duplicated in order, so the same files give the same
vocabulary, and ``Vocabulary.digest`` tells when they do not.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import renkei


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# (Japanese, English, longitude, latitude) of each prefecture's seat.
PREFECTURES: tuple[tuple[str, str, float, float], ...] = (
    ("北海道", "Hokkaido", 141.35, 43.06),
    ("青森県", "Aomori", 140.74, 40.82),
    ("岩手県", "Iwate", 141.15, 39.70),
    ("宮城県", "Miyagi", 140.87, 38.27),
    ("秋田県", "Akita", 140.10, 39.72),
    ("山形県", "Yamagata", 140.36, 38.24),
    ("福島県", "Fukushima", 140.47, 37.75),
    ("茨城県", "Ibaraki", 140.45, 36.34),
    ("栃木県", "Tochigi", 139.88, 36.57),
    ("群馬県", "Gunma", 139.06, 36.39),
    ("埼玉県", "Saitama", 139.65, 35.86),
    ("千葉県", "Chiba", 140.12, 35.61),
    ("東京都", "Tokyo", 139.69, 35.69),
    ("神奈川県", "Kanagawa", 139.64, 35.45),
    ("新潟県", "Niigata", 139.02, 37.90),
    ("富山県", "Toyama", 137.21, 36.70),
    ("石川県", "Ishikawa", 136.63, 36.59),
    ("福井県", "Fukui", 136.22, 36.07),
    ("山梨県", "Yamanashi", 138.57, 35.66),
    ("長野県", "Nagano", 138.18, 36.65),
    ("岐阜県", "Gifu", 136.72, 35.39),
    ("静岡県", "Shizuoka", 138.38, 34.98),
    ("愛知県", "Aichi", 136.91, 35.18),
    ("三重県", "Mie", 136.51, 34.73),
    ("滋賀県", "Shiga", 135.87, 35.00),
    ("京都府", "Kyoto", 135.76, 35.02),
    ("大阪府", "Osaka", 135.52, 34.69),
    ("兵庫県", "Hyogo", 135.18, 34.69),
    ("奈良県", "Nara", 135.83, 34.69),
    ("和歌山県", "Wakayama", 135.17, 34.23),
    ("鳥取県", "Tottori", 134.24, 35.50),
    ("島根県", "Shimane", 133.05, 35.47),
    ("岡山県", "Okayama", 133.93, 34.66),
    ("広島県", "Hiroshima", 132.46, 34.40),
    ("山口県", "Yamaguchi", 131.47, 34.19),
    ("徳島県", "Tokushima", 134.56, 34.07),
    ("香川県", "Kagawa", 134.04, 34.34),
    ("愛媛県", "Ehime", 132.77, 33.84),
    ("高知県", "Kochi", 133.53, 33.56),
    ("福岡県", "Fukuoka", 130.42, 33.61),
    ("佐賀県", "Saga", 130.30, 33.25),
    ("長崎県", "Nagasaki", 129.87, 32.74),
    ("熊本県", "Kumamoto", 130.74, 32.79),
    ("大分県", "Oita", 131.61, 33.24),
    ("宮崎県", "Miyazaki", 131.42, 31.91),
    ("鹿児島県", "Kagoshima", 130.56, 31.56),
    ("沖縄県", "Okinawa", 127.68, 26.21),
)

# Municipalities by prefecture: "漢字:romaji" pairs (the municipality's own spelling).
MUNICIPALITIES: dict[str, str] = {
    "北海道": "札幌市:Sapporo 函館市:Hakodate 小樽市:Otaru 旭川市:Asahikawa 室蘭市:Muroran "
    "釧路市:Kushiro 帯広市:Obihiro 北見市:Kitami 岩見沢市:Iwamizawa 苫小牧市:Tomakomai "
    "江別市:Ebetsu 千歳市:Chitose 恵庭市:Eniwa 北広島市:Kitahiroshima 石狩市:Ishikari "
    "登別市:Noboribetsu 網走市:Abashiri 稚内市:Wakkanai 名寄市:Nayoro 富良野市:Furano "
    "ニセコ町:Niseko 東川町:Higashikawa",
    "青森県": "青森市:Aomori 弘前市:Hirosaki 八戸市:Hachinohe 十和田市:Towada むつ市:Mutsu "
    "五所川原市:Goshogawara",
    "岩手県": "盛岡市:Morioka 宮古市:Miyako 大船渡市:Ofunato 花巻市:Hanamaki 北上市:Kitakami "
    "一関市:Ichinoseki 釜石市:Kamaishi 陸前高田市:Rikuzentakata",
    "宮城県": "仙台市:Sendai 石巻市:Ishinomaki 塩竈市:Shiogama 気仙沼市:Kesennuma 名取市:Natori "
    "多賀城市:Tagajo 東松島市:Higashimatsushima 大崎市:Osaki 富谷市:Tomiya",
    "秋田県": "秋田市:Akita 能代市:Noshiro 横手市:Yokote 大館市:Odate 男鹿市:Oga "
    "由利本荘市:Yurihonjo",
    "山形県": "山形市:Yamagata 米沢市:Yonezawa 鶴岡市:Tsuruoka 酒田市:Sakata 天童市:Tendo "
    "東根市:Higashine",
    "福島県": "福島市:Fukushima 会津若松市:Aizuwakamatsu 郡山市:Koriyama いわき市:Iwaki "
    "白河市:Shirakawa 須賀川市:Sukagawa 相馬市:Soma 南相馬市:Minamisoma 浪江町:Namie",
    "茨城県": "水戸市:Mito 日立市:Hitachi 土浦市:Tsuchiura 古河市:Koga つくば市:Tsukuba "
    "ひたちなか市:Hitachinaka 鹿嶋市:Kashima 取手市:Toride 守谷市:Moriya 笠間市:Kasama",
    "栃木県": "宇都宮市:Utsunomiya 足利市:Ashikaga 栃木市:Tochigi 佐野市:Sano 日光市:Nikko "
    "小山市:Oyama 那須塩原市:Nasushiobara",
    "群馬県": "前橋市:Maebashi 高崎市:Takasaki 桐生市:Kiryu 伊勢崎市:Isesaki 太田市:Ota "
    "館林市:Tatebayashi 草津町:Kusatsu",
    "埼玉県": "さいたま市:Saitama 川越市:Kawagoe 熊谷市:Kumagaya 川口市:Kawaguchi "
    "所沢市:Tokorozawa 春日部市:Kasukabe 越谷市:Koshigaya 草加市:Soka 戸田市:Toda "
    "朝霞市:Asaka 和光市:Wako 新座市:Niiza 秩父市:Chichibu 深谷市:Fukaya 上尾市:Ageo",
    "千葉県": "千葉市:Chiba 銚子市:Choshi 市川市:Ichikawa 船橋市:Funabashi 木更津市:Kisarazu "
    "松戸市:Matsudo 野田市:Noda 成田市:Narita 佐倉市:Sakura 柏市:Kashiwa 市原市:Ichihara "
    "流山市:Nagareyama 習志野市:Narashino 浦安市:Urayasu 館山市:Tateyama 鴨川市:Kamogawa",
    "東京都": "千代田区:Chiyoda 中央区:Chuo 港区:Minato 新宿区:Shinjuku 文京区:Bunkyo "
    "台東区:Taito 墨田区:Sumida 江東区:Koto 品川区:Shinagawa 目黒区:Meguro 大田区:Ota "
    "世田谷区:Setagaya 渋谷区:Shibuya 中野区:Nakano 杉並区:Suginami 豊島区:Toshima "
    "北区:Kita 荒川区:Arakawa 板橋区:Itabashi 練馬区:Nerima 足立区:Adachi 葛飾区:Katsushika "
    "江戸川区:Edogawa 八王子市:Hachioji 立川市:Tachikawa 武蔵野市:Musashino 三鷹市:Mitaka "
    "府中市:Fuchu 調布市:Chofu 町田市:Machida 小金井市:Koganei 国分寺市:Kokubunji "
    "日野市:Hino 国立市:Kunitachi 多摩市:Tama 西東京市:Nishitokyo 青梅市:Ome "
    "八丈町:Hachijo 小笠原村:Ogasawara",
    "神奈川県": "横浜市:Yokohama 川崎市:Kawasaki 相模原市:Sagamihara 横須賀市:Yokosuka "
    "平塚市:Hiratsuka 鎌倉市:Kamakura 藤沢市:Fujisawa 小田原市:Odawara 茅ヶ崎市:Chigasaki "
    "逗子市:Zushi 厚木市:Atsugi 大和市:Yamato 海老名市:Ebina 座間市:Zama 箱根町:Hakone "
    "葉山町:Hayama",
    "新潟県": "新潟市:Niigata 長岡市:Nagaoka 三条市:Sanjo 柏崎市:Kashiwazaki 新発田市:Shibata "
    "上越市:Joetsu 佐渡市:Sado 燕市:Tsubame 南魚沼市:Minamiuonuma",
    "富山県": "富山市:Toyama 高岡市:Takaoka 魚津市:Uozu 氷見市:Himi 黒部市:Kurobe 南砺市:Nanto",
    "石川県": "金沢市:Kanazawa 七尾市:Nanao 小松市:Komatsu 輪島市:Wajima 珠洲市:Suzu "
    "加賀市:Kaga 白山市:Hakusan 能美市:Nomi 野々市市:Nonoichi 志賀町:Shika 穴水町:Anamizu "
    "能登町:Noto",
    "福井県": "福井市:Fukui 敦賀市:Tsuruga 小浜市:Obama 鯖江市:Sabae 越前市:Echizen 坂井市:Sakai",
    "山梨県": "甲府市:Kofu 富士吉田市:Fujiyoshida 都留市:Tsuru 笛吹市:Fuefuki 北杜市:Hokuto "
    "富士河口湖町:Fujikawaguchiko",
    "長野県": "長野市:Nagano 松本市:Matsumoto 上田市:Ueda 岡谷市:Okaya 飯田市:Iida 諏訪市:Suwa "
    "伊那市:Ina 佐久市:Saku 安曇野市:Azumino 軽井沢町:Karuizawa 白馬村:Hakuba",
    "岐阜県": "岐阜市:Gifu 大垣市:Ogaki 高山市:Takayama 多治見市:Tajimi 関市:Seki "
    "中津川市:Nakatsugawa 各務原市:Kakamigahara 可児市:Kani 郡上市:Gujo 白川村:Shirakawa",
    "静岡県": "静岡市:Shizuoka 浜松市:Hamamatsu 沼津市:Numazu 熱海市:Atami 三島市:Mishima "
    "富士宮市:Fujinomiya 伊東市:Ito 島田市:Shimada 富士市:Fuji 磐田市:Iwata 焼津市:Yaizu "
    "掛川市:Kakegawa 藤枝市:Fujieda 御殿場市:Gotemba 下田市:Shimoda 裾野市:Susono",
    "愛知県": "名古屋市:Nagoya 豊橋市:Toyohashi 岡崎市:Okazaki 一宮市:Ichinomiya 瀬戸市:Seto "
    "半田市:Handa 春日井市:Kasugai 豊川市:Toyokawa 刈谷市:Kariya 豊田市:Toyota 安城市:Anjo "
    "西尾市:Nishio 犬山市:Inuyama 常滑市:Tokoname 小牧市:Komaki 長久手市:Nagakute",
    "三重県": "津市:Tsu 四日市市:Yokkaichi 伊勢市:Ise 松阪市:Matsusaka 桑名市:Kuwana "
    "鈴鹿市:Suzuka 名張市:Nabari 亀山市:Kameyama 鳥羽市:Toba 伊賀市:Iga",
    "滋賀県": "大津市:Otsu 彦根市:Hikone 長浜市:Nagahama 近江八幡市:Omihachiman 草津市:Kusatsu "
    "守山市:Moriyama 甲賀市:Koka 高島市:Takashima",
    "京都府": "京都市:Kyoto 福知山市:Fukuchiyama 舞鶴市:Maizuru 綾部市:Ayabe 宇治市:Uji "
    "宮津市:Miyazu 亀岡市:Kameoka 長岡京市:Nagaokakyo 木津川市:Kizugawa 京丹後市:Kyotango",
    "大阪府": "大阪市:Osaka 堺市:Sakai 岸和田市:Kishiwada 豊中市:Toyonaka 池田市:Ikeda "
    "吹田市:Suita 泉大津市:Izumiotsu 高槻市:Takatsuki 守口市:Moriguchi 枚方市:Hirakata "
    "茨木市:Ibaraki 八尾市:Yao 寝屋川市:Neyagawa 東大阪市:Higashiosaka 箕面市:Minoh "
    "門真市:Kadoma 和泉市:Izumi 泉佐野市:Izumisano",
    "兵庫県": "神戸市:Kobe 姫路市:Himeji 尼崎市:Amagasaki 明石市:Akashi 西宮市:Nishinomiya "
    "洲本市:Sumoto 芦屋市:Ashiya 伊丹市:Itami 豊岡市:Toyooka 加古川市:Kakogawa "
    "宝塚市:Takarazuka 三田市:Sanda 淡路市:Awaji 丹波篠山市:Tambasasayama",
    "奈良県": "奈良市:Nara 大和高田市:Yamatotakada 天理市:Tenri 橿原市:Kashihara 桜井市:Sakurai "
    "生駒市:Ikoma 五條市:Gojo 明日香村:Asuka",
    "和歌山県": "和歌山市:Wakayama 海南市:Kainan 橋本市:Hashimoto 田辺市:Tanabe 新宮市:Shingu "
    "白浜町:Shirahama 高野町:Koya",
    "鳥取県": "鳥取市:Tottori 米子市:Yonago 倉吉市:Kurayoshi 境港市:Sakaiminato",
    "島根県": "松江市:Matsue 浜田市:Hamada 出雲市:Izumo 益田市:Masuda 大田市:Oda "
    "隠岐の島町:Okinoshima",
    "岡山県": "岡山市:Okayama 倉敷市:Kurashiki 津山市:Tsuyama 玉野市:Tamano 笠岡市:Kasaoka "
    "総社市:Soja 真庭市:Maniwa 西粟倉村:Nishiawakura",
    "広島県": "広島市:Hiroshima 呉市:Kure 竹原市:Takehara 三原市:Mihara 尾道市:Onomichi "
    "福山市:Fukuyama 府中市:Fuchu 三次市:Miyoshi 東広島市:Higashihiroshima 廿日市市:Hatsukaichi",
    "山口県": "下関市:Shimonoseki 宇部市:Ube 山口市:Yamaguchi 萩市:Hagi 防府市:Hofu 岩国市:Iwakuni "
    "周南市:Shunan",
    "徳島県": "徳島市:Tokushima 鳴門市:Naruto 小松島市:Komatsushima 阿南市:Anan 美馬市:Mima "
    "神山町:Kamiyama 上勝町:Kamikatsu",
    "香川県": "高松市:Takamatsu 丸亀市:Marugame 坂出市:Sakaide 善通寺市:Zentsuji "
    "観音寺市:Kan-onji さぬき市:Sanuki 三豊市:Mitoyo 小豆島町:Shodoshima 直島町:Naoshima",
    "愛媛県": "松山市:Matsuyama 今治市:Imabari 宇和島市:Uwajima 八幡浜市:Yawatahama "
    "新居浜市:Niihama 西条市:Saijo 大洲市:Ozu 四国中央市:Shikokuchuo",
    "高知県": "高知市:Kochi 室戸市:Muroto 安芸市:Aki 南国市:Nankoku 土佐市:Tosa 須崎市:Susaki "
    "四万十市:Shimanto 黒潮町:Kuroshio",
    "福岡県": "北九州市:Kitakyushu 福岡市:Fukuoka 大牟田市:Omuta 久留米市:Kurume 直方市:Nogata "
    "飯塚市:Iizuka 田川市:Tagawa 柳川市:Yanagawa 八女市:Yame 筑後市:Chikugo 行橋市:Yukuhashi "
    "春日市:Kasuga 大野城市:Onojo 宗像市:Munakata 太宰府市:Dazaifu 糸島市:Itoshima "
    "糸田町:Itoda",
    "佐賀県": "佐賀市:Saga 唐津市:Karatsu 鳥栖市:Tosu 伊万里市:Imari 武雄市:Takeo 嬉野市:Ureshino "
    "有田町:Arita",
    "長崎県": "長崎市:Nagasaki 佐世保市:Sasebo 島原市:Shimabara 諫早市:Isahaya 大村市:Omura "
    "平戸市:Hirado 五島市:Goto 対馬市:Tsushima 壱岐市:Iki 雲仙市:Unzen",
    "熊本県": "熊本市:Kumamoto 八代市:Yatsushiro 人吉市:Hitoyoshi 荒尾市:Arao 水俣市:Minamata "
    "玉名市:Tamana 天草市:Amakusa 阿蘇市:Aso 益城町:Mashiki 菊陽町:Kikuyo",
    "大分県": "大分市:Oita 別府市:Beppu 中津市:Nakatsu 日田市:Hita 佐伯市:Saiki 臼杵市:Usuki "
    "宇佐市:Usa 由布市:Yufu",
    "宮崎県": "宮崎市:Miyazaki 都城市:Miyakonojo 延岡市:Nobeoka 日南市:Nichinan 小林市:Kobayashi "
    "日向市:Hyuga 串間市:Kushima 高千穂町:Takachiho",
    "鹿児島県": "鹿児島市:Kagoshima 鹿屋市:Kanoya 枕崎市:Makurazaki 出水市:Izumi 指宿市:Ibusuki "
    "薩摩川内市:Satsumasendai 霧島市:Kirishima 奄美市:Amami 屋久島町:Yakushima",
    "沖縄県": "那覇市:Naha 宜野湾市:Ginowan 石垣市:Ishigaki 浦添市:Urasoe 名護市:Nago "
    "糸満市:Itoman 沖縄市:Okinawa 宮古島市:Miyakojima 竹富町:Taketomi",
}

NATIONAL_AGENCIES: tuple[tuple[str, str], ...] = (
    ("デジタル庁", "Digital Agency"),
    ("内閣府", "Cabinet Office"),
    ("内閣官房", "Cabinet Secretariat"),
    ("総務省", "Ministry of Internal Affairs and Communications"),
    ("総務省統計局", "Statistics Bureau of Japan"),
    ("法務省", "Ministry of Justice"),
    ("外務省", "Ministry of Foreign Affairs"),
    ("財務省", "Ministry of Finance"),
    ("文部科学省", "Ministry of Education, Culture, Sports, Science and Technology"),
    ("厚生労働省", "Ministry of Health, Labour and Welfare"),
    ("農林水産省", "Ministry of Agriculture, Forestry and Fisheries"),
    ("経済産業省", "Ministry of Economy, Trade and Industry"),
    ("国土交通省", "Ministry of Land, Infrastructure, Transport and Tourism"),
    ("環境省", "Ministry of the Environment"),
    ("防衛省", "Ministry of Defense"),
    ("警察庁", "National Police Agency"),
    ("消防庁", "Fire and Disaster Management Agency"),
    ("気象庁", "Japan Meteorological Agency"),
    ("国土地理院", "Geospatial Information Authority of Japan"),
    ("観光庁", "Japan Tourism Agency"),
    ("海上保安庁", "Japan Coast Guard"),
    ("林野庁", "Forestry Agency"),
    ("水産庁", "Fisheries Agency"),
    ("特許庁", "Japan Patent Office"),
    ("中小企業庁", "Small and Medium Enterprise Agency"),
    ("資源エネルギー庁", "Agency for Natural Resources and Energy"),
    ("文化庁", "Agency for Cultural Affairs"),
    ("スポーツ庁", "Japan Sports Agency"),
    ("こども家庭庁", "Children and Families Agency"),
    ("復興庁", "Reconstruction Agency"),
    ("個人情報保護委員会", "Personal Information Protection Commission"),
    ("国立国会図書館", "National Diet Library"),
    ("防災科学技術研究所", "National Research Institute for Earth Science and Disaster Resilience"),
    ("国立環境研究所", "National Institute for Environmental Studies"),
    ("産業技術総合研究所", "National Institute of Advanced Industrial Science and Technology"),
    ("宇宙航空研究開発機構", "Japan Aerospace Exploration Agency"),
)

# Units of a municipality or prefecture that publish as their own organisation.
DEPARTMENTS: tuple[str, ...] = _words(
    "総務課 防災危機管理課 危機管理室 情報政策課 デジタル推進課 企画政策課 財政課 税務課 市民課 "
    "住民課 戸籍住民課 福祉政策課 高齢福祉課 障害福祉課 子育て支援課 保育課 健康づくり課 保健所 "
    "環境政策課 環境保全課 ごみ減量推進課 清掃事務所 農林水産課 農政課 商工振興課 観光振興課 "
    "観光協会 文化振興課 生涯学習課 スポーツ振興課 教育委員会 学校教育課 図書館 博物館 "
    "都市計画課 建築指導課 道路管理課 道路維持課 河川課 公園緑地課 交通政策課 交通局 上下水道局 "
    "水道局 下水道課 消防本部 消防局 選挙管理委員会 議会事務局 会計課 資産経営課 住宅課 "
    "地域振興課 国際交流課 人権推進課 男女共同参画課 広報課 統計担当"
)

ENGLISH_ORGS: tuple[str, ...] = (
    "Japan National Tourism Organization",
    "Japan External Trade Organization",
    "Tokyo Metropolitan Government (English)",
    "Open Knowledge Japan",
    "Code for Japan",
    "Japan Open Data Consortium",
    "Tsukuba Science City Network",
    "Okinawa Institute of Science and Technology",
    "Kyoto Sangyo Open Data Lab",
    "Hokkaido University Open Data",
    "University of Tokyo Library",
    "Yokohama Open Data Solution Development Committee",
    "Japan Weather Association",
    "Japan Bicycle Promotion Institute",
    "Japan Railway Open Data Challenge",
    "Port of Nagoya Authority",
    "Kobe City Innovation Office",
    "Fukuoka Startup Data Hub",
    "Sapporo Snow Festival Committee",
    "Kagawa Smart City Lab",
)

# Recommended and common municipal data sets: (Japanese, English, theme).
SUBJECTS: tuple[tuple[str, str, str], ...] = (
    ("AED設置箇所", "AED locations", "health"),
    ("介護サービス事業所", "Care service providers", "welfare"),
    ("医療機関", "Medical institutions", "health"),
    ("文化財", "Cultural properties", "culture"),
    ("観光施設", "Tourist facilities", "tourism"),
    ("イベント", "Events", "tourism"),
    ("公衆無線LANアクセスポイント", "Public Wi-Fi access points", "infrastructure"),
    ("公衆トイレ", "Public toilets", "infrastructure"),
    ("消防水利施設", "Fire hydrants and water sources", "safety"),
    ("指定緊急避難場所", "Designated emergency evacuation sites", "disaster"),
    ("指定避難所", "Designated shelters", "disaster"),
    ("地域・年齢別人口", "Population by area and age", "population"),
    ("公共施設", "Public facilities", "admin"),
    ("子育て施設", "Childcare facilities", "childcare"),
    ("オープンデータ", "Open data", "admin"),
    ("食品等営業許可・届出", "Food business permits", "health"),
    ("学校給食献立", "School lunch menus", "education"),
    ("小学校・中学校通学区域", "School districts", "education"),
    ("人口動態", "Vital statistics", "population"),
    ("世帯数", "Number of households", "population"),
    ("住民基本台帳人口", "Resident registry population", "population"),
    ("人口推計", "Population estimates", "population"),
    ("将来推計人口", "Population projections", "population"),
    ("外国人住民数", "Foreign residents", "population"),
    ("道路工事", "Road works", "infrastructure"),
    ("道路通行規制", "Road closures", "transport"),
    ("橋梁点検結果", "Bridge inspection results", "infrastructure"),
    ("道路台帳", "Road register", "infrastructure"),
    ("都市公園", "Urban parks", "environment"),
    ("公園", "Parks", "environment"),
    ("河川水位", "River water levels", "disaster"),
    ("雨量観測", "Rainfall observations", "disaster"),
    ("洪水浸水想定区域", "Flood inundation areas", "disaster"),
    ("土砂災害警戒区域", "Landslide warning areas", "disaster"),
    ("津波浸水想定", "Tsunami inundation estimates", "disaster"),
    ("ハザードマップ", "Hazard maps", "disaster"),
    ("避難行動要支援者", "Residents needing evacuation support", "disaster"),
    ("防災行政無線", "Disaster radio stations", "disaster"),
    ("地震観測", "Earthquake observations", "disaster"),
    ("バス停留所", "Bus stops", "transport"),
    ("コミュニティバス時刻表", "Community bus timetables", "transport"),
    ("駅別乗降客数", "Station passenger counts", "transport"),
    ("駐輪場", "Bicycle parking", "transport"),
    ("駐車場", "Car parks", "transport"),
    ("交通事故発生状況", "Traffic accidents", "safety"),
    ("犯罪発生状況", "Crime statistics", "safety"),
    ("救急出動件数", "Ambulance dispatches", "safety"),
    ("火災発生状況", "Fires", "safety"),
    ("保育所入所状況", "Nursery school enrolment", "childcare"),
    ("保育所", "Nursery schools", "childcare"),
    ("幼稚園", "Kindergartens", "childcare"),
    ("放課後児童クラブ", "After-school clubs", "childcare"),
    ("児童館", "Children's centres", "childcare"),
    ("小学校", "Elementary schools", "education"),
    ("中学校", "Junior high schools", "education"),
    ("学校基本調査", "School basic survey", "education"),
    ("図書館蔵書", "Library holdings", "culture"),
    ("図書館", "Libraries", "culture"),
    ("博物館・美術館", "Museums", "culture"),
    ("体育施設", "Sports facilities", "culture"),
    ("公民館", "Community centres", "admin"),
    ("ごみ収集日", "Garbage collection days", "environment"),
    ("ごみ排出量", "Waste volumes", "environment"),
    ("資源回収拠点", "Recycling points", "environment"),
    ("大気汚染常時監視", "Air quality monitoring", "environment"),
    ("水質測定結果", "Water quality measurements", "environment"),
    ("騒音測定結果", "Noise measurements", "environment"),
    ("放射線量測定", "Radiation dose measurements", "environment"),
    ("温室効果ガス排出量", "Greenhouse gas emissions", "environment"),
    ("街路樹", "Street trees", "environment"),
    ("鳥獣被害", "Wildlife damage", "agriculture"),
    ("農地", "Farmland", "agriculture"),
    ("農業集落", "Agricultural settlements", "agriculture"),
    ("漁港", "Fishing ports", "agriculture"),
    ("森林資源", "Forest resources", "agriculture"),
    ("商店街", "Shopping streets", "industry"),
    ("事業所数", "Number of establishments", "industry"),
    ("工業統計", "Industrial statistics", "industry"),
    ("観光入込客数", "Tourist visitors", "tourism"),
    ("宿泊施設", "Accommodation", "tourism"),
    ("住宅宿泊事業届出", "Private lodging notifications", "tourism"),
    ("温泉", "Hot springs", "tourism"),
    ("道の駅", "Roadside stations", "tourism"),
    ("予算書", "Budget", "finance"),
    ("決算書", "Financial statements", "finance"),
    ("市税決算状況", "City tax revenue", "finance"),
    ("固定資産", "Fixed assets", "finance"),
    ("入札結果", "Procurement results", "finance"),
    ("契約情報", "Contracts", "finance"),
    ("選挙投票結果", "Election results", "admin"),
    ("投票所", "Polling stations", "admin"),
    ("職員数", "Number of staff", "admin"),
    ("審議会", "Councils", "admin"),
    ("パブリックコメント", "Public comments", "admin"),
    ("指定管理者制度導入施設", "Facilities under designated managers", "admin"),
    ("町丁目別世帯数", "Households by district", "population"),
    ("国勢調査", "Census", "population"),
    ("出生数・死亡数", "Births and deaths", "population"),
    ("高齢化率", "Ageing rate", "welfare"),
    ("老人福祉施設", "Elderly welfare facilities", "welfare"),
    ("障害者支援施設", "Disability support facilities", "welfare"),
    ("生活保護", "Public assistance", "welfare"),
    ("健康診断受診率", "Health check-up rates", "health"),
    ("予防接種", "Vaccinations", "health"),
    ("薬局", "Pharmacies", "health"),
    ("病院", "Hospitals", "health"),
    ("救急病院", "Emergency hospitals", "health"),
    ("上水道", "Water supply", "infrastructure"),
    ("下水道", "Sewerage", "infrastructure"),
    ("建築確認", "Building confirmations", "urban"),
    ("都市計画", "City planning", "urban"),
    ("用途地域", "Zoning", "urban"),
    ("地価調査", "Land prices", "urban"),
    ("空き家", "Vacant houses", "urban"),
    ("市営住宅", "Municipal housing", "urban"),
    ("住所", "Addresses", "geo"),
    ("地番", "Lot numbers", "geo"),
    ("地図", "Maps", "geo"),
    ("航空写真", "Aerial photographs", "geo"),
    ("行政区域", "Administrative boundaries", "geo"),
    ("標高", "Elevation", "geo"),
    ("気象観測", "Weather observations", "environment"),
    ("川の水位", "River levels", "disaster"),
    ("駅周辺", "Station areas", "transport"),
    ("自転車", "Bicycles", "transport"),
    ("レンタサイクルポート", "Bike share ports", "transport"),
    ("港湾統計", "Port statistics", "transport"),
    ("空港利用者数", "Airport passengers", "transport"),
    ("鉄道", "Railways", "transport"),
)

THEMES: dict[str, tuple[str, ...]] = {
    "health": ("医療", "健康", "health"),
    "welfare": ("福祉", "介護", "高齢者", "welfare"),
    "childcare": ("子育て", "保育", "children"),
    "education": ("教育", "学校", "education"),
    "culture": ("文化", "スポーツ", "culture"),
    "tourism": ("観光", "イベント", "tourism"),
    "transport": ("交通", "道路", "transport"),
    "infrastructure": ("インフラ", "施設", "infrastructure"),
    "disaster": ("防災", "避難所", "災害", "disaster prevention"),
    "safety": ("安全", "防犯", "消防", "safety"),
    "population": ("人口", "統計", "population"),
    "environment": ("環境", "ごみ", "environment"),
    "agriculture": ("農業", "農林水産", "agriculture"),
    "industry": ("産業", "経済", "economy"),
    "finance": ("財政", "予算", "finance"),
    "admin": ("行政", "オープンデータ", "government"),
    "urban": ("都市計画", "住宅", "urban planning"),
    "geo": ("地図", "位置情報", "GIS"),
}

# Thematic groups (name, Japanese title, English title, themes).
GROUPS: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("disaster-prevention", "防災", "Disaster prevention", ("disaster",)),
    ("health-welfare", "健康・福祉", "Health and welfare", ("health", "welfare")),
    ("childcare", "子育て", "Childcare", ("childcare",)),
    ("education", "教育", "Education", ("education",)),
    ("culture-sports", "文化・スポーツ", "Culture and sports", ("culture",)),
    ("tourism", "観光", "Tourism", ("tourism",)),
    ("transport", "交通", "Transport", ("transport",)),
    ("infrastructure", "社会基盤", "Infrastructure", ("infrastructure",)),
    ("safety", "安全・安心", "Safety", ("safety",)),
    ("population", "人口・世帯", "Population and households", ("population",)),
    ("environment", "環境", "Environment", ("environment",)),
    ("agriculture", "農林水産業", "Agriculture, forestry and fisheries", ("agriculture",)),
    ("industry", "産業・経済", "Industry and economy", ("industry",)),
    ("finance", "行財政", "Public finance", ("finance",)),
    ("administration", "行政", "Administration", ("admin",)),
    ("urban-planning", "まちづくり", "Urban planning", ("urban",)),
    ("geospatial", "地理空間", "Geospatial", ("geo",)),
    ("statistics", "統計", "Statistics", ("population", "industry")),
    ("recommended-datasets", "推奨データセット", "Recommended data sets", ()),
    ("open-data-by-design", "オープンデータ・バイ・デザイン", "Open data by design", ()),
    ("national", "国の機関", "National government", ()),
    ("prefectures", "都道府県", "Prefectures", ()),
    ("municipalities", "市区町村", "Municipalities", ()),
    ("noto-earthquake", "令和6年能登半島地震", "2024 Noto Peninsula earthquake", ("disaster",)),
    ("smart-city", "スマートシティ", "Smart city", ("urban", "transport")),
    ("climate", "気候変動", "Climate change", ("environment",)),
    ("real-time", "リアルタイムデータ", "Real-time data", ("disaster", "transport")),
    ("base-registry", "ベース・レジストリ", "Base registries", ("geo", "admin")),
    ("research", "研究データ", "Research data", ()),
    ("international", "国際", "International", ()),
)

EXTRA_TAGS: tuple[str, ...] = _words(
    "オープンデータ 統計 地図 位置情報 施設 一覧 防災 避難所 避難場所 津波 洪水 土砂災害 地震 "
    "人口 世帯 年齢別 国勢調査 住民基本台帳 医療 病院 診療所 薬局 健康 福祉 介護 高齢者 障害者 "
    "子育て 保育 保育所 幼稚園 学校 教育 図書館 文化 文化財 スポーツ 観光 イベント 宿泊 温泉 "
    "交通 道路 バス 鉄道 駅 駐車場 駐輪場 自転車 環境 ごみ リサイクル 大気 水質 騒音 公園 緑地 "
    "街路樹 農業 林業 漁業 産業 経済 商業 工業 財政 予算 決算 税 入札 契約 行政 選挙 議会 広報 "
    "都市計画 住宅 空き家 建築 上水道 下水道 インフラ 橋梁 河川 気象 雨量 水位 GIS 地理空間 "
    "住所 行政区域 ベースレジストリ 推奨データセット AED 消防 救急 防犯 交通安全 犯罪 "
    "公衆トイレ "
    "Wi-Fi 公衆無線LAN バリアフリー 多言語 外国人 国際交流 男女共同参画 人権 感染症 予防接種 "
    "食品 給食 献立 ハザードマップ 能登半島地震 リアルタイム センサー IoT スマートシティ 3D "
    "点群 航空写真 標高 地価 固定資産 事業所 雇用 労働 賃金 物価 エネルギー 再生可能エネルギー "
    "温室効果ガス 気候変動 生物多様性 鳥獣 森林 海岸 港湾 空港 道の駅 商店街 市区町村 都道府県"
) + (
    "population",
    "health",
    "hospital",
    "evacuation",
    "shelters",
    "disaster prevention",
    "transport",
    "bus",
    "railway",
    "parking",
    "cycling",
    "tourism",
    "events",
    "education",
    "schools",
    "library",
    "culture",
    "sports",
    "environment",
    "waste",
    "air quality",
    "water",
    "parks",
    "agriculture",
    "economy",
    "finance",
    "budget",
    "tax",
    "government",
    "elections",
    "urban planning",
    "housing",
    "buildings",
    "infrastructure",
    "roads",
    "bridges",
    "rivers",
    "weather",
    "climate",
    "energy",
    "GIS",
    "maps",
    "address",
    "geocoding",
    "statistics",
    "census",
    "children",
    "elderly care",
    "welfare",
    "safety",
    "crime",
    "fire",
    "emergency",
    "open data",
    "real-time",
    "sensors",
    "toilets",
    "Wi-Fi",
    "accessibility",
    "procurement",
)

YEAR_SUFFIXES = ("一覧", "統計", "データ", "情報", "調査", "状況", "")

ENGLISH_TEMPLATES_NOTES = (
    "This dataset lists {subject} in {place}.",
    "{subject} published by {org}, updated {freq}.",
    "Open data on {subject} for {place}, with locations and contact details.",
    "Machine-readable table of {subject} ({year}).",
)

JAPANESE_TEMPLATES_NOTES = (
    "{place}の{subject}に関するデータです。",
    "{place}内の{subject}の一覧を掲載しています。",
    "{org}が公開する{subject}のデータです。{freq}更新します。",
    "{year}の{place}における{subject}を取りまとめたものです。",
    "{subject}の位置情報と基本情報を収録しています。",
)

FREQ_JA = ("毎月", "年1回", "随時", "四半期ごとに", "毎日", "毎週")
FREQ_EN = ("monthly", "yearly", "as needed", "quarterly", "daily", "weekly")

_JA = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")
_SAFE_TERM = re.compile(r'^[^\s:()"\[\]{}*?\\+\-!^~&|/]+$')


@dataclass
class Vocabulary:
    """Word pools, in a fixed order. Built by :func:`load_vocabulary`."""

    ja_subjects: list[tuple[str, str | None, str]] = field(default_factory=list)
    en_subjects: list[tuple[str, str]] = field(default_factory=list)
    ja_sentences: list[str] = field(default_factory=list)
    en_sentences: list[str] = field(default_factory=list)
    ja_columns: list[str] = field(default_factory=list)
    ja_names: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    resource_names: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    @property
    def digest(self) -> str:
        data = json.dumps(
            [
                self.ja_subjects,
                self.en_subjects,
                self.ja_sentences,
                self.en_sentences,
                self.ja_columns,
                self.ja_names,
                self.tags,
                self.resource_names,
            ],
            ensure_ascii=False,
        )
        return hashlib.sha256(data.encode()).hexdigest()[:16]


def _unique(items: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for item in items:
        item = item.strip()
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _sentences(text: str | None, *, japanese: bool) -> list[str]:
    if not text:
        return []
    text = re.sub(r"\s+", " ", text).strip()
    if japanese:
        parts = [p.strip(" -・") + "。" for p in re.split(r"。| - ", text)]
        return [p for p in parts if 12 <= len(p) <= 160 and _JA.search(p)]
    parts = [p.strip() for p in re.split(r"(?<=[.!?])\s+", text)]
    return [p for p in parts if 20 <= len(p) <= 240 and not _JA.search(p) and p.isascii()]


def decode_csv(data: bytes) -> str:
    """Text of a CSV file in UTF-8 (with or without BOM), UTF-16 (BOM) or CP932."""
    if data.startswith(b"\xff\xfe") or data.startswith(b"\xfe\xff"):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp932")


def _csv_words(path: Path) -> tuple[list[str], list[str]]:
    """(Japanese column names, Japanese cell values that name things) of a real CSV file."""
    rows = list(csv.reader(io.StringIO(decode_csv(path.read_bytes()))))
    rows = [r for r in rows if r and not (r[0].startswith("#") and r[0] != "#property")]
    if not rows:
        return [], []
    header = [c.strip() for c in rows[0]]
    columns = [c for c in header if _JA.search(c) and len(c) <= 20]
    names = []
    for row in rows[1:200]:
        for cell in row:
            cell = cell.strip()
            if _JA.search(cell) and 3 <= len(cell) <= 24 and not re.search(r"[0-9０-９、,]", cell):
                names.append(cell)
    return columns, names


def _strip_title(title: str) -> str:
    """The subject of a real Japanese title: no parenthesised part, no leading place name."""
    title = re.sub(r"[（(][^）)]*[）)]", "", title).strip()
    title = re.sub(r"^【[^】]*】", "", title)
    title = re.sub(r"^.{1,6}?[都道府県市区町村]の", "", title)
    return title.strip(" ・")


def load_vocabulary(fixtures: Path | None) -> Vocabulary:
    """Pools of words from the real records (``fixtures`` may be None: built-in words only)."""
    vocab = Vocabulary()
    ja_subjects: list[tuple[str, str | None, str]] = list(SUBJECTS)
    en_subjects: list[tuple[str, str]] = [(en, theme) for _, en, theme in SUBJECTS]
    ja_sent: list[str] = []
    en_sent: list[str] = []
    columns: list[str] = []
    names: list[str] = []
    tags: list[str] = []
    res_names: list[str] = []

    demo = Path(renkei.__file__).parent / "demo" / "catalog.json"
    catalogs: list[tuple[str, dict]] = [(str(demo), json.loads(demo.read_text("utf-8")))]
    vocab.sources.append(str(demo))

    def take_package(pkg: dict) -> None:
        title = pkg.get("title") or ""
        tt = pkg.get("title_translated") or {}
        if _JA.search(title):
            subject = _strip_title(title)
            if 2 <= len(subject) <= 30:
                ja_subjects.append((subject, tt.get("en"), "admin"))
        elif title:
            en_subjects.append((title, "admin"))
        if tt.get("en") and _JA.search(title):
            en_subjects.append((tt["en"], "admin"))
        notes_tr = pkg.get("notes_translated") or {}
        for text in (pkg.get("notes"), notes_tr.get("ja")):
            ja_sent.extend(_sentences(text, japanese=True))
        for text in (pkg.get("notes"), notes_tr.get("en")):
            en_sent.extend(_sentences(text, japanese=False))
        for tag in pkg.get("tags") or []:
            name = tag.get("name") if isinstance(tag, dict) else tag
            if name and len(name) <= 30:
                tags.append(name)
        for res in pkg.get("resources") or []:
            if res.get("name") and len(res["name"]) <= 60:
                res_names.append(res["name"])

    for _, data in catalogs:
        for pkg in data.get("datasets", []):
            take_package(pkg)

    if fixtures is not None and fixtures.is_dir():
        for path in sorted((fixtures / "ckan").glob("*.json")):
            vocab.sources.append(str(path))
            data = json.loads(path.read_text("utf-8"))
            data = data.get("result", data)
            if data.get("is_organization") or "packages" in data:
                for pkg in data.get("packages") or []:
                    if pkg.get("title"):
                        en_subjects.append((pkg["title"], "admin"))
            else:
                take_package(data)
        for path in sorted((fixtures / "dcat" / "real-records").glob("*")):
            vocab.sources.append(str(path))
            text = path.read_text("utf-8", errors="replace")
            if path.suffix == ".json":
                data = json.loads(text)
                for ds in data.get("dataset", [data]):
                    if ds.get("title"):
                        en_subjects.append((ds["title"], "admin"))
                    en_sent.extend(_sentences(ds.get("description"), japanese=False))
                    tags.extend(k for k in ds.get("keyword") or [] if len(k) <= 30)
            else:
                # RDF/XML and Turtle: English titles and descriptions only.
                for kind, value in re.findall(
                    r'dct:(title|description)(?:[^>"]*>|\s+")([^<"]{10,400})', text
                ):
                    if value.isascii() and ("@en" in text or "xml:lang" not in text):
                        if kind == "title":
                            en_subjects.append((value.strip(), "admin"))
                        else:
                            en_sent.extend(_sentences(value, japanese=False))
        for path in sorted((fixtures / "csv-ja").glob("*.csv")):
            vocab.sources.append(str(path))
            cols, cells = _csv_words(path)
            columns.extend(cols)
            names.extend(cells)
        seed_dir = fixtures.parent / "seeds"
        for path in sorted(seed_dir.glob("*.txt")):
            vocab.sources.append(str(path))
            for line in path.read_text("utf-8").splitlines():
                cells = line.split("\t")
                if len(cells) > 4 and re.match(r"^\d\d-\d\d$", cells[0]):
                    ja_subjects.append((cells[1].strip(), None, "admin"))
                    ja_sent.extend(_sentences(cells[4], japanese=True))

    # Keep subjects that a query can name as one term (no spaces or query syntax).
    seen: set[str] = set()
    for ja, en, theme in ja_subjects:
        ja = ja.replace(" ", "").replace("　", "")
        if ja not in seen and _SAFE_TERM.match(ja) and len(ja) <= 40:
            seen.add(ja)
            vocab.ja_subjects.append((ja, en, theme))
    seen = set()
    for en, theme in en_subjects:
        en = re.sub(r"\s+", " ", en).strip()
        if en and en not in seen and en.isascii() and len(en) <= 100:
            seen.add(en)
            vocab.en_subjects.append((en, theme))
    vocab.ja_sentences = _unique(ja_sent)
    vocab.en_sentences = _unique(en_sent)
    vocab.ja_columns = _unique(columns)
    vocab.ja_names = _unique(names)
    vocab.resource_names = _unique(res_names)
    all_tags = _unique([t for t in tags if t.strip()] + list(EXTRA_TAGS))
    for _, _, theme in SUBJECTS:
        all_tags = _unique(all_tags + list(THEMES[theme]))
    vocab.tags = all_tags[:300]
    return vocab


def default_fixtures() -> Path | None:
    """The shared fixtures beside the work tree (``../shared/fixtures``), if present."""
    repo = Path(__file__).resolve().parents[2]
    for candidate in (repo.parent / "shared" / "fixtures", Path("/work/shared/fixtures")):
        if candidate.is_dir():
            return candidate
    return None
