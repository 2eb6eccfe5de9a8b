"""The fixed sentences the bot says, in one place so tests can assert them exactly.

None of these names a law in 《…》: only answers cite laws (conventions, “Citations”).
"""
from __future__ import annotations

from bot.model import Agency, Item

MENU_HINT = "回复数字选择，回复「菜单」回到首页"
DETAIL_HINT = "回复「详解」看以案释法和相关问题"
FEEDBACK_PROMPT = "有帮助吗？回复「有用」或「没用」"
NEAREST_ANSWER = "您的情况可能有所不同，下面是最接近的解答，仅供参考；具体问题可拨打12348咨询。"
DANGER_FIRST_LINE = "如果您或他人正面临危险，请立即拨打110报警。"
PRIVACY_NOTICE = (
    "隐私说明：我们只保存为您服务所需的信息：您选择的身份、订阅、答题记录、最近的对话位置，"
    "以及待发的订阅提醒和按时回复所需的短期记录；对话位置24小时、短期记录最多3天、未读提醒30天后自动清除，"
    "取消关注即删除全部数据；随时回复「删除我的数据」可立即删除。"
)
LOOKUP_HINT = (
    "直接发送法律名称和条号即可查法条，例如：\n"
    "宪法第三十五条\n民法典第1079条\n劳动合同法 第82条\n民法典第1062条到第1065条"
)
NOT_UNDERSTOOD_DIGIT = "没有这个选项，请回复列表中的数字。"
NO_MORE_PAGES = "已经是最后一页了。回复「菜单」回到首页。"
NO_DETAIL = "暂时没有可以展开的内容。请先提一个问题，或回复「菜单」按分类查看。"
DELETE_ASK = "您要删除我们保存的关于您的全部数据（身份、订阅、答题记录、对话位置、待发提醒和短期记录）吗？请在10分钟内回复「确认删除」。"
DELETE_DONE = "已删除我们保存的关于您的全部数据。您可以继续提问；如需个性化服务，请回复「身份」重新选择。"
DELETE_NOTHING = "没有待确认的删除请求。如需删除数据，请先回复「删除我的数据」。"
STORE_DOWN = "系统正在维护，这项功能暂时不可用；您仍然可以直接提问或查法条。"
FEEDBACK_THANKS = "谢谢您的反馈！我们会据此改进内容。"
MEDIA_GUIDE = (
    "目前我只能看懂文字和语音转文字。请直接用文字描述您的问题，例如“老板拖欠工资怎么办”，"
    "或回复「菜单」按分类查看。"
)
NOTHING_TODAY = "今天没有专题活动。"
TODAY_COMMAND_HINT = "回复「今日专题」看今天的专题内容。"
TODAY_QUIZ_HINT = "回复「答题」参加今日专题答题。"
CHITCHAT = (
    "您好！我是普法助手，可以为您解答身边的法律问题、查找法条、参加普法答题。"
    "请直接说出您的问题，例如“离婚孩子归谁”，或回复「菜单」。"
)


def fallback(agency: Agency) -> str:
    """The honest answer when nothing fits: the menu, look-up, and where to get human help."""
    where = "，".join(part for part in (agency.legal_aid_address, agency.working_hours) if part)
    centre = agency.legal_aid_centre + (f"（{where}）" if where else "")
    return (
        "抱歉，这个问题我还没有准确的答案，不敢乱说。您可以：\n"
        "1. 换个说法再问一次，或回复「菜单」按分类查找；\n"
        "2. 直接查法条，例如“民法典第1079条”；\n"
        f"3. 遇到具体纠纷，请拨打{agency.legal_aid_phone}公共法律服务热线，或到{centre}申请法律援助。"
    )


def suggestions(titles: list[str]) -> str:
    lines = ["您是不是想问："]
    lines += [f"{n}. {plain(title)}" for n, title in enumerate(titles, 1)]
    lines.append("回复数字查看，或换个说法再问；回复「菜单」回到首页")
    return "\n".join(lines)


def item_answer(item: Item) -> str:
    """The short answer: title, answer, and a pointer to the full item when there is more."""
    parts = [f"【{plain(item.title)}】", item.answer.strip()]
    if item.case or item.related:
        parts.append(DETAIL_HINT)
    parts.append(FEEDBACK_PROMPT)
    return "\n".join(parts)


def item_detail(item: Item, related_titles: list[str]) -> str:
    """The full item: answer, the case (以案释法), and related questions by title."""
    parts = [f"【{plain(item.title)}】", item.answer.strip()]
    if item.case:
        case = item.case
        parts += ["", f"【以案释法】{case.title}", f"案情：{case.facts.strip()}",
                  f"结果：{case.outcome.strip()}", f"说法：{case.lesson.strip()}"]
    if related_titles:
        parts += ["", "相关问题（直接发送标题即可查看）："] + [f"· {plain(t)}" for t in related_titles]
    return "\n".join(parts)


def welcome(agency: Agency, main_menu: str, featured: list[str]) -> str:
    lines = [f"欢迎关注{agency.account_name}！这里用大白话讲身边的法律，答案都注明法律条文。"]
    lines += [f"今日专题：{plain(title)}" for title in featured]
    if featured:
        lines.append(TODAY_COMMAND_HINT)
    lines += ["回复「身份」告诉我您是谁（如农民、老年人、进城务工人员），我会为您推荐更贴心的内容。",
              "", main_menu, "", PRIVACY_NOTICE]
    return "\n".join(lines)


def today(messages: list[str], quiz: bool) -> str:
    """The day's campaign texts (each 【title】 and its text, highest priority first), and the quiz
    hint when a campaign features a quiz and its text does not already say how to start it."""
    text = "\n\n".join(messages)
    hint = [TODAY_QUIZ_HINT] if quiz and "「答题」" not in text else []
    return "\n".join([text, *hint, "回复「菜单」回到首页"])


def upcoming(days: list[tuple[str, str]]) -> str:
    """No campaign today: the next ones as (月日, title), so 12·4 can be looked forward to."""
    lines = [NOTHING_TODAY]
    if days:
        lines += ["近期专题："] + [f"· {day} {plain(title)}" for day, title in days]
    lines.append("回复「菜单」按分类查看，或直接说出您的问题。")
    return "\n".join(lines)


def audience_menu(choices: list[tuple[str, str]], current: str) -> str:
    """`choices` are (name, blurb) pairs, numbered in order."""
    lines = ["请选择您的身份，我会优先为您推荐相关内容："]
    lines += [f"{n}. {name}" + (f"（{blurb}）" if blurb else "") for n, (name, blurb) in enumerate(choices, 1)]
    if current:
        lines.append(f"（当前：{current}）")
    lines.append(MENU_HINT)
    return "\n".join(lines)


def audience_set(name: str) -> str:
    return f"好的，已为您设置身份：{name}。回复「菜单」查看为您准备的专区。"


def plain(title: str) -> str:
    """Titles shown in lists never carry 《》: a list is not an answer."""
    return title.replace("《", "").replace("》", "")
