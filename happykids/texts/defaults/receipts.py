"""Texts of receipt intake (what parents read) and of the director's review (what admins read)."""

from happykids.texts.model import TextDef, TextKind

P = "Чеки"
A = "Проверка чеков"
TEXTS: list[TextDef] = [
    # --- the parent sends a receipt ---
    TextDef(
        "receipt.received",
        "Спасибо! Чек{pages} получили ✅\n\n"
        "Группа: <b>{group}</b>\nПериод: <b>{period}</b>\nДетей: <b>{children}</b>\n\n"
        "Передали администратору на проверку — я напишу, как только оплату подтвердят.",
        P, "Ответ на чек, присланный после выбора оплаты",
    ),
    TextDef(
        "receipt.received_no_choice",
        "Спасибо! Чек{pages} получили ✅ и передали администратору.\n\n"
        "Группу и период вы пока не выбрали — ничего страшного, администратор разберётся. "
        "Чтобы проверка прошла быстрее, можно выбрать оплату через /start.",
        P, "Ответ на чек, присланный до выбора группы и периода",
    ),
    TextDef("receipt.pages", " ({count:страница|страницы|страниц})", P,
            "Сколько страниц в чеке-альбоме (вставляется после «Чек»)"),
    TextDef(
        "receipt.duplicate_pending",
        "Этот чек у нас уже есть ✅ Он на проверке — я напишу, как только администратор его посмотрит.",
        P, "Ответ на повторно присланный чек, который ещё проверяют",
    ),
    TextDef("receipt.duplicate_approved", "Этот чек уже проверен — оплата подтверждена ✅", P,
            "Ответ на повторно присланный чек, который уже подтвердили"),
    TextDef(
        "receipt.duplicate_rejected",
        "Этот чек администратор уже смотрел и не принял. Пришлите, пожалуйста, другой чек — фото или PDF. "
        "Вопросы и контакты: /help",
        P, "Ответ на повторно присланный чек, который уже отклонили",
    ),
    TextDef(
        "receipt.unsupported",
        "Такой формат я не принимаю 🙏 Чек можно прислать так:\n"
        "📷 фотографией,\n🖼 картинкой-файлом (JPG, PNG),\n📄 PDF-файлом.",
        P, "Ответ на стикер, голосовое, видео или файл не того типа",
    ),
    TextDef(
        "receipt.too_big",
        "Файл слишком большой — я могу принять файл до 20 МБ. Пришлите, пожалуйста, фото или скриншот чека 🙏",
        P, "Ответ на файл больше 20 МБ",
    ),
    TextDef("receipt.save_failed", "Не получилось сохранить чек 😔 Пришлите его, пожалуйста, ещё раз.", P,
            "Ответ, если файл не удалось скачать"),
    TextDef(
        "receipt.approved",
        "Оплата подтверждена ✅\n\n{details}Спасибо! Ждём вас на занятиях 💛",
        P, "Сообщение родителю, когда администратор подтвердил чек",
    ),
    TextDef("receipt.details", "Группа: <b>{group}</b>\nПериод: <b>{period}</b>\n\n", P,
            "Строки о группе и периоде в сообщении о подтверждении"),
    TextDef(
        "receipt.rejected",
        "Чек не принят ❌\n\n{reason}Что можно сделать: проверьте, что оплата прошла и сумма верная, "
        "и пришлите сюда правильный чек — фото или PDF.\n\nЕсли есть вопросы, напишите нам:\n{contacts}",
        P, "Сообщение родителю, когда администратор отклонил чек",
    ),
    TextDef("receipt.reason", "Причина: {reason}\n\n", P, "Строка с причиной отклонения для родителя"),

    # --- the admins review it ---
    TextDef(
        "review.card",
        "🧾 <b>Чек №{number}</b>{pages}\n\n"
        "👤 {parent}{username} · <a href=\"tg://user?id={user_id}\">написать</a>\n"
        "{choice}🕒 Получен: {received}{comment}\n\n{status}",
        A, "Карточка чека у администратора (подпись к фото или отдельное сообщение)",
    ),
    TextDef(
        "review.choice",
        "👥 Группа: <b>{group}</b>\n📅 Период: <b>{period}</b>\n"
        "👶 Детей: <b>{children}</b>\n💰 Сумма: <b>{amount}</b>\n",
        A, "Выбор родителя в карточке чека",
    ),
    TextDef("review.no_choice", "⚠️ <b>Без выбора</b>: родитель прислал чек, не выбрав группу и период\n", A,
            "Карточка чека, присланного до выбора оплаты"),
    TextDef("review.amount_unknown", "не указана", A, "Сумма в карточке, если у ссылки нет суммы"),
    TextDef("review.comment", "\n💬 {comment}", A, "Подпись родителя к чеку в карточке"),
    TextDef("review.status_pending", "⏳ Ждёт проверки", A, "Статус в карточке: ещё не решено"),
    TextDef("review.status_approved", "✅ <b>Подтверждён</b> — {admin}, {when}", A, "Статус в карточке: подтверждён"),
    TextDef("review.status_rejected", "❌ <b>Отклонён</b> — {admin}, {when}{reason}", A,
            "Статус в карточке: отклонён"),
    TextDef("review.reason", "\nПричина: {reason}", A, "Причина отклонения в карточке"),
    TextDef(
        "review.ask_reason",
        "Почему отклоняем чек №{number}? Напишите причину ответом на это сообщение — я передам её родителю.\n"
        "Или нажмите «Без причины».",
        A, "Вопрос о причине после нажатия «Отклонить»",
    ),
    TextDef("review.reject_cancelled", "Хорошо, чек №{number} по-прежнему ждёт решения.", A,
            "Ответ на «Отмена» вместо причины"),
    TextDef("review.rejected_done", "Чек №{number} отклонён, родителю сообщим.", A,
            "Подтверждение отклонения администратору"),
    TextDef("review.approved_popup", "Чек №{number} подтверждён ✅", A,
            "Всплывающий ответ после подтверждения", kind=TextKind.POPUP),
    TextDef("review.already_decided", "Уже решено: чек {status} — {admin}, {when}", A,
            "Всплывающий ответ, если чек уже подтвердили или отклонили", kind=TextKind.POPUP),
    TextDef("review.late_reason", "Чек №{number} уже {status} — {admin}, {when}. Ваша причина не отправлена.", A,
            "Ответ на причину, если другой администратор успел решить раньше"),
    TextDef("review.word_approved", "подтверждён", A, "Слово «подтверждён» во всплывающих ответах",
            kind=TextKind.POPUP),
    TextDef("review.word_rejected", "отклонён", A, "Слово «отклонён» во всплывающих ответах", kind=TextKind.POPUP),
    TextDef("review.not_admin", "Решения по чекам принимают администраторы агентства 🙂", A,
            "Всплывающий ответ, если кнопку проверки нажал не администратор", kind=TextKind.POPUP),
    TextDef("review.not_found", "Такого чека нет — возможно, он удалён", A,
            "Всплывающий ответ на кнопку несуществующего чека", kind=TextKind.POPUP),
    TextDef("review.list_empty", "Чеков на проверке нет — всё проверено 👍", A,
            "Ответ на /receipts, когда проверять нечего"),
    TextDef("review.list_footer", "Чеки на проверке: <b>{count}</b>, сначала новые. Показаны {first}–{last}.", A,
            "Итог под списком /receipts"),
    TextDef("btn.review_approve", "✅ Подтвердить", A, "Кнопка подтверждения чека", kind=TextKind.BUTTON),
    TextDef("btn.review_reject", "❌ Отклонить", A, "Кнопка отклонения чека", kind=TextKind.BUTTON),
    TextDef("btn.review_no_reason", "Без причины", A, "Кнопка «отклонить без причины»", kind=TextKind.BUTTON),
    TextDef("btn.review_cancel", "↩️ Отмена", A, "Кнопка отмены отклонения", kind=TextKind.BUTTON),
    TextDef("btn.review_more", "Ещё чеки ▶️", A, "Кнопка следующей страницы в /receipts", kind=TextKind.BUTTON),
]
