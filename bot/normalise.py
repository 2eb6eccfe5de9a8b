"""Text normalisation and personal-data masking for free-text questions.

Citizens type on phones in every way there is: full-width forms, traditional characters from
a Hong Kong keyboard, 十八岁 or 18岁, 工钱 for 工资, 离昏 for 离婚. Matching compares characters,
so both the user's text and the items' questions go through the same `Normaliser` first, and
the spelling differences vanish before any scoring. Nothing here knows of items or Redis.
"""
from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from typing import Mapping

from bot.laws import DIGIT_VALUE, from_chinese

# Pairs of (traditional, simplified), two characters each: the few hundred most common ones.
# 著 is left out on purpose: 著作权 is simplified usage too.
_TRAD_SIMP_PAIRS = (
    "萬万與与醜丑專专業业叢丛東东絲丝兩两嚴严喪丧個个豐丰臨临為为麗丽舉举義义烏乌樂乐喬乔習习"
    "鄉乡書书買买亂乱爭争於于虧亏雲云亞亚產产畝亩親亲億亿僅仅從从侖仑倉仓儀仪們们價价眾众優优"
    "會会傘伞偉伟傳传傷伤倫伦偽伪體体餘余傭佣俠侠侶侣偵侦側侧僑侨儉俭債债傾倾償偿儲储兒儿黨党"
    "蘭兰關关興兴養养獸兽內内岡冈冊册寫写軍军農农馮冯沖冲決决況况凍冻淨净涼凉減减湊凑幾几鳳凤"
    "憑凭凱凯擊击劃划劉刘則则剛刚創创刪删別别劑剂劍剑劇剧勸劝辦办務务動动勵励勁劲勞劳勢势勻匀"
    "匯汇區区醫医華华協协單单賣卖盧卢衛卫卻却廠厂廳厅歷历厲厉壓压厭厌廁厕縣县參参雙双發发變变"
    "敘叙葉叶號号嘆叹嚇吓後后嗎吗啟启吳吴員员問问啞哑嘩哗響响喚唤圍围國国園园圓圆圖图團团聖圣"
    "場场壞坏塊块堅坚壇坛墳坟墜坠墾垦壩坝塗涂執执報报聲声殼壳處处備备復复夠够頭头誇夸奪夺奮奋"
    "獎奖婦妇媽妈嬸婶嬰婴孫孙學学寧宁寶宝實实寵宠審审憲宪宮宫對对導导壽寿將将爾尔塵尘嘗尝層层"
    "屬属歲岁豈岂嶼屿島岛峽峡幣币帥帅師师帳帐帶带幫帮幹干乾干廣广莊庄慶庆庫库應应廟庙廢废開开"
    "異异棄弃張张彎弯彈弹強强歸归當当錄录徹彻徑径徵征憶忆懷怀態态憐怜總总戀恋懇恳惡恶惱恼悅悦"
    "懸悬驚惊慘惨慣惯憤愤願愿懶懒戲戏戰战戶户撲扑擴扩掃扫揚扬擾扰撫抚搶抢護护擔担擬拟攏拢揀拣"
    "擁拥攔拦擰拧撥拨擇择掛挂擋挡揮挥損损撿捡換换據据擄掳攜携攝摄擺摆搖摇敵敌數数齋斋斷断無无"
    "舊旧時时曠旷曬晒晉晋晝昼顯显暫暂曆历術术機机殺杀雜杂權权條条來来楊杨極极構构樣样檢检標标"
    "棟栋欄栏樹树橋桥樁桩夢梦檔档槍枪楓枫築筑歡欢歐欧殘残殯殡毀毁氣气漢汉湯汤溝沟沒没滬沪淚泪"
    "瀉泻潑泼澤泽潔洁灑洒濁浊測测濟济渾浑濃浓濤涛漁渔滲渗溫温灣湾濕湿潰溃滅灭燈灯靈灵災灾爐炉"
    "點点煉炼爛烂熱热煙烟燒烧營营爺爷牆墙狀状獨独獄狱獲获貓猫獻献環环現现瑣琐電电畫画暢畅療疗"
    "瘋疯盜盗盤盘監监蓋盖盡尽睜睁礦矿碼码磚砖礎础確确禮礼禍祸禪禅離离種种積积稱称穩稳窮穷竊窃"
    "競竞筆笔節节範范簡简籃篮類类糧粮糾纠紅红級级約约紀纪純纯紙纸納纳紛纷細细終终組组經经結结"
    "給给絕绝統统繼继續续維维綜综綠绿網网緊紧緒绪練练線线編编緣缘縮缩繳缴罰罚罷罢聽听聯联聰聪"
    "職职腦脑膽胆脅胁脫脱膚肤腸肠腫肿臟脏艦舰艱艰藝艺蘇苏藥药蔣蒋薦荐蕩荡蟲虫蝦虾補补襪袜裝装"
    "見见規规視视覺觉覽览觀观計计訂订認认討讨讓让訓训議议記记講讲許许論论設设訪访證证評评識识"
    "詐诈訴诉診诊詞词譯译試试詩诗誠诚話话誕诞詢询該该詳详語语誤误說说請请諸诸諾诺讀读課课誰谁"
    "調调談谈謀谋謝谢謠谣謊谎謹谨譽誉豎竖豬猪貝贝負负財财責责賢贤敗败貨货質质販贩貪贪貧贫購购"
    "貫贯貴贵貸贷費费賀贺資资賊贼賄贿賭赌賠赔賬账賺赚賽赛贈赠贊赞趕赶趙赵躍跃踐践車车軌轨軟软"
    "轉转輪轮載载較较輔辅輛辆輕轻輸输轄辖辭辞辯辩邊边遼辽達达遷迁過过運运還还這这進进遠远違违"
    "連连遲迟適适選选遞递邏逻遺遗郵邮鄰邻鄭郑釋释裡里鑒鉴針针釣钓鈔钞鐘钟鋼钢錢钱鐵铁鈴铃銀银"
    "銷销鎖锁鍋锅錯错鍵键鑰钥長长門门閃闪閉闭閒闲間间閱阅闊阔闖闯隊队陽阳陰阴陣阵階阶際际陸陆"
    "陳陈隨随險险隱隐隻只難难雞鸡雖虽霧雾靜静韓韩頁页頂顶項项順顺須须預预頑顽頒颁領领頻频題题"
    "額额顏颜顧顾風风飛飞飯饭飲饮飽饱飼饲餓饿館馆饒饶馬马駕驾騙骗驗验騎骑驅驱髒脏鬥斗鬧闹魚鱼"
    "鮮鲜鳥鸟鴨鸭麥麦黃黄齊齐齒齿龍龙龜龟擠挤婁娄繫系係系樸朴鬱郁颱台臺台裏里週周衝冲麵面髮发"
    "準准儘尽鍾钟彙汇誌志傑杰並并剋克嚮向戶户賴赖漲涨撈捞"
    "療疗兇凶闆板麼么麽么妳你佔占牠它唸念彌弥"
)
TRAD_TO_SIMP: dict[str, str] = {
    _TRAD_SIMP_PAIRS[i]: _TRAD_SIMP_PAIRS[i + 1]
    for i in range(0, len(_TRAD_SIMP_PAIRS), 2)
    if _TRAD_SIMP_PAIRS[i] != _TRAD_SIMP_PAIRS[i + 1]
}
_TRAD_TABLE = str.maketrans(TRAD_TO_SIMP)

# Only numerals that count something are rewritten: 十八岁 → 18岁, 两年 → 2年, but 一起, 一下,
# 万一 and 十分 keep their characters, because there the numeral is part of a word.
_COUNTED = re.compile(
    r"([零〇一二两三四五六七八九十百千]+)(?=周岁|岁|年|个月|个小时|小时|天|倍|元|块|万|号|条|次|级|周|日|月|个人|名)"
)


def chinese_to_int(numeral: str) -> int | None:
    """The value of a Chinese numeral such as 十八, 二十五, 一百零八, 三六 (digit by digit)."""
    if all(ch in DIGIT_VALUE for ch in numeral):
        return int("".join(str(DIGIT_VALUE[ch]) for ch in numeral))
    try:
        return from_chinese(numeral)
    except ValueError:
        return None


def _numerals_to_digits(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        value = chinese_to_int(match.group(1))
        return match.group(1) if value is None else str(value)

    return _COUNTED.sub(replace, text)


# Letters and digits carry meaning; punctuation, symbols, emoji and spaces do not. `\w` less `_`
# is exactly Unicode's letters and numbers (categories L and N; tests/test_normalise.py checks every
# code point), and one regex pass costs far less than a category look-up a character in Python
# (~5 µs a message, ~55 ms a matcher build).
_NOT_LETTER_OR_NUMBER = re.compile(r"[\W_]+")


def basic_normalise(text: str) -> str:
    """NFKC, lower case, simplified characters, digits for counted numerals, no punctuation."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_TRAD_TABLE)
    return _numerals_to_digits(_NOT_LETTER_OR_NUMBER.sub("", text))


@dataclass(frozen=True)
class Normaliser:
    """`basic_normalise` followed by the editors' synonyms, longest match first, in one pass.

    One pass (a single regex alternation) means a replacement is never rewritten again, so a
    synonym table with a chain in it cannot loop.
    """

    synonyms: Mapping[str, str]
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, synonyms: Mapping[str, str]) -> Normaliser:
        table: dict[str, str] = {}
        for word, target in synonyms.items():
            key, value = basic_normalise(word), basic_normalise(target)
            if key and key != value:
                table[key] = value
        if not table:
            return cls(table, None)
        ordered = sorted(table, key=lambda k: (-len(k), k))
        return cls(table, re.compile("|".join(re.escape(k) for k in ordered)))

    def __call__(self, text: str) -> str:
        text = basic_normalise(text)
        if self.pattern is None:
            return text
        return self.pattern.sub(lambda m: self.synonyms[m.group(0)], text)


_MASKS = (
    ("[邮箱]", re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.ASCII)),
    ("[身份证号]", re.compile(r"(?<!\d)\d{6}(?:19|20)\d{2}[01]\d[0-3]\d{4}[\dXx](?![\dA-Za-z])")),
    ("[银行卡号]", re.compile(r"(?<!\d)\d{4}(?:[ -]?\d{4}){2,3}(?:[ -]?\d{1,3})?(?!\d)")),
    ("[手机号]", re.compile(r"(?<!\d)(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}(?!\d)")),
    ("[电话]", re.compile(r"(?<!\d)(?:\(?0\d{2,3}\)?[ -]?)\d{7,8}(?!\d)")),
)


# Full-width digits, Latin letters and the e-mail's symbols, as a Chinese input method types them
# in full-width mode; not the full-width punctuation of ordinary Chinese text (，？！).
_ASCII_KEPT = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz+-@._"
_HALF_WIDTH = str.maketrans({chr(ord(ch) + 0xFEE0): ch for ch in _ASCII_KEPT})
_DIGIT_OR_AT = re.compile(r"[\d@]")


def mask_personal(text: str) -> str:
    """Replace e-mail, ID-card, bank-card, mobile and landline numbers before anything is kept.

    Full-width digits, letters and ＋－＠．＿ become their ASCII forms throughout the returned text,
    so they are caught too (ｌｉ＠ｑｑ．ｃｏｍ as well); the rest of the text stays as typed. ID
    cards go before bank cards (both are long digit runs) and bank cards before phones (a card
    contains phone-like runs). Every mask needs a digit or an @: text with neither (most
    questions) skips the five patterns.
    """
    text = text.translate(_HALF_WIDTH)
    if not _DIGIT_OR_AT.search(text):
        return text
    for label, pattern in _MASKS:
        text = pattern.sub(label, text)
    return text


def grams(text: str, counted: Counter[str] | None = None) -> Counter[str]:
    """Characters and overlapping character pairs: pairs carry words, characters forgive typos.
    Counted into `counted` when given: a law's many texts summed there need no Counter of their
    own, each added to the sum in a Python loop (~75 ms of a matcher build, a sixth of it)."""
    counted = Counter() if counted is None else counted
    counted.update(text)
    counted.update(text[i:i + 2] for i in range(len(text) - 1))
    return counted
