"""A compact TN VED written by us: the chapters and headings the demo uses, in Russian and
English, so the demo and the tests work before any official file is imported. Names are short
paraphrases, not the official texts (import those with `unionsync nomenclature import tnved`)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from unionsync.demo.catalogue import PRODUCTS
from unionsync.nomenclature.models import CodeSystem, NomenclatureCode
from unionsync.nomenclature.service import LoadReport, load_records
from unionsync.nomenclature.sources import CodeRecord

EDITION = "built-in"
SINCE = date(2022, 1, 1)

CHAPTERS: dict[str, tuple[str, str]] = {
    "28": ("Неорганические химические вещества", "Inorganic chemicals"),
    "29": ("Органические химические соединения", "Organic chemicals"),
    "30": ("Фармацевтическая продукция", "Pharmaceutical products"),
    "31": ("Удобрения", "Fertilisers"),
    "32": ("Краски, лаки, красящие вещества", "Paints, varnishes and colourants"),
    "39": ("Пластмассы и изделия из них", "Plastics and articles thereof"),
    "54": ("Химические нити и ткани из них", "Man-made filaments and their fabrics"),
    "56": ("Нетканые материалы, вата, шнуры", "Nonwovens, wadding, twine"),
    "64": ("Обувь", "Footwear"),
    "73": ("Изделия из чёрных металлов", "Articles of iron or steel"),
    "82": ("Инструменты из недрагоценных металлов", "Tools of base metal"),
    "84": ("Котлы, машины и механические устройства", "Boilers, machinery and appliances"),
    "85": ("Электрические машины и оборудование", "Electrical machinery and equipment"),
    "86": ("Железнодорожный подвижной состав", "Railway rolling stock"),
    "87": ("Автомобили, тракторы и их части", "Vehicles, tractors and their parts"),
    "90": (
        "Оптические, измерительные и медицинские приборы",
        "Optical, measuring and medical instruments",
    ),
    "94": ("Мебель, в том числе медицинская", "Furniture, including medical furniture"),
}

HEADINGS: dict[str, tuple[str, str]] = {
    "2815": ("Гидроксид натрия и калия", "Sodium and potassium hydroxide"),
    "2902": ("Циклические углеводороды", "Cyclic hydrocarbons"),
    "2941": ("Антибиотики", "Antibiotics"),
    "3002": ("Кровь, сыворотки, иммунологические продукты", "Blood, sera, immunological products"),
    "3004": ("Лекарственные средства в дозированных формах", "Medicaments in measured doses"),
    "3006": ("Прочая фармацевтическая продукция", "Other pharmaceutical goods"),
    "3105": ("Сложные минеральные удобрения", "Mixed mineral fertilisers"),
    "3208": ("Краски и лаки на синтетических полимерах", "Paints and varnishes on polymers"),
    "3901": ("Полимеры этилена", "Polymers of ethylene"),
    "3902": ("Полимеры пропилена", "Polymers of propylene"),
    "3907": ("Полиэфиры, полиацетали, эпоксидные смолы", "Polyesters, polyacetals, epoxides"),
    "5402": ("Синтетические комплексные нити", "Synthetic filament yarn"),
    "5407": ("Ткани из синтетических нитей", "Woven fabrics of synthetic filament"),
    "5603": ("Нетканые материалы", "Nonwovens"),
    "6403": ("Обувь с верхом из кожи", "Footwear with leather uppers"),
    "7304": ("Бесшовные стальные трубы", "Seamless steel tubes and pipes"),
    "8207": ("Сменные инструменты для станков", "Interchangeable tools for machine tools"),
    "8402": ("Паровые котлы", "Steam boilers"),
    "8406": ("Паровые турбины", "Steam turbines"),
    "8409": ("Части поршневых двигателей", "Parts of piston engines"),
    "8411": ("Газовые турбины и турбореактивные двигатели", "Gas turbines and turbojets"),
    "8412": ("Прочие двигатели, в том числе гидравлические", "Other engines, incl. hydraulic"),
    "8413": ("Насосы жидкостные", "Liquid pumps"),
    "8414": ("Воздушные насосы и компрессоры", "Air pumps and compressors"),
    "8429": ("Бульдозеры, грейдеры, экскаваторы, катки", "Bulldozers, graders, excavators"),
    "8430": ("Машины для земляных и буровых работ", "Earth-moving and boring machinery"),
    "8431": ("Части подъёмных и землеройных машин", "Parts of lifting and earth-moving machines"),
    "8432": ("Почвообрабатывающие и посевные машины", "Soil-working and seeding machinery"),
    "8433": ("Уборочные машины, пресс-подборщики", "Harvesting machinery, balers"),
    "8436": ("Прочее сельскохозяйственное оборудование", "Other agricultural machinery"),
    "8457": ("Обрабатывающие центры", "Machining centres"),
    "8458": ("Токарные станки", "Lathes"),
    "8459": ("Сверлильные, расточные и фрезерные станки", "Drilling, boring, milling machines"),
    "8460": ("Шлифовальные и заточные станки", "Grinding and sharpening machines"),
    "8462": ("Кузнечно-прессовые машины", "Forging and pressing machines"),
    "8466": ("Части и принадлежности станков", "Parts and accessories of machine tools"),
    "8471": ("Вычислительные машины", "Computers"),
    "8473": ("Части вычислительных машин", "Parts of computers"),
    "8481": ("Трубопроводная арматура", "Taps, valves and cocks"),
    "8482": ("Подшипники шариковые и роликовые", "Ball and roller bearings"),
    "8483": ("Валы, редукторы, корпуса подшипников", "Shafts, gearboxes, bearing housings"),
    "8501": ("Электродвигатели и генераторы", "Electric motors and generators"),
    "8502": ("Электрогенераторные установки", "Generating sets"),
    "8504": ("Трансформаторы и преобразователи", "Transformers and converters"),
    "8507": ("Аккумуляторы электрические", "Electric accumulators"),
    "8511": ("Электрооборудование зажигания и пуска", "Ignition and starting equipment"),
    "8517": ("Аппаратура связи", "Telecommunication apparatus"),
    "8532": ("Конденсаторы", "Capacitors"),
    "8533": ("Резисторы", "Resistors"),
    "8536": ("Коммутационная аппаратура до 1000 В", "Switching apparatus up to 1000 V"),
    "8537": ("Пульты и щиты управления", "Control panels and boards"),
    "8541": ("Полупроводниковые приборы", "Semiconductor devices"),
    "8542": ("Интегральные схемы", "Integrated circuits"),
    "8544": ("Изолированные провода и кабели", "Insulated wire and cable"),
    "8606": ("Грузовые вагоны", "Railway freight wagons"),
    "8607": ("Части железнодорожного подвижного состава", "Parts of railway rolling stock"),
    "8701": ("Тракторы", "Tractors"),
    "8708": ("Части и принадлежности автомобилей", "Parts and accessories of motor vehicles"),
    "9018": ("Медицинские приборы и инструменты", "Medical instruments and appliances"),
    "9019": ("Аппаратура для механо- и дыхательной терапии", "Mechano- and respiratory therapy"),
    "9021": ("Ортопедические приспособления, протезы", "Orthopaedic appliances, prostheses"),
    "9022": ("Рентгеновская и томографическая аппаратура", "X-ray and tomography apparatus"),
    "9402": ("Медицинская мебель", "Medical furniture"),
}


def builtin_records() -> list[CodeRecord]:
    """Chapters, headings and the demo's 10-digit codes (named after the demo products)."""
    records = [
        CodeRecord(CodeSystem.TNVED, code, 2, None, ru, en, None, SINCE, None, EDITION)
        for code, (ru, en) in CHAPTERS.items()
    ]
    records += [
        CodeRecord(CodeSystem.TNVED, code, 4, code[:2], ru, en, None, SINCE, None, EDITION)
        for code, (ru, en) in HEADINGS.items()
    ]
    seen: set[str] = set()
    for product in PRODUCTS:
        if product.tnved in seen:
            continue
        seen.add(product.tnved)
        ru = product.name_ru.format(v="").strip(" ,")
        en = product.name_en.format(v="").strip(" ,")
        records.append(
            CodeRecord(
                CodeSystem.TNVED,
                product.tnved,
                10,
                product.tnved[:4],
                ru,
                en,
                None,
                SINCE,
                None,
                EDITION,
            )
        )
    return records


def ensure_builtin(session: Session) -> LoadReport | None:
    """Load the compact nomenclature when no TN VED is loaded; None when one already is."""
    loaded = (
        session.scalar(
            select(func.count())
            .select_from(NomenclatureCode)
            .where(NomenclatureCode.system == CodeSystem.TNVED)
        )
        or 0
    )
    if loaded:
        return None
    return load_records(session, builtin_records(), "built-in (UnionSync)")
