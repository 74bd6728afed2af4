"""#19.5-7 and the "also" list: WhatsApp exports in other languages, older iPhones,
Finnish and Arabic dates; system lines are never messages from the perpetrator,
attachments are linked, omitted media say what was sent, edits are marked."""

from __future__ import annotations

from datetime import datetime

import pytest

from victim_log.importers import parse_whatsapp

from .util import TINY_JPEG
from .util import fixture
from .util import fixture_bytes
from .util import make_zip


def _items(source: object, **kw: object) -> list:  # type: ignore[type-arg]
    with parse_whatsapp(source, **kw) as stream:  # type: ignore[arg-type]
        return list(stream)


def _from(items: list, who: str = "Dan Marsh") -> list:  # type: ignore[type-arg]
    return [i for i in items if i.sender == who and "system" not in i.flags]


def test_german_ios_without_marks_system_lines_media_and_edits() -> None:
    data = make_zip(
        {
            "_chat.txt": fixture_bytes("whatsapp_ios_de_nomark.txt"),
            "00000012-PHOTO-2024-03-12-20-03-00.jpg": TINY_JPEG,
        }
    )
    items = _items(data, date_order="dmy")
    assert len(items) == 9
    system = [i for i in items if "system" in i.flags]
    assert [i.source_ref for i in system] == ["line 1", "line 3"]  # notice, security code
    assert all(i.sender == "" for i in system)
    dan = _from(items)
    assert [i.source_ref for i in dan] == ["line 2", "line 4", "line 6", "line 7", "line 8", "line 9"]
    photo = dan[1]
    assert [a.name for a in photo.attachments] == ["00000012-PHOTO-2024-03-12-20-03-00.jpg"]
    assert photo.attachments[0].available and photo.text == ""
    omitted = dan[2]
    assert omitted.flags == {"media_omitted", "media:photo"} and omitted.text == ""
    edited = dan[3]
    assert "edited" in edited.flags and edited.text == "Ich weiß, wo du wohnst"
    assert dan[4].flags == {"deleted"}
    assert dan[5].text == "Dein Sicherheitscode ist mir egal"  # his words, not a notice


def test_legacy_ios_notices_documents_and_lookalikes() -> None:
    data = make_zip(
        {"_chat.txt": fixture_bytes("whatsapp_ios_legacy.txt"), "00000015-letter.pdf": b"%PDF-1.4\n"}
    )
    items = _items(data, date_order="dmy")
    assert [i.source_ref for i in items if "system" in i.flags] == ["line 1", "line 3"]
    dan = _from(items)
    assert [i.source_ref for i in dan] == ["line 2", "line 4", "line 5", "line 6", "line 7"]
    doc = dan[1]
    assert [a.name for a in doc.attachments] == ["00000015-letter.pdf"]
    assert doc.attachments[0].available
    omitted = dan[2]
    assert omitted.flags == {"media_omitted", "media:document", "attachment_missing"}
    assert [a.name for a in omitted.attachments] == ["notes.pdf"]
    # Sentences that merely look like notices stay his messages.
    assert dan[3].text.startswith("Dan added Sam")
    assert dan[4].text.startswith("your security code is")


def test_portuguese_android_attachments_omitted_deleted() -> None:
    data = make_zip(
        {
            "WhatsApp Chat with Dan Marsh.txt": fixture_bytes("whatsapp_android_pt.txt"),
            "IMG-20240313-WA0001.jpg": TINY_JPEG,
            "relatorio.pdf": b"%PDF-1.4\n",
        }
    )
    items = _items(data)
    assert items[0].flags == {"system"}
    dan = _from(items)
    assert len(dan) == 5
    assert [a.name for a in dan[1].attachments] == ["IMG-20240313-WA0001.jpg"]
    assert dan[1].attachments[0].available
    assert dan[2].flags == {"media_omitted"}
    assert dan[3].flags == {"deleted"}
    assert [a.name for a in dan[4].attachments] == ["relatorio.pdf"] and dan[4].text == "Veja isto"


def test_finnish_klo_dates() -> None:
    items = _items(fixture("whatsapp_android_fi.txt"))
    assert items[0].flags == {"system"}
    assert [i.occurred_at for i in items[1:]] == [
        datetime(2024, 3, 12, 20, 1),
        datetime(2024, 3, 12, 20, 2),
        datetime(2024, 3, 13, 8, 15),
    ]
    assert [i.sender for i in items[1:]] == ["Dan Marsh", "Dan Marsh", "Sarah Jones"]


def test_arabic_digits_and_evening_marks() -> None:
    items = _items(fixture("whatsapp_android_ar.txt"))
    assert [(i.sender, i.occurred_at) for i in items] == [
        ("Dan Marsh", datetime(2024, 3, 12, 20, 1)),
        ("Dan Marsh", datetime(2024, 3, 12, 20, 2)),
        ("Sarah Jones", datetime(2024, 3, 13, 9, 0)),
    ]


@pytest.mark.parametrize(
    ("line", "system"),
    [
        ("Los mensajes y las llamadas están cifrados de extremo a extremo. Nadie fuera de este chat", True),
        ("Les messages et les appels sont chiffrés de bout en bout. Aucun tiers", True),
        ("I messaggi e le chiamate sono crittografati end-to-end. Nessuno", True),
        ("Berichten en oproepen worden end-to-end versleuteld. Niemand", True),
        ("Mesajlar ve aramalar uçtan uca şifrelidir. Bu sohbetin", True),
        ("Сообщения и звонки защищены сквозным шифрованием. Никто", True),
        ("Wiadomości i połączenia są szyfrowane end-to-end. Nikt", True),
        ("Pesan dan panggilan terenkripsi secara end-to-end. Tidak seorang pun", True),
        ("Meddelanden och samtal är totalsträckskrypterade. Ingen", True),
        ("Tu código de seguridad con Dan Marsh cambió. Toca para más información.", True),
        ("Votre code de sécurité avec Dan Marsh a changé. Appuyez", True),
        ("Messages and calls are what I will keep sending you", False),
        ("I changed your security code", False),
    ],
)
def test_notices_in_other_languages(line: str, system: bool) -> None:
    chat = f"[12/03/2024, 19:58:01] Dan Marsh: {line}\n[13/03/2024, 19:58:01] Dan Marsh: hello\n"
    items = _items(chat.encode())
    assert ("system" in items[0].flags) is system
