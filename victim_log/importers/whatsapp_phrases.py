"""What WhatsApp writes in its own words, in the languages exports come in most often.

A chat export is written in the phone's language. Its fixed phrases (the encryption
notice, a changed security code, "<Media omitted>", "(file attached)", "This message
was deleted", "<This message was edited>") tell a system line from a message and say
what was sent; read in English only, a German or Brazilian export turned the
encryption notice into a message from the perpetrator and lost the photos (#19.5-7).

The phrases were written down from exports seen in public chat parsers' test data
and WhatsApp's own help pages, for English, German, Spanish, Portuguese, French,
Italian, Dutch, Turkish, Russian, Polish, Indonesian, Arabic, Hindi, Finnish, Swedish,
Romanian, Ukrainian and Vietnamese. Matching is on the start of a line only (never
anywhere in a message), case-insensitively, so a message that merely mentions
"security code" stays a message.
"""

from __future__ import annotations

import re

__all__ = [
    "ATTACHED_SUFFIX",
    "DELETED",
    "DELETED_BY_ME",
    "EDITED",
    "MEDIA_OMITTED",
    "OMITTED_KIND",
    "is_system_text",
]

# The end-to-end encryption notice and its pre-2020 form ("Messages to this chat and
# calls are now secured with end-to-end encryption"): the words that name the
# encryption in each language, found in the notice's first sentence.
_E2E_WORDS = (
    "end-to-end",
    "ende-zu-ende",
    "extremo a extremo",
    "ponta a ponta",
    "bout en bout",
    "uçtan uca",
    "сквозным шифрованием",
    "наскрізним шифруванням",
    "päästä päähän",
    "totalsträckskrypter",
    "criptate integral",
    "criptate end-to-end",
    "mã hóa đầu cuối",
    "بين الطرفين",
    "تام بين",
    "एंड-टू-एंड",
    "エンドツーエンド",
    "端到端",
    "종단간",
)
# How the notice starts: "Messages and calls ..." / "Messages to this chat ...".
_E2E_OPENINGS = (
    "messages and calls",
    "messages to this",
    "messages you send",
    "nachrichten und anrufe",
    "nachrichten an diesen",
    "los mensajes y las llamadas",
    "los mensajes que envíes",
    "los mensajes en este",
    "as mensagens e as chamadas",
    "as mensagens e chamadas",
    "mensagens e chamadas",
    "as mensagens enviadas",
    "les messages et les appels",
    "les messages envoyés",
    "i messaggi e le chiamate",
    "i messaggi inviati",
    "berichten en oproepen",
    "berichten en gesprekken",
    "mesajlar ve aramalar",
    "сообщения и звонки",
    "wiadomości i połączenia",
    "pesan dan panggilan",
    "الرسائل والمكالمات",
    "संदेश और कॉल",
    "viestit ja puhelut",
    "meddelanden och samtal",
    "mesajele și apelurile",
    "повідомлення та дзвінки",
    "tin nhắn và cuộc gọi",
)
# "Your security code with X changed" and its translations: the phrase for "security
# code" as each language writes it, right at the start of the line or after "your".
_SECURITY_CODE = (
    "security code",
    "sicherheitsnummer",
    "código de seguridad",
    "código de segurança",
    "code de sécurité",
    "codice di sicurezza",
    "beveiligingscode",
    "güvenlik kod",
    "код безопасности",
    "kod zabezpieczeń",
    "kode keamanan",
    "رمز الأمان",
    "सुरक्षा कोड",
    "turvakoodi",
    "säkerhetskod",
    "codul de securitate",
    "код безпеки",
    "mã bảo mật",
)
_SECURITY_OPENINGS = (
    "your ",
    "deine ",
    "dein ",
    "ihre ",
    "tu ",
    "el ",
    "seu ",
    "o seu ",
    "o teu ",
    "votre ",
    "ton ",
    "le ",
    "il tuo ",
    "il ",
    "je ",
    "uw ",
    "ваш ",
    "twój ",
    "kode ",
    "رمز",
    "आपका ",
    "turvakoodisi",
    "din ",
    "codul ",
    "mã ",
    "код ",
    "güvenlik",
    "kod ",
)
# ... and says it changed.
_CHANGED = (
    "changed",
    "geändert",
    "cambió",
    "ha cambiado",
    "mudou",
    "changé",
    "cambiato",
    "gewijzigd",
    "değişti",
    "изменился",
    "zmienił",
    "berubah",
    "تغير",
    "बदल",
    "vaihtui",
    "muuttui",
    "ändrades",
    "schimbat",
    "змінився",
    "thay đổi",
)
# Short fixed lines (whole line, case-insensitive) that only WhatsApp writes.
_SYSTEM_LINES = frozenset(
    s.casefold()
    for s in (
        "You blocked this contact.",
        "You blocked this contact. Tap to unblock.",
        "You unblocked this contact.",
        "Du hast diesen Kontakt blockiert.",
        "Du hast diesen Kontakt freigegeben.",
        "Bloqueaste a este contacto.",
        "Desbloqueaste a este contacto.",
        "Você bloqueou este contato.",
        "Você desbloqueou este contato.",
        "Vous avez bloqué ce contact.",
        "Vous avez débloqué ce contact.",
        "Hai bloccato questo contatto.",
        "Hai sbloccato questo contatto.",
        "Je hebt dit contact geblokkeerd.",
        "Je hebt dit contact gedeblokkeerd.",
        "Bu kişiyi engellediniz.",
        "Вы заблокировали этот контакт.",
        "Вы разблокировали этот контакт.",
    )
)
# Other iOS system events written under the chat's name.
_EVENT_RE = re.compile(
    r"(?:This chat is with a business account"
    r"|Disappearing messages"
    r"|.+ (?:changed their phone number|changed to \+?[0-9]"
    r"|changed the subject|changed this group's|changed the group"
    r"|created group|created this group|added |removed |left$|joined "
    r"|turned (?:on|off) disappearing messages|deleted this group's))",
    re.DOTALL,
)


def is_system_text(line: str, *, marked: bool = True) -> bool:
    """Whether one line (marks removed) is a WhatsApp notice rather than someone's words.

    Only the notices' openings count: the encryption notice must start as one and name
    the encryption within its first sentence, the security-code notice must start with
    "Your security code" (in the language) and say it changed; a message that mentions them later on is
    a message. Group events count only on a line the phone ``marked`` as a notice.
    """
    text = line.strip()
    low = text.casefold()
    if low in _SYSTEM_LINES:
        return True
    head = low[:160]
    if head.startswith(_E2E_OPENINGS) and any(w in head for w in _E2E_WORDS):
        return True
    if (
        head.startswith(_SECURITY_OPENINGS)
        and any(w in head[:60] for w in _SECURITY_CODE)
        and any(w in head for w in _CHANGED)
    ):
        return True
    # Group events ("Dan added Sam") read like sentences anyone could write: taken as
    # notices only where the phone marked the line as one (U+200E).
    return marked and text.isascii() and _EVENT_RE.match(text) is not None


# Android writes "NAME (file attached)" in the phone's language.
ATTACHED_SUFFIX = (
    "file attached",
    "datei angehängt",
    "archivo adjunto",
    "arquivo anexado",
    "ficheiro anexado",
    "fichier joint",
    "file allegato",
    "bestand bijgevoegd",
    "dosya ekli",
    "файл прикреплен",
    "файл добавлен",
    "файл додано",
    "załączono plik",
    "plik załączony",
    "file terlampir",
    "الملف مرفق",
    "ملف مرفق",
    "फ़ाइल संलग्न",
    "fichero adjunto",
    "tiedosto liitetty",
    "fil bifogad",
    "fișier atașat",
    "tệp đính kèm",
)

# Android "<Media omitted>" in other languages (a chat exported without media).
MEDIA_OMITTED = frozenset(
    s.casefold()
    for s in (
        "<Media omitted>",
        "<Medien ausgeschlossen>",
        "<Medien weggelassen>",
        "<Multimedia omitido>",
        "<Archivo omitido>",
        "<Mídia oculta>",
        "<Multimédia omitido>",
        "<Média omis>",
        "<Médias omis>",
        "<Media omessi>",
        "<Media weggelaten>",
        "<Medya dahil edilmedi>",
        "<Без медиафайлов>",
        "<Медиафайлы пропущены>",
        "<Pominięto multimedia>",
        "<Media tidak disertakan>",
        "<الوسائط محذوفة>",
        "<तस्वीर छोड़ी गई>",
        "<Media jätetty pois>",
        "<Media utelämnad>",
        "<Media omise>",
        "<Без медіафайлів>",
        "<Media bị bỏ qua>",
    )
)

# iOS "image omitted" and friends: what was sent, by the word each language uses.
OMITTED_KIND: dict[str, str] = {
    s.casefold(): kind
    for kind, phrases in {
        "photo": (
            "image omitted",
            "Bild weggelassen",
            "imagen omitida",
            "imagem ocultada",
            "image absente",
            "immagine omessa",
            "afbeelding weggelaten",
            "görüntü dahil edilmedi",
            "изображение отсутствует",
            "pominięto obraz",
            "gambar tidak disertakan",
            "kuva jätetty pois",
            "bild utelämnad",
        ),
        "video": (
            "video omitted",
            "Video weggelassen",
            "video omitido",
            "vídeo omitido",
            "vidéo absente",
            "video omesso",
            "video weggelaten",
            "видео отсутствует",
        ),
        "voice note or audio": (
            "audio omitted",
            "Audio weggelassen",
            "audio omitido",
            "áudio ocultado",
            "audio absent",
            "audio omesso",
            "audio weggelaten",
            "аудио отсутствует",
        ),
        "sticker": (
            "sticker omitted",
            "Sticker weggelassen",
            "sticker omitido",
            "figurinha omitida",
            "autocollant omis",
            "sticker omesso",
        ),
        "GIF": ("GIF omitted", "GIF weggelassen", "GIF omitido", "GIF absent", "GIF omessa"),
        "document": (
            "document omitted",
            "Dokument weggelassen",
            "documento omitido",
            "documento ocultado",
            "document absent",
            "documento omesso",
            "document weggelaten",
        ),
        "contact card": (
            "Contact card omitted",
            "Kontaktkarte weggelassen",
            "tarjeta de contacto omitida",
            "cartão de contato omitido",
        ),
    }.items()
    for s in phrases
}

# "This message was deleted" as the sender's and as the owner's own deletion.
DELETED = frozenset(
    s
    for s in (
        "This message was deleted",
        "This message was deleted.",
        "Diese Nachricht wurde gelöscht",
        "Diese Nachricht wurde gelöscht.",
        "Se eliminó este mensaje.",
        "Se eliminó este mensaje",
        "Este mensaje fue eliminado",
        "Mensagem apagada",
        "Essa mensagem foi apagada",
        "Esta mensagem foi apagada",
        "Ce message a été supprimé",
        "Ce message a été supprimé.",
        "Questo messaggio è stato eliminato",
        "Dit bericht is verwijderd",
        "Dit bericht is verwijderd.",
        "Bu mesaj silindi",
        "Bu mesaj silindi.",
        "Данное сообщение удалено",
        "Это сообщение удалено",
        "Ta wiadomość została usunięta",
        "Pesan ini telah dihapus",
        "تم حذف هذه الرسالة",
        "Tämä viesti poistettiin",
        "Detta meddelande raderades",
        "Acest mesaj a fost șters",
        "Це повідомлення видалено",
        "Tin nhắn này đã bị xóa",
    )
)
DELETED_BY_ME = frozenset(
    s
    for s in (
        "You deleted this message",
        "You deleted this message.",
        "Du hast diese Nachricht gelöscht",
        "Du hast diese Nachricht gelöscht.",
        "Eliminaste este mensaje.",
        "Eliminaste este mensaje",
        "Você apagou esta mensagem",
        "Vous avez supprimé ce message",
        "Vous avez supprimé ce message.",
        "Hai eliminato questo messaggio",
        "Je hebt dit bericht verwijderd",
        "Bu mesajı sildiniz",
        "Вы удалили это сообщение",
    )
)

# "<This message was edited>" at the end of an edited message.
EDITED = (
    "<This message was edited>",
    "<Diese Nachricht wurde bearbeitet>",
    "<Se editó este mensaje.>",
    "<Se editó este mensaje>",
    "<Esta mensagem foi editada>",
    "<Mensagem editada>",
    "<Ce message a été modifié>",
    "<Questo messaggio è stato modificato>",
    "<Dit bericht is bewerkt>",
    "<Bu mesaj düzenlendi>",
    "<Сообщение изменено>",
    "<Ta wiadomość została edytowana>",
    "<Pesan ini telah diedit>",
    "<Tätä viestiä on muokattu>",
    "<Det här meddelandet har redigerats>",
    "<Acest mesaj a fost editat>",
    "<Це повідомлення відредаговано>",
)
