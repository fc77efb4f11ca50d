"""What a register's legal status means for its data, in plain words (English, then Indonesian).

The register's page (:mod:`releasekit.pages`) and its package's README (:mod:`releasekit.codebook`) say the same:
the status is the publisher's mark in ``metadata.yml``; the sentences say only what its ``basis`` records (a request, an
answer, a decision, a note, or nothing) and what of the register, voter lists included, is published.
"""

from __future__ import annotations

from .config import Register

#: Each status's label and what it means for the register's data, in English and Indonesian. ``{released}`` is who
#: made an open register's data public (:data:`RELEASED`), ``{withheld}`` who kept an exempted or pending one's back
#: (:data:`WITHHELD`), ``{kept}`` what a register without data still publishes (:data:`KEPT`).
STATUS = {
    "open": ("Open / Terbuka",
             "{released}: its data is published here, every raw record loaded or quarantined with its reason.",
             "{released}: datanya dipublikasikan di sini; setiap rekaman mentah dimuat atau dikarantina beserta "
             "alasannya."),
    "partially-open": ("Partially open / Terbuka sebagian",
                       "{released}: what was released is published here.",
                       "{released}: bagian yang diberikan dipublikasikan di sini."),
    "exempted": ("Exempted / Dikecualikan",
                 "{withheld}, so no data is published: {kept}.",
                 "{withheld}, sehingga tidak ada data yang dipublikasikan: {kept}."),
    "pending": ("Pending / Menunggu", "{withheld}: {kept}.", "{withheld}: {kept}."),
}

#: Who made an open or partially open register's data public, by what its ``basis`` records: an answer (a decision, or
#: the request's outcome), which releasekit cannot read (a refusal, or KIP's decision, is no release by KPU: review AW
#: #1), so the page points to it; no basis at all (data of third parties marked open, say: review AM #3); or a basis
#: with no answer in it (a request alone, or a note: the data may have come otherwise, or KPU refused it: review AP
#: #1). English, then Indonesian.
RELEASED = {
    "answered": {
        "open": ("The publisher marked this register open, on the answer or decision recorded below",
                 "Penerbit menandai register ini terbuka, berdasarkan jawaban atau putusan yang tercatat di bawah"),
        "partially-open": ("The publisher marked this register partially open, on the answer or decision recorded "
                           "below",
                           "Penerbit menandai register ini terbuka sebagian, berdasarkan jawaban atau putusan yang "
                           "tercatat di bawah"),
    },
    "no-basis": {
        "open": ("The publisher marked this register open, with no legal basis recorded",
                 "Penerbit menandai register ini terbuka, tanpa dasar hukum tercatat"),
        "partially-open": ("The publisher marked this register partially open, with no legal basis recorded",
                           "Penerbit menandai register ini terbuka sebagian, tanpa dasar hukum tercatat"),
    },
    "no-answer": {
        "open": ("The publisher marked this register open; no answer of KPU or decision on it is recorded",
                 "Penerbit menandai register ini terbuka; tidak ada jawaban KPU atau putusan yang tercatat"),
        "partially-open": ("The publisher marked this register partially open; no answer of KPU or decision on it is "
                           "recorded",
                           "Penerbit menandai register ini terbuka sebagian; tidak ada jawaban KPU atau putusan "
                           "yang tercatat"),
    },
}
#: Who kept an exempted or pending register's data back, as far as its ``basis`` says: the status is the publisher's
#: mark, so an exempted register is never said to be KPU's claim (with no basis there is none: review AW #3), and a
#: pending one awaits an answer only when a request is recorded. English, then Indonesian.
WITHHELD = {
    "exempted": ("The publisher marked this register exempt information",
                 "Penerbit menandai register ini sebagai informasi yang dikecualikan"),
    "requested": ("The request awaits an answer or a decision", "Permohonan menunggu jawaban atau putusan"),
    "pending": ("The publisher marked this register pending, with no request recorded",
                "Penerbit menandai register ini menunggu, tanpa permohonan yang tercatat"),
}
#: What a register publishes when it publishes no data: its legal basis and provenance, or its provenance alone when
#: no basis is recorded (review AN). English, then Indonesian.
KEPT = {
    True: ("only the legal basis and provenance are published",
           "hanya dasar hukum dan asal-usulnya yang dipublikasikan"),
    False: ("only its provenance is published", "hanya asal-usulnya yang dipublikasikan"),
}


#: The statuses under which a register's data is published (its own, or the part released); the others withhold it.
RELEASING = ("open", "partially-open")
#: What of an open or partially open register is published, when it holds a voter list. English, then Indonesian.
_DATA = {"open": ("its data is published here", "datanya dipublikasikan di sini"),
         "partially-open": ("what was released is published here", "bagian yang diberikan dipublikasikan di sini")}
#: What a register's page says of its voter list, by ``publish_individuals`` (DESIGN.md section 7). ``{extra}``: the
#: fields a masked list adds (:data:`_INDIVIDUAL_FIELDS`).
VOTER_LISTS = {
    "none": ("{released}: {data}, its voter list as counts per TPS (dpt_rekap) and findings, which name a voter by "
             "number in the TPS list (with the age or the NIK's region code where a rule needs it), never by name, "
             "NIK or date of birth.",
             "{released}: {data}, daftar pemilihnya hanya sebagai jumlah per TPS (dpt_rekap) dan temuan, yang "
             "menyebut pemilih dengan nomor urutnya di daftar TPS (beserta umur atau kode wilayah NIK bila aturannya "
             "memerlukan), tidak pernah dengan nama, NIK, atau tanggal lahir."),
    "masked": ("{released}: {data}, its voter list as counts per TPS (dpt_rekap) and voter by voter (dpt_pemilih) "
               "as KPU masks printed lists: NIK and NKK showing only the region code, the year of birth, sex, marital "
               "status and whether a disability is recorded{extra}.",
               "{released}: {data}, daftar pemilihnya sebagai jumlah per TPS (dpt_rekap) dan per pemilih "
               "(dpt_pemilih) sebagaimana KPU menyamarkan daftar cetak: NIK dan NKK yang hanya menampilkan kode "
               "wilayah, tahun lahir, jenis kelamin, status perkawinan, dan ada tidaknya disabilitas{extra}."),
}
#: Why a voter list is published only so, said after :data:`VOTER_LISTS`' sentence (review BZ L5: the page said what
#: is withheld, never why). English, then Indonesian.
WHY_MASKED = (" Why: a voter's NIK, NKK and date of birth are personal data under the Personal Data Protection Law "
              "(UU 27/2022), so releasekit never publishes them whole, as KPU hides them on the lists it prints.",
              " Alasannya: NIK, NKK, dan tanggal lahir pemilih adalah data pribadi menurut UU 27/2022 tentang "
              "Pelindungan Data Pribadi, sehingga releasekit tidak pernah memublikasikannya utuh, sebagaimana KPU "
              "menyamarkannya pada daftar yang dicetaknya.")

#: What each of a register's ``individual_fields`` adds to its masked list (review AW #4: the page left them out).
_INDIVIDUAL_FIELDS = {"nama": ("the voter's name", "nama pemilih"),
                      "alamat": ("the address with RT and RW", "alamat dengan RT dan RW")}


#: An open register whose release this project holds no file of yet (no data "published here").
NO_SOURCES = ("{released}, but this release holds none of its files yet: {kept}.",
              "{released}, tetapi rilis ini belum memuat berkasnya: {kept}.")


#: An exempted or pending register that lists sources (DESIGN.md section 2: data that may be published, such as
#: independent third-party observations): what is published is theirs. Who they are is the project's to say (each
#: source's origin and title): it said "not from KPU" of Sirekap exports too (review BT M1).
WITHHELD_WITH_SOURCES = (
    "{withheld}; the data published here comes only from the sources listed below, which the publisher holds may "
    "be published (such as independent observations).",
    "{withheld}; data yang dipublikasikan di sini hanya berasal dari sumber yang tercantum di bawah, yang menurut "
    "penerbit boleh dipublikasikan (seperti pengamatan independen).")


def kept(register: Register) -> tuple[str, str]:
    """What a register that publishes no data still publishes (:data:`KEPT`), English and Indonesian."""
    return KEPT[bool(register.basis)]


def _released(register: Register) -> tuple[str, str]:
    """Who made an open or partially open register's data public (:data:`RELEASED`); empty for the other statuses."""
    basis = register.basis
    answered = basis.get("decision") or (basis.get("request") or {}).get("outcome")
    return RELEASED["answered" if answered else "no-answer" if basis else "no-basis"].get(register.status, ("", ""))


def _withheld(register: Register) -> tuple[str, str]:
    """Who kept an exempted or pending register's data back (:data:`WITHHELD`); empty for the other statuses."""
    if register.status == "pending" and register.basis.get("request"):
        return WITHHELD["requested"]
    return WITHHELD.get(register.status, ("", ""))


def _extra(register: Register) -> tuple[str, str]:
    """The personal fields a masked voter list adds, as the end of its sentence (:data:`_INDIVIDUAL_FIELDS`)."""
    extra = [words for field, words in _INDIVIDUAL_FIELDS.items() if field in register.individual_fields]
    if not extra:
        return "", ""
    return ", and " + " and ".join(en for en, _ in extra), ", serta " + " dan ".join(id_ for _, id_ in extra)


def register_status(register: Register) -> tuple[str, str, str]:
    """The status's label and what it means for the register's data, in English and Indonesian."""
    label, *texts = STATUS[register.status]
    releasing = register.status in RELEASING
    if releasing and any(s.format == "dpt-csv" for s in register.sources):
        texts = [text + why for text, why in zip(VOTER_LISTS[register.publish_individuals], WHY_MASKED, strict=True)]
    elif releasing and not register.sources:
        texts = list(NO_SOURCES)
    elif not releasing and register.sources:
        texts = list(WITHHELD_WITH_SOURCES)
    parts = {"released": _released(register), "withheld": _withheld(register), "kept": kept(register),
             "data": _DATA.get(register.status, ("", "")), "extra": _extra(register)}
    en, id_ = (text.format(**{name: words[i] for name, words in parts.items()}) for i, text in enumerate(texts))
    return label, en, id_
