"""Texts section: every parent-facing text and button label, by screen. Show it, accept a new version,
validate it (Telegram must accept it), preview it exactly as a parent sees it, save or reset it.

Texts are read through the Texts service on every use, so a saved text reaches parents at once.
"""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InaccessibleMessage, InlineKeyboardMarkup, Message
from sqlalchemy.ext.asyncio import AsyncSession

from happykids.db.repositories.catalog import load_catalog
from happykids.db.unit_of_work import UnitOfWork
from happykids.domain.catalog import Choice
from happykids.handlers.admin.panel import InputStep, record
from happykids.texts.defaults import DEFAULTS
from happykids.texts.model import TextDef
from happykids.texts.service import Markup, Texts
from happykids.texts.validation import (
    ALLOWED_TAGS_HINT,
    PLACEHOLDER_MEANING,
    TextKind,
    check_text,
    normalize,
    render,
    sample_for,
)
from happykids.ui.callbacks import AdminMenu, Section, TextAct, TextAction, TextCard, TextScreen
from happykids.ui.commands import CommandMenus
from happykids.ui.director_text import director_html, tag_problems
from happykids.ui.keyboards.admin import Button, keyboard, label, menu_button
from happykids.ui.states import AdminInput
from happykids.ui.texts_editor import listing, matches
from happykids.ui.view import ask, ask_again, finish_input, retire, show
from tgtext.explain import NO_FORMATTING
from tgtext.typed import as_typed

router = Router(name="admin.texts")
router.message.filter(F.chat.type == "private")

PAGE_SIZE = 10
MAX_SOURCE_SHOWN = 3000  # the card must fit in one message together with its explanations
FORMATTING = {"bold", "italic", "underline", "strikethrough", "spoiler", "code", "pre", "text_link",
              "blockquote", "expandable_blockquote"}


def screens() -> list[str]:
    """Screens in the order their texts are defined (the order a parent meets them)."""
    return list(dict.fromkeys(d.screen for d in DEFAULTS.values() if d.editable))


def texts_of(screen: str) -> list[TextDef]:
    return [d for d in DEFAULTS.values() if d.screen == screen and d.editable]


def editable(key: str) -> TextDef | None:
    definition = DEFAULTS.get(key)
    return definition if definition and definition.editable else None


def names(definition: TextDef) -> str:
    return ", ".join(f"{{{n}}} — {PLACEHOLDER_MEANING.get(n, 'значение')}" for n in sorted(definition.placeholders))


async def sample_values(session: AsyncSession, texts: Texts) -> dict[str, object]:
    """Real values from the catalog where there are some, so the preview looks like a parent's screen."""
    catalog = await load_catalog(session)
    group, period, children = (next(iter(catalog.visible(options)), None)
                               for options in (catalog.groups, catalog.periods, catalog.children))
    link = catalog.link_for(Choice(group, period, children)) if group and period and children else None
    amount = f"{(link.amount if link and link.amount else 6000):,}".replace(",", " ")
    values: dict[str, object] = {
        "group": group.title if group else "Малыши (4–6 лет)",
        "period": period.title if period else "1 месяц",
        "children": children.title if children else "1 ребёнок",
        "contacts": catalog.contacts or "+7 (000) 000-00-00",
        "url": link.url if link else sample_for("url"),
        "amount": amount,
        "name_part": sample_for("name_part"),
    }
    values["amount_line"] = await texts.markup("dialog.amount_line", amount=amount)
    return values


# -- screens ---------------------------------------------------------------------------------------------

SEARCH = TextAction(key="*", action=TextAct.SEARCH)
MAX_FOUND = 15


async def texts_menu(event: CallbackQuery | Message, texts: Texts) -> None:
    overrides = await texts.overrides()
    buttons: list[list[Button]] = [[(texts.fixed("panel.btn_search_text"), SEARCH)]]
    for index, screen in enumerate(screens()):
        keys = [d.key for d in texts_of(screen)]
        changed = sum(1 for key in keys if key in overrides)
        buttons.append([(label(f"{screen} ({len(keys)})" + (f" ✏️{changed}" if changed else "")),
                         TextScreen(screen=index))])
    await show(event, texts.fixed("panel.texts_menu"), keyboard(*buttons, [menu_button(texts)]))


async def screen_list(callback: CallbackQuery, texts: Texts, index: int, page: int) -> None:
    """One page of a screen's texts: numbered, each with a preview of what parents read; pages labelled."""
    all_screens = screens()
    if not 0 <= index < len(all_screens):
        await texts_menu(callback, texts)
        return
    definitions = texts_of(all_screens[index])
    pages = max(1, -(-len(definitions) // PAGE_SIZE))
    page = min(max(page, 0), pages - 1)
    overrides = await texts.overrides()
    first = page * PAGE_SIZE
    items = [(first + n + 1, d, overrides.get(d.key, d.default))
             for n, d in enumerate(definitions[first:first + PAGE_SIZE])]
    lines, rows = listing(texts, items, set(overrides))
    nav: list[Button] = []
    if page > 0:
        nav.append((texts.fixed("panel.btn_page_prev", page=page), TextScreen(screen=index, page=page - 1)))
    if page < pages - 1:
        nav.append((texts.fixed("panel.btn_page_next", page=page + 2), TextScreen(screen=index, page=page + 1)))
    page_label = texts.fixed("panel.text_page", page=page + 1, pages=pages) if pages > 1 else ""
    text = texts.fixed("panel.text_screen", screen=all_screens[index], page=page_label, lines=Markup(lines))
    back = (texts.fixed("panel.btn_back"), AdminMenu(section=Section.TEXTS))
    await show(callback, text, keyboard(*rows, nav, [back]))


# -- search ----------------------------------------------------------------------------------------------

@router.callback_query(TextAction.filter(F.action == TextAct.SEARCH))
async def ask_search(callback: CallbackQuery, texts: Texts, admin_state: FSMContext) -> None:
    await ask(callback, admin_state, texts, AdminInput.text_search, texts.fixed("panel.ask_text_search"),
              AdminMenu(section=Section.TEXTS))


@router.message(InputStep(AdminInput.text_search), F.text, ~F.text.startswith("/"))
async def search_typed(message: Message, admin_state: FSMContext, texts: Texts) -> None:
    """Texts whose title or current wording holds every word she typed, as buttons; nothing found: she is
    told so and can type another word."""
    query = " ".join((message.text or "").split())[:100]
    overrides = await texts.overrides()
    found = [d for d in DEFAULTS.values() if d.editable and matches(query, d, overrides.get(d.key, d.default))]
    if not query or not found:
        await ask_again(message, admin_state, texts, texts.fixed("panel.text_not_found", query=query))
        return
    items = [(n, d, overrides.get(d.key, d.default)) for n, d in enumerate(found[:MAX_FOUND], 1)]
    lines, rows = listing(texts, items, set(overrides))
    more = texts.fixed("panel.text_found_more", shown=MAX_FOUND) if len(found) > MAX_FOUND else ""
    await finish_input(message, admin_state)
    text = texts.fixed("panel.text_found", query=query, count=len(found), lines=Markup(lines + more))
    await show(message, text, keyboard(*rows, [(texts.fixed("panel.btn_search_text"), SEARCH)],
                                      [(texts.fixed("panel.btn_back"), AdminMenu(section=Section.TEXTS))]))


async def card(event: CallbackQuery | Message, texts: Texts, definition: TextDef) -> None:
    key = definition.key
    overridden = key in await texts.overrides()
    source = as_typed(await texts.template(key))
    shown = source if len(source) <= MAX_SOURCE_SHOWN else source[:MAX_SOURCE_SHOWN] + "…"
    hint = texts.fixed("panel.text_placeholders_hint", names=names(definition)) if definition.placeholders else ""
    status = texts.fixed("panel.text_status_changed" if overridden else "panel.text_status_default")
    text = texts.fixed("panel.text_card", description=definition.description, status=status, source=shown,
                       hint=Markup(hint))
    back = TextScreen(screen=screens().index(definition.screen))
    markup = keyboard(
        [(texts.fixed("panel.btn_edit"), TextAction(key=key, action=TextAct.EDIT))],
        [(texts.fixed("panel.btn_preview"), TextAction(key=key, action=TextAct.PREVIEW))],
        [(texts.fixed("panel.btn_reset"), TextAction(key=key, action=TextAct.RESET))] if overridden else [],
        [(texts.fixed("panel.btn_back"), back)],
    )
    await show(event, text, markup)


def preview_markup(texts: Texts, definition: TextDef, shown: str, pending: bool) -> InlineKeyboardMarkup:
    """Sample button (for labels and popups) and, for a new version, Save / write again / cancel."""
    key = definition.key
    kind = definition.kind
    sample: list[Button] = []
    if kind is TextKind.BUTTON:
        sample = [(shown, TextAction(key=key, action=TextAct.SAMPLE))]
    elif kind is TextKind.POPUP:
        sample = [(texts.fixed("panel.btn_try_popup"), TextAction(key=key, action=TextAct.SAMPLE))]
    if not pending:
        return keyboard(sample, [(texts.fixed("panel.btn_back"), TextCard(key=key))])
    return keyboard(sample, [(texts.fixed("panel.btn_save"), TextAction(key=key, action=TextAct.SAVE))],
                    [(texts.fixed("panel.btn_edit_again"), TextAction(key=key, action=TextAct.EDIT))],
                    [(texts.fixed("panel.btn_cancel"), TextCard(key=key))])


async def send_preview(message: Message | InaccessibleMessage, texts: Texts, definition: TextDef, template: str,
                       values: dict[str, object], pending: bool) -> None:
    """Show `template` the way a parent gets it: a message as a message, a label on a button.

    Only answers in `message`'s chat, which an inaccessible (too old) panel message can do too."""
    shown = render(definition, template, values)
    markup = preview_markup(texts, definition, shown, pending)
    kind = definition.kind
    if kind is TextKind.MESSAGE:
        if pending:
            await message.answer(texts.fixed("panel.preview_note"))
        await message.answer(shown, reply_markup=markup, disable_web_page_preview=True)
    elif kind is TextKind.COMMAND:
        line = f"/{definition.key.removeprefix('cmd.')} — {shown}"
        await message.answer(texts.fixed("panel.preview_command", line=line), reply_markup=markup)
    else:
        note = "panel.preview_button" if kind is TextKind.BUTTON else "panel.preview_popup"
        await message.answer(texts.fixed(note), reply_markup=markup)


# -- navigation ------------------------------------------------------------------------------------------

@router.callback_query(AdminMenu.filter(F.section == Section.TEXTS))
async def open_texts(callback: CallbackQuery, texts: Texts) -> None:
    await callback.answer()
    await texts_menu(callback, texts)


@router.callback_query(TextScreen.filter())
async def open_screen(callback: CallbackQuery, callback_data: TextScreen, texts: Texts) -> None:
    await callback.answer()
    await screen_list(callback, texts, callback_data.screen, callback_data.page)


async def _definition_or_menu(callback: CallbackQuery, texts: Texts, key: str) -> TextDef | None:
    definition = editable(key)
    if definition is None:  # a text removed in a new version of the bot, or forged data
        await callback.answer(texts.fixed("panel.gone"))
        await texts_menu(callback, texts)
    return definition


@router.callback_query(TextCard.filter())
async def open_card(callback: CallbackQuery, callback_data: TextCard, texts: Texts) -> None:
    if definition := await _definition_or_menu(callback, texts, callback_data.key):
        await callback.answer()
        await card(callback, texts, definition)


@router.callback_query(TextAction.filter(F.action == TextAct.PREVIEW))
async def preview_current(callback: CallbackQuery, callback_data: TextAction, texts: Texts,
                          session: AsyncSession) -> None:
    definition = await _definition_or_menu(callback, texts, callback_data.key)
    if definition is None:
        return
    shown = render(definition, await texts.template(definition.key), await sample_values(session, texts))
    kind = definition.kind
    if kind is TextKind.POPUP:  # a popup is previewed as the very popup a parent gets
        await callback.answer(shown)
        return
    await callback.answer()
    if callback.message is None:  # only a press under an inline-mode message has none; the panel is never one
        return
    await send_preview(callback.message, texts, definition, await texts.template(definition.key),
                       await sample_values(session, texts), pending=False)


@router.callback_query(TextAction.filter(F.action == TextAct.SAMPLE))
async def sample_pressed(callback: CallbackQuery, callback_data: TextAction, texts: Texts,
                         session: AsyncSession, admin_state: FSMContext) -> None:
    definition = await _definition_or_menu(callback, texts, callback_data.key)
    if definition is None:
        return
    if definition.kind is not TextKind.POPUP:
        await callback.answer(texts.fixed("panel.sample_button"))
        return
    data = await admin_state.get_data()
    pending = data.get("pending_key") == definition.key
    template = data["pending_text"] if pending else await texts.template(definition.key)
    await callback.answer(render(definition, template, await sample_values(session, texts)))


# -- edit, preview, save ---------------------------------------------------------------------------------

@router.callback_query(TextAction.filter(F.action == TextAct.EDIT))
async def edit(callback: CallbackQuery, callback_data: TextAction, texts: Texts, admin_state: FSMContext) -> None:
    definition = await _definition_or_menu(callback, texts, callback_data.key)
    if definition is None:
        return
    must_keep = (texts.fixed("panel.ask_text_placeholders",
                             names=", ".join(f"{{{n}}}" for n in sorted(definition.placeholders)))
                 if definition.placeholders else "")
    if definition.kind is TextKind.MESSAGE:
        prompt = texts.fixed("panel.ask_text_message", tags=ALLOWED_TAGS_HINT, placeholders=Markup(must_keep))
    else:
        prompt = texts.fixed("panel.ask_text_plain", placeholders=Markup(must_keep))
    # Below the card, so the current text stays on screen to copy from.
    await ask(callback, admin_state, texts, AdminInput.text, prompt, TextCard(key=definition.key), below=True,
              key=definition.key)


def typed_source(message: Message, definition: TextDef) -> tuple[str, list[str]]:
    """What she meant, and what stops it from working. A message text: her formatting (the app's Bold
    button and typed tags alike) as HTML, a stray `<` or `&` as a character (ui/director_text.py). A label,
    popup or command description: the text as typed, which Telegram shows without formatting."""
    if definition.kind is TextKind.MESSAGE:
        formatted = director_html(message)
        return formatted.html, tag_problems(formatted)
    text = message.text or ""  # typed text: the input step's F.text filter guarantees it
    formatted_with_buttons = any(e.type in FORMATTING for e in (message.entities or []))
    return text, [NO_FORMATTING] if formatted_with_buttons else []


@router.message(InputStep(AdminInput.text), F.text, ~F.text.startswith("/"))
async def text_typed(message: Message, admin_state: FSMContext, texts: Texts, session: AsyncSession,
                     bot: Bot) -> None:
    data = await admin_state.get_data()
    definition = editable(data.get("key", ""))
    if definition is None:
        await admin_state.clear()
        await texts_menu(message, texts)
        return
    source, problems = typed_source(message, definition)
    template = normalize(definition, source)
    values = await sample_values(session, texts)
    problems = problems or check_text(definition, template, values)
    if problems:
        listed = "\n".join(f"• {p}" for p in problems)
        await ask_again(message, admin_state, texts, texts.fixed("panel.text_problems", problems=listed))
        return
    # Stay in the input step: a corrected version can simply be sent again.
    await retire(bot, message.chat.id, data.get("prompt_msg"))
    await admin_state.update_data(pending_key=definition.key, pending_text=template, prompt_msg=None)
    await send_preview(message, texts, definition, template, values, pending=True)


@router.callback_query(TextAction.filter(F.action == TextAct.SAVE))
async def save(callback: CallbackQuery, callback_data: TextAction, texts: Texts, session: AsyncSession,
               admin_state: FSMContext, command_menus: CommandMenus, uow: UnitOfWork, bot: Bot) -> None:
    definition = await _definition_or_menu(callback, texts, callback_data.key)
    if definition is None:
        return
    data = await admin_state.get_data()
    template = data.get("pending_text") if data.get("pending_key") == definition.key else None
    if template is None or check_text(definition, template, await sample_values(session, texts)):
        await callback.answer(texts.fixed("panel.text_pending_gone"))
        return
    old = await texts.template(definition.key)
    if template != old:
        if template == definition.default:
            await texts.reset(definition.key)
        else:
            await texts.set_override(definition.key, template, callback.from_user.id)
        await record(session, callback.from_user, "text.set", f"{definition.description} ({definition.key})", old,
                     template)
        await uow.commit()
        await after_change(bot, texts, definition, command_menus)
    await admin_state.clear()
    await callback.answer(texts.fixed("panel.text_saved"))
    await card(callback, texts, definition)


async def after_change(bot: Bot, texts: Texts, definition: TextDef, command_menus: CommandMenus) -> None:
    """The command menu is set once at startup: refresh it now so no restart is needed."""
    if definition.kind is TextKind.COMMAND:
        await command_menus.refresh(bot, texts)


# -- reset -----------------------------------------------------------------------------------------------

@router.callback_query(TextAction.filter(F.action.in_({TextAct.RESET, TextAct.RESET_YES})))
async def reset(callback: CallbackQuery, callback_data: TextAction, texts: Texts, session: AsyncSession,
                command_menus: CommandMenus, uow: UnitOfWork, bot: Bot) -> None:
    definition = await _definition_or_menu(callback, texts, callback_data.key)
    if definition is None:
        return
    if callback_data.action is TextAct.RESET:
        await callback.answer()
        markup = keyboard(
            [(texts.fixed("panel.btn_reset_yes"), TextAction(key=definition.key, action=TextAct.RESET_YES))],
            [(texts.fixed("panel.btn_cancel"), TextCard(key=definition.key))])
        await show(callback, texts.fixed("panel.confirm_reset", description=definition.description), markup)
        return
    overrides = await texts.overrides()
    if definition.key in overrides:
        await texts.reset(definition.key)
        await record(session, callback.from_user, "text.reset", f"{definition.description} ({definition.key})",
                     overrides[definition.key], definition.default)
        await uow.commit()
        await after_change(bot, texts, definition, command_menus)
    await callback.answer(texts.fixed("panel.text_reset"))
    await card(callback, texts, definition)
