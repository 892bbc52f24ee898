"""Texts of paying inside Telegram: the button, the invoice, the reasons a payment is refused, the parent's
«оплата прошла» and the director's notice (docs/payments.md shows them on their screens)."""

from happykids.texts.model import TextDef, TextKind

P = "Платёж в Telegram"
A = "Платёж в Telegram (директору)"
POPUP = TextKind.POPUP
TEXTS: list[TextDef] = [
    TextDef("tgpay.btn_pay", "💳 Оплатить в Telegram", P, "Кнопка оплаты прямо в Telegram рядом со ссылкой",
            kind=TextKind.BUTTON),
    TextDef("tgpay.invoice_title", "Happy Kids: {group}", P,
            "Заголовок счёта в Telegram (без HTML; длиннее 32 символов обрезается)", kind=POPUP),
    TextDef("tgpay.invoice_description",
            "{group}, {period}, {children}. После оплаты чек присылать не нужно — оплата подтвердится сама.", P,
            "Описание в счёте Telegram (без HTML; длиннее 255 символов обрезается)", kind=POPUP),
    TextDef("tgpay.price_label", "Занятия, {period}", P, "Строка суммы в счёте Telegram (без HTML)", kind=POPUP),
    TextDef("tgpay.receipt_item", "Занятия в Happy Kids: {group}, {period}, {children}", P,
            "Название услуги в кассовом чеке по 54-ФЗ (без HTML; до 128 символов)", kind=POPUP),
    TextDef("tgpay.unavailable", "Оплата в Telegram сейчас недоступна — можно оплатить по ссылке", P,
            "Всплывающий ответ на кнопку оплаты в Telegram, когда её отключили или у варианта нет суммы",
            kind=POPUP),
    # Shown by Telegram in the payment window when the bot refuses the payment (plain text).
    TextDef("tgpay.refused_price_changed",
            "Цена изменилась, деньги не списаны. Нажмите /start и выберите оплату заново — там новая сумма.", P,
            "Отказ в оплате: цена изменилась после выставления счёта", kind=POPUP),
    TextDef("tgpay.refused_unavailable",
            "Этот вариант больше недоступен, деньги не списаны. Нажмите /start и выберите заново.", P,
            "Отказ в оплате: группу, период или вариант скрыли или удалили", kind=POPUP),
    TextDef("tgpay.refused_unknown", "Этот счёт устарел, деньги не списаны. Нажмите /start и выберите заново.", P,
            "Отказ в оплате: счёт от старой версии бота", kind=POPUP),
    TextDef("tgpay.refused_disabled",
            "Оплата в Telegram сейчас отключена, деньги не списаны. Оплатить можно по ссылке: /start.", P,
            "Отказ в оплате: оплату в Telegram выключили", kind=POPUP),
    TextDef("tgpay.refused_error", "Что-то пошло не так, деньги не списаны. Попробуйте, пожалуйста, ещё раз.", P,
            "Отказ в оплате: ошибка в боте при проверке", kind=POPUP),
    TextDef("tgpay.paid",
            "Оплата прошла, спасибо! ✅\n\n{details}Чек присылать не нужно — администратор уже видит оплату. "
            "Ждём вас на занятиях 💛", P,
            "Родителю после оплаты в Telegram"),
    TextDef("tgpay.already_paid", "Это уже оплачено {when} ✅ Второй раз платить не нужно. "
            "Новая оплата — через /start", P, "Всплывающее окно: родитель снова нажал «Оплатить в Telegram» на "
            "экране, который уже оплатил", kind=POPUP),
    TextDef("tgpay.decided_by", "оплата в Telegram", A,
            "Кто подтвердил оплату в Telegram (в карточке и выгрузке вместо имени администратора)", kind=POPUP),
    # The panel's own wording (not in the texts editor): how approved payments were paid.
    TextDef("tgpay.stats_methods", "Как оплатили подтверждённые: по ссылке с чеком — {link} на {link_sum} ₽, "
            "в Telegram — {telegram} на {telegram_sum} ₽", A, "Статистика: способы оплаты", editable=False),
    TextDef(
        "tgpay.admin_notice",
        "💳 <b>Оплата в Telegram №{number}</b> — подтверждена автоматически\n\n"
        "👤 {parent}{username} · <a href=\"tg://user?id={user_id}\">написать</a>\n"
        "{choice}🕒 Оплачено: {paid}\n"
        "🔖 Платёж Telegram: <code>{telegram_charge}</code>\n"
        "🏦 Платёж у провайдера: <code>{provider_charge}</code>\n\n"
        "Ничего делать не нужно — это уведомление.",
        A, "Уведомление директору об оплате в Telegram (без кнопок)",
    ),
]
