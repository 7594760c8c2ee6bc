"""Builds the demo data set into a session, deterministically (fixed seed, sorted inputs).

Enterprises, banks and projects are invented; codes are real TN VED codes; ministries and the
Standing Committee are the real bodies. The generator knows which capability truly makes which
program item and stores that as `DemoMatchTruth`, for evaluating matching later.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from unionsync.catalog.models import (
    Capability,
    Organization,
    OrganizationKind,
    Program,
    ProgramItem,
    ProgramItemDemand,
    ProgramStatus,
)
from unionsync.catalog.taxid import inn_check_digit, unp_with_check_digit
from unionsync.core.meta import DemoMatchTruth
from unionsync.core.money import Currency
from unionsync.demo.catalogue import BY_PROGRAMS, INDUSTRIES, PRODUCTS, RU_PROGRAMS, ProductDef
from unionsync.demo.names import abbreviate, lookalike, mangle_model, write_code
from unionsync.nomenclature.models import CodeList, CodeListEntry
from unionsync.passports.editing import content_hash, snapshot, sync_products
from unionsync.passports.models import (
    IN_PREPARATION,
    ParticipantRole,
    Passport,
    PassportParticipant,
    PassportStatus,
    PassportVersion,
)
from unionsync.reference.models import Industry
from unionsync.reference.units import unit_by_code
from unionsync.trade.models import ExchangeRate, FlowDirection, TradeFlow

SEED = 20230203
DEMO_STEPS = (
    "industries",
    "authorities",
    "enterprises",
    "programs",
    "ground truth",
    "passports",
    "trade",
)
DEMO_VERSION = "1"
BYN_PER_RUB = Decimal("0.035")  # only to price Belarusian demand; trade uses the rate table

# Industries whose programs also list components made by other industries
RELATED = {
    "automotive": ("machinery-parts", "electrical", "microelectronics"),
    "agri-machinery": ("machinery-parts", "automotive", "electrical"),
    "rail": ("machinery-parts", "electrical"),
    "road-machinery": ("machinery-parts", "automotive"),
    "oil-gas": ("machinery-parts", "electrical"),
    "power": ("electrical", "machinery-parts"),
    "machine-tools": ("machinery-parts", "electrical", "microelectronics"),
    "machinery-parts": ("electrical",),
    "medical": ("microelectronics", "computing"),
    "computing": ("microelectronics",),
    "pharma": ("chemicals",),
    "chemicals": ("machinery-parts",),
    "light": ("chemicals",),
    "electrical": ("microelectronics",),
    "microelectronics": ("chemicals", "computing"),
}
# related industries whose products a program of the industry does not demand (kept in RELATED,
# which the enterprises' ranges follow, so that drawing the demo is unchanged)
UNFIT = {
    "machine-tools": ("microelectronics",),
    "microelectronics": ("chemicals",),
}
# How likely each country's enterprises make a product of the industry (demo assumption)
MAKES = {
    "BY": {
        "agri-machinery": 0.85,
        "automotive": 0.8,
        "machine-tools": 0.7,
        "machinery-parts": 0.75,
        "electrical": 0.7,
        "microelectronics": 0.55,
        "medical": 0.45,
        "pharma": 0.4,
        "chemicals": 0.55,
        "rail": 0.35,
        "road-machinery": 0.6,
        "light": 0.8,
        "computing": 0.3,
        "oil-gas": 0.3,
        "power": 0.15,
    },
    "RU": {
        "agri-machinery": 0.6,
        "automotive": 0.6,
        "machine-tools": 0.45,
        "machinery-parts": 0.6,
        "electrical": 0.65,
        "microelectronics": 0.45,
        "medical": 0.5,
        "pharma": 0.55,
        "chemicals": 0.8,
        "rail": 0.85,
        "road-machinery": 0.55,
        "light": 0.55,
        "computing": 0.55,
        "oil-gas": 0.75,
        "power": 0.6,
    },
}

BY_ROOTS = (
    "Неман",
    "Полесье",
    "Свислочь",
    "Березина",
    "Припять",
    "Нарочь",
    "Браслав",
    "Сож",
    "Днепрогорск",
    "Птичь",
    "Вилия",
    "Ясельда",
    "Щара",
    "Случь",
    "Друть",
    "Беседь",
    "Горынь",
    "Мядель",
    "Освея",
    "Лукомль",
    "Белое Озеро",
    "Дисна",
    "Уша",
    "Ипуть",
)
RU_ROOTS = (
    "Ветлуга",
    "Кама",
    "Ока",
    "Сура",
    "Вятка",
    "Онега",
    "Ладога",
    "Селигер",
    "Ангара",
    "Иртыш",
    "Тобол",
    "Таганай",
    "Ильмень",
    "Мста",
    "Шексна",
    "Унжа",
    "Молога",
    "Хопёр",
    "Медведица",
    "Сосна",
    "Цна",
    "Мокша",
    "Белая",
    "Чусовая",
    "Уфимка",
)
SUFFIXES = {
    "microelectronics": ("Микро", "Электроника", "Кремний"),
    "computing": ("Вычислительные системы", "Телеком", "ИнфоТех"),
    "machine-tools": ("станкомаш", "Станок", "Инструмент"),
    "machinery-parts": ("подшипник", "Гидравлика", "Привод"),
    "medical": ("Медтехника", "МедПрибор", "Медизделия"),
    "pharma": ("Фарм", "Биофарм", "Фармсинтез"),
    "automotive": ("Автокомпонент", "АвтоДеталь", "Моторс"),
    "agri-machinery": ("Агромаш", "Сельмаш", "Агротехника"),
    "chemicals": ("Химпром", "Полимер", "Синтез"),
    "electrical": ("Электромаш", "Электротехника", "Кабель"),
    "rail": ("Вагонмаш", "Трансмаш", "Рельсовые системы"),
    "oil-gas": ("Нефтемаш", "Газмаш", "Буровые системы"),
    "road-machinery": ("Дормаш", "Строймаш", "Техника"),
    "power": ("Энергомаш", "Турбо", "Котломаш"),
    "light": ("Текстиль", "Обувь", "Нетканые материалы"),
}
BY_REGIONS = (
    "г. Минск",
    "Минская область",
    "Брестская область",
    "Витебская область",
    "Гомельская область",
    "Гродненская область",
    "Могилёвская область",
)
RU_REGIONS = (
    "г. Москва",
    "г. Санкт-Петербург",
    "Республика Татарстан",
    "Свердловская область",
    "Нижегородская область",
    "Самарская область",
    "Челябинская область",
    "Новосибирская область",
    "Воронежская область",
    "Ярославская область",
    "Калужская область",
    "Пермский край",
    "Ростовская область",
    "Тульская область",
)
# Demo exchange rates (approximate annual averages; replace with official tables for real work)
DEMO_RATES = {
    2021: {"USD": "2.5400", "RUB": "0.034500"},
    2022: {"USD": "2.6200", "RUB": "0.038300"},
    2023: {"USD": "3.0000", "RUB": "0.035500"},
}
TRADE_TOTAL_BY_2022 = Decimal("1200000000")  # Br1.2 bn in the Belarusian records, 2022
TRADE_GROWTH = {2021: Decimal("0.87"), 2022: Decimal("1"), 2023: Decimal("1.09")}


def program_code(country: str, industry: str, number: int) -> str:
    """«RU-OILG-16»: the country, four letters of the industry (no hyphen doubled, as in
    «RU-OIL--16» from «oil-gas»), the number."""
    letters = "".join(c for c in industry.upper() if c.isalpha())
    return f"{country}-{letters[:4]}-{number:02d}"


@dataclass(frozen=True, slots=True)
class Variant:
    """One concrete product: a catalogue product in one model or size."""

    product: ProductDef
    model: str

    @property
    def key(self) -> tuple[str, str]:
        return self.product.tnved, self.model

    def name_ru(self) -> str:
        return self.product.name_ru.format(v=self.model)


@dataclass
class DemoCounts:
    """What the demo created, for the CLI's summary."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        self.counts[kind] = self.counts.get(kind, 0) + n


def _share(quantity: Decimal, fraction: float) -> Decimal:
    """Part of a quantity, in whole units when the quantity is whole (pieces are not split)."""
    part = quantity * Decimal(str(round(fraction, 3)))
    if quantity == quantity.to_integral_value():
        return part.to_integral_value()
    return part.quantize(Decimal("0.001"))


DEMO_EQUIPMENT = (
    "Обрабатывающий центр с ЧПУ",
    "Координатно-измерительная машина",
    "Линия автоматического монтажа",
    "Установка вакуумного напыления",
    "Чистое помещение класса ISO 7",
    "Испытательный стенд",
    "Термическая печь",
    "Роботизированная сварочная ячейка",
)
TENDER_STATES = ("planned", "announced", "contracted", "delivered")


def _generic(template: str) -> str:
    """A product name without its model: «Антибиотик {v}, порошок» → «Антибиотик, порошок»."""
    return re.sub(r"\s+", " ", template.format(v="")).replace(" ,", ",").strip(" ,")


def all_variants() -> list[Variant]:
    """Every product in every model, in catalogue order."""
    return [Variant(p, m) for p in PRODUCTS for m in p.variants]


class DemoBuilder:
    """Writes the whole demo through one session; call `build()` once on an empty database."""

    def __init__(
        self, session: Session, seed: int = SEED, progress: Callable[[str], None] | None = None
    ) -> None:
        self.session = session
        self.rng = random.Random(seed)
        self.progress = progress or (lambda _step: None)
        self.counts = DemoCounts()
        self.industries: dict[str, Industry] = {}
        self.variants = all_variants()
        self.by_industry: dict[str, list[Variant]] = {}
        for variant in self.variants:
            self.by_industry.setdefault(variant.product.industry, []).append(variant)
        self.makers: dict[tuple[str, str], list[Capability]] = {}
        self.items: list[tuple[ProgramItem, Variant, str]] = []
        self.passports: list[Passport] = []
        self.enterprises: dict[str, list[Organization]] = {"BY": [], "RU": []}
        self.used_names: set[str] = set()

    def build(self) -> DemoCounts:
        """Every step in order, reporting each step's name to `progress` as it starts."""
        steps: Sequence[Callable[[], None]] = (
            self._industries,
            self._authorities,
            self._enterprises,
            self._programs,
            self._truth,
            self._passports,
            self._trade,
        )
        for name, step in zip(DEMO_STEPS, steps, strict=True):
            self.progress(name)
            step()
            self.session.flush()
        self._passport_versions()
        self.session.flush()
        return self.counts

    # --- reference ---------------------------------------------------------------------

    def _industries(self) -> None:
        seeded = {i.code: i for i in self.session.scalars(select(Industry))}
        for definition in INDUSTRIES:
            industry = seeded.get(definition.code) or Industry(
                code=definition.code, name_ru=definition.name_ru, name_en=definition.name_en
            )
            self.session.add(industry)
            self.industries[definition.code] = industry
        self.counts.add("industries", len(INDUSTRIES))

    def _authorities(self) -> None:
        s = self.session
        self.ministry = {
            "BY": Organization(
                kind=OrganizationKind.MINISTRY,
                country_code="BY",
                name="Министерство промышленности Республики Беларусь",
                short_name="Минпром",
                name_en="Ministry of Industry of Belarus",
                tax_id=self._unp(),
            ),
            "RU": Organization(
                kind=OrganizationKind.MINISTRY,
                country_code="RU",
                name="Министерство промышленности и торговли Российской Федерации",
                short_name="Минпромторг России",
                name_en="Ministry of Industry and Trade of Russia",
                tax_id=self._inn(),
            ),
        }
        committee = Organization(
            kind=OrganizationKind.COMMITTEE,
            country_code="RU",
            name="Постоянный Комитет Союзного государства",
            short_name="Постоянный Комитет",
            name_en="Standing Committee of the Union State",
        )
        self.banks = [
            Organization(
                kind=OrganizationKind.BANK,
                country_code="BY",
                tax_id=self._unp(),
                name="ОАО «Союзинвестбанк» (демо)",
                short_name="Союзинвестбанк",
            ),
            Organization(
                kind=OrganizationKind.BANK,
                country_code="BY",
                tax_id=self._unp(),
                name="ОАО «Белпромразвитие банк» (демо)",
                short_name="Белпромразвитие",
            ),
            Organization(
                kind=OrganizationKind.BANK,
                country_code="RU",
                tax_id=self._inn(),
                name="АО «Промкредит Союз» (демо)",
                short_name="Промкредит Союз",
            ),
        ]
        s.add_all([*self.ministry.values(), committee, *self.banks])
        self.counts.add("organizations", 3 + len(self.banks))

    def _inn(self) -> str:
        body = f"{self.rng.randint(10, 79):02d}{self.rng.randint(0, 9_999_999):07d}"
        return body + str(inn_check_digit(body, (2, 4, 10, 3, 5, 9, 4, 6, 8)))

    def _unp(self) -> str:
        return unp_with_check_digit(
            f"{self.rng.randint(1, 7)}{self.rng.randint(0, 99_999_999):08d}"
        )

    # --- enterprises and capabilities --------------------------------------------------

    def _enterprises(self) -> None:
        for country, count in (("BY", 82), ("RU", 78)):
            for index in range(count):
                industry = INDUSTRIES[index % len(INDUSTRIES)].code
                self._enterprise(country, industry)

    def _enterprise(self, country: str, industry: str) -> None:
        rng = self.rng
        org = Organization(
            kind=OrganizationKind.ENTERPRISE,
            country_code=country,
            name=self._name(country, industry),
            tax_id=self._unp() if country == "BY" else self._inn(),
            region=rng.choice(BY_REGIONS if country == "BY" else RU_REGIONS),
            industry=self.industries[industry],
        )
        self.session.add(org)
        self.enterprises[country].append(org)
        self.counts.add("enterprises")
        own = [p for p in PRODUCTS if p.industry == industry and self._country_makes(country, p)]
        related = [
            p
            for p in PRODUCTS
            if p.industry in RELATED[industry] and self._country_makes(country, p)
        ]
        wanted = rng.randint(3, 5)
        chosen = rng.sample(own, k=min(len(own), wanted))
        chosen += rng.sample(related, k=min(len(related), wanted - len(chosen)))
        for product in chosen:
            for model in product.variants:
                if rng.random() < 0.9:
                    self._capability(org, Variant(product, model), country)

    def _country_makes(self, country: str, product: ProductDef) -> bool:
        """Whether a country has any producer of a product (stable per product, seeded)."""
        roll = random.Random(f"{SEED}:{country}:{product.tnved}:{product.name_ru}").random()
        return roll < MAKES[country][product.industry]

    def _name(self, country: str, industry: str) -> str:
        forms = ("ОАО", "ЗАО", "ООО", "УП") if country == "BY" else ("АО", "ООО", "ПАО")
        roots = BY_ROOTS if country == "BY" else RU_ROOTS
        while True:
            suffix = self.rng.choice(SUFFIXES[industry])
            root = self.rng.choice(roots)
            joined = f"{root}{suffix}" if suffix[0].islower() else f"{root}-{suffix}"
            name = f"{self.rng.choice(forms)} «{joined}»"
            if name not in self.used_names:
                self.used_names.add(name)
                return name

    def _capability(self, org: Organization, variant: Variant, country: str) -> None:
        rng = self.rng
        product = variant.product
        name, name_en = self._capability_names(variant)
        unit = product.unit
        demand = self._typical_demand(product)
        capacity = Decimal(max(1, int(demand * Decimal(rng.uniform(0.15, 1.6)))))
        if unit == "796" and capacity >= 5000 and rng.random() < 0.08:
            unit, capacity = "798", (capacity / 1000).quantize(Decimal("0.001"))
        price = self._price(product, country)
        if unit == "798" and product.unit == "796":
            price *= 1000
        capability = Capability(
            product_name=name,
            product_name_en=name_en,
            tnved_raw=write_code(product.tnved, rng, allow_short=True),
            unit_okei=unit,
            capacity_per_year=capacity,
            available_capacity=_share(capacity, rng.uniform(0.1, 0.7)),
            price_amount=price,
            price_currency=Currency.BYN if country == "BY" else Currency.RUB,
            localisation_pct=Decimal(rng.randint(45, 98)),
        )
        if capability.tnved_raw:
            capability.tnved_code = "".join(ch for ch in capability.tnved_raw if ch.isdigit())
        org.capabilities.append(capability)
        self.makers.setdefault((country, f"{product.tnved}|{variant.model}"), []).append(capability)
        self.counts.add("capabilities")

    def _capability_names(self, variant: Variant) -> tuple[str, str | None]:
        rng = self.rng
        product = variant.product
        model = mangle_model(variant.model, rng)
        roll = rng.random()
        if roll < 0.1:
            return product.name_en.format(v=model), product.name_en.format(v=variant.model)
        if roll < 0.5:
            name = product.alt_ru.format(v=model)
        else:
            name = abbreviate(product.name_ru.format(v=model), rng)
        if rng.random() < 0.15:
            name = name.lower()
        if rng.random() < 0.04:
            name = lookalike(name, rng)
        return name.replace("ё", "е") if rng.random() < 0.5 else name, None

    def _typical_demand(self, product: ProductDef) -> Decimal:
        """Units a year that make a yearly demand of 30 M to 1.5 bn RUB (at least one unit)."""
        value = Decimal(self.rng.choice((30, 60, 120, 250, 500, 900, 1500))) * 1_000_000
        return max(Decimal(1), (value / product.price_rub).to_integral_value())

    def _price(self, product: ProductDef, country: str) -> Decimal:
        factor = Decimal(str(round(self.rng.uniform(0.85, 1.2), 2)))
        price = Decimal(product.price_rub) * factor
        if country == "BY":
            price *= BYN_PER_RUB
        return price.quantize(Decimal("0.01"))

    # --- programs ----------------------------------------------------------------------

    def _programs(self) -> None:
        for country, programs, target in (("RU", RU_PROGRAMS, 42), ("BY", BY_PROGRAMS, 32)):
            for number, (industry, title) in enumerate(programs, start=1):
                self._program(country, number, industry, title, target)

    def _program(self, country: str, number: int, industry: str, title: str, target: int) -> None:
        rng = self.rng
        start = rng.choice((2022, 2023))
        program = Program(
            country_code=country,
            industry=self.industries[industry],
            code=program_code(country, industry, number),
            title=title,
            period_start=start,
            period_end=start + rng.choice((4, 5, 7)),
            version=1,
            status=rng.choice(
                (ProgramStatus.IN_FORCE, ProgramStatus.IN_FORCE, ProgramStatus.APPROVED)
            ),
            owner=self.ministry[country],
        )
        self.session.add(program)
        self.counts.add("programs")
        for position, variant in enumerate(self._program_variants(industry, target), start=1):
            self._item(program, position, variant, country)

    def _program_variants(self, industry: str, target: int) -> list[Variant]:
        rng = self.rng
        own = self.by_industry[industry]
        chosen = rng.sample(own, k=min(len(own), int(target * rng.uniform(0.5, 0.75))))
        related = [v for code in RELATED[industry] for v in self.by_industry[code]]
        rest = [v for v in related if v not in chosen]
        picked = rng.sample(rest, k=min(len(rest), target - len(chosen) + rng.randint(-4, 4)))
        return chosen + self._fitting(industry, picked, chosen)

    def _fitting(
        self, industry: str, picked: list[Variant], chosen: list[Variant]
    ) -> list[Variant]:
        """A program demands goods its industry uses: a related product the program's industry
        does not use (microprocessors for machine tools, caustic soda as an electronic
        component) is replaced by an unused product of its own industry, or of one it does use
        (no draw of the generator, so the rest of the demo stays as it was)."""
        unfit = UNFIT.get(industry, ())
        if not unfit:
            return picked
        spare = [
            v
            for code in (industry, *(c for c in RELATED[industry] if c not in unfit))
            for v in self.by_industry[code]
            if v not in chosen and v not in picked
        ]
        fitting = []
        for variant in picked:
            if variant.product.industry in unfit and spare:
                fitting.append(spare.pop(0))
            elif variant.product.industry not in unfit:
                fitting.append(variant)
        return fitting

    def _item(self, program: Program, position: int, variant: Variant, country: str) -> None:
        rng = self.rng
        product = variant.product
        raw = write_code(product.tnved, rng, allow_short=False) or product.tnved
        if rng.random() < 0.04:
            raw = f"из {product.tnved[:4]}"
        item = ProgramItem(
            position=position,
            name_ru=variant.name_ru(),
            name_en=product.name_en.format(v=variant.model) if rng.random() < 0.35 else None,
            tnved_raw=raw,
            tnved_code=raw.removeprefix("из ").replace(" ", "").replace(".", ""),
            tnved_ex=raw.startswith("из"),
            unit_okei=product.unit,
            target_year=rng.randint(program.period_start + 1, program.period_end),
            import_share_pct=Decimal(rng.randint(35, 98)),
        )
        base = self._typical_demand(product)
        price = self._price(product, country)
        currency = Currency.BYN if country == "BY" else Currency.RUB
        for year in range(program.period_start + 1, min(program.period_end, 2027) + 1):
            grow = Decimal(str(round(1 + 0.08 * (year - program.period_start), 2)))
            quantity = max(Decimal(1), (base * grow).to_integral_value())
            item.demands.append(
                ProgramItemDemand(
                    year=year,
                    quantity=quantity,
                    value_amount=(quantity * price).quantize(Decimal("0.01")),
                    value_currency=currency,
                )
            )
        program.items.append(item)
        self.items.append((item, variant, country))
        self.counts.add("program items")

    def _truth(self) -> None:
        for item, variant, country in self.items:
            partner = "RU" if country == "BY" else "BY"
            for capability in self.makers.get((partner, f"{variant.key[0]}|{variant.model}"), []):
                self.session.add(DemoMatchTruth(item_id=item.id, capability_id=capability.id))
                self.counts.add("ground-truth links")

    # --- passports ---------------------------------------------------------------------

    def _passports(self) -> None:
        plan = (
            [PassportStatus.RECONCILED] * 6
            + [PassportStatus.IN_DRAWDOWN] * 4
            + [PassportStatus.IN_SELECTION] * 2
            + [
                PassportStatus.DRAFT,
                PassportStatus.SUBMITTED,
                PassportStatus.UNDER_RECONCILIATION,
                PassportStatus.APPROVED_BY_RU,
            ]
        )
        industries = ("microelectronics", "machine-tools", "medical", "pharma")
        others = ("agri-machinery", "automotive", "electrical", "machinery-parts")
        for number, status in enumerate(plan, start=1):
            industry = industries[number % 4] if number <= 10 else others[number % 4]
            self._passport(number, status, industry)

    def _passport(self, number: int, status: PassportStatus, industry: str) -> None:
        rng = self.rng
        by = [e for e in self.enterprises["BY"] if e.industry is self.industries[industry]]
        ru = [e for e in self.enterprises["RU"] if e.industry is self.industries[industry]]
        initiator = rng.choice(by)
        product = rng.choice(self.by_industry[industry]).product
        start = rng.choice((2023, 2023, 2024))
        passport = Passport(
            number=f"СГ-{start}-{number:03d}",
            title=f"Создание производства: {_generic(product.name_ru)} ({initiator.name})",
            title_en=f"Production of {_generic(product.name_en).lower()}",
            industry=self.industries[industry],
            initiator=initiator,
            period_start=start,
            period_end=start + rng.choice((3, 4, 5)),
            status=status,
            # the budgets scaled (not redrawn) so that the reconciled passports' state-loan rows
            # fill most of the 105 bn RUB facility, as the published allocations do
            budget_amount=Decimal(rng.randint(8, 75)) * Decimal("250000000"),
            budget_currency=Currency.RUB,
            summary="Совместный проект импортозамещения (демонстрационные данные).",
        )
        partner = rng.choice(ru)
        passport.participants = [
            PassportParticipant(organization=initiator, role=ParticipantRole.INITIATOR),
            PassportParticipant(organization=partner, role=ParticipantRole.PARTICIPANT),
            PassportParticipant(organization=self.ministry["BY"], role=ParticipantRole.CURATOR),
        ]
        if status not in (PassportStatus.DRAFT, PassportStatus.SUBMITTED):
            passport.participants.append(
                PassportParticipant(organization=rng.choice(self.banks), role=ParticipantRole.BANK)
            )
        row = self._passport_product(number, product, initiator, partner, start)
        passport.content = self._passport_content(number, passport, product, row)
        sync_products(passport)
        self.session.add(passport)
        self.passports.append(passport)
        self.counts.add("passports")

    def _passport_content(
        self, number: int, passport: Passport, product: ProductDef, row: dict[str, object]
    ) -> dict[str, object]:
        """The passport's document by the template: goal, indicators, the product, control
        points, financing by source and year (approved once reconciled), equipment, risks and
        the import-substitution effect. A private random stream, like the product's."""
        rng = random.Random(f"{SEED}:passport-content:{number}")
        start, end = passport.period_start, passport.period_end
        at_capacity = int(str(row["start_year"]))
        capacity = Decimal(str(row["capacity"]))
        unit = unit_by_code(product.unit).short_ru
        budget = passport.budget_amount or Decimal(0)
        approved = passport.status not in IN_PREPARATION
        shares = (("state_loan", Decimal("0.6")), ("bank_credit", Decimal("0.25")))
        financing = [
            {
                "source": source,
                "year": year,
                "amount": str((budget * share / 2).quantize(Decimal("1"))),
                "currency": "RUB",
                "state": "approved" if approved else "indicative",
            }
            for source, share in shares
            for year in (start, start + 1)
        ]
        financing.append(
            {
                "source": "own_funds",
                "year": start,
                "amount": str((budget * Decimal("0.15")).quantize(Decimal("1"))),
                "currency": "RUB",
                "state": "approved" if approved else "indicative",
            }
        )
        equipment = rng.sample(DEMO_EQUIPMENT, 3)
        return {
            "general": {
                "goal": (
                    f"Создать производство: {_generic(product.name_ru)}, {capacity} {unit} в год, "
                    "для замещения импорта в обеих странах"
                ),
                "programs": f"Отраслевые планы импортозамещения: {passport.industry.name_ru}",
                "location": passport.initiator.region or "Республика Беларусь",
            },
            "indicators": [
                {
                    "name": f"Выпуск: {_generic(product.name_ru)}",
                    "unit": unit,
                    "base_value": "0",
                    "base_date": f"{start}-01-01",
                    "targets": {
                        str(at_capacity - 1): str((capacity / 2).to_integral_value()),
                        str(at_capacity): str(capacity),
                    },
                    "method": "по статистической отчётности предприятия (форма 1-П)",
                },
                {
                    "name": "Доля импорта в потреблении продукции",
                    "unit": "%",
                    "base_value": str(rng.randint(70, 95)),
                    "base_date": f"{start}-01-01",
                    "targets": {str(end): str(rng.randint(20, 45))},
                    "method": "импорт / (выпуск + импорт − экспорт), таможенная статистика",
                },
            ],
            "products": [row],
            "milestones": [
                {"title": "Кредитный договор с банком подписан", "due": f"{start}-09-30"},
                {"title": "Оборудование поставлено и смонтировано", "due": f"{start + 1}-12-31"},
                {
                    "title": "Выход на проектную мощность",
                    "due": f"{at_capacity}-12-31",
                    "result": f"{capacity} {unit} в год",
                },
            ],
            "financing": financing,
            "equipment": [
                {"name": name, "quantity": rng.randint(10, 45), "tender": rng.choice(TENDER_STATES)}
                for name in equipment
            ],
            "risks": [
                {
                    "risk": "Задержка поставок оборудования из третьих стран",
                    "measure": "Резервные поставщики из стран ЕАЭС, график поставок с запасом",
                },
                {
                    "risk": "Рост стоимости комплектующих",
                    "measure": "Долгосрочные договоры, локализация комплектующих",
                },
            ],
            # over the equipment's ten years of service from full capacity (half the year
            # before), not only the passport's period: what the project's economics judge
            "effect": [
                {
                    "year": year,
                    "imports_replaced": str(
                        (capacity * product.price_rub / (2 if year < at_capacity else 1)).quantize(
                            Decimal(1)
                        )
                    ),
                    "currency": "RUB",
                }
                for year in range(at_capacity - 1, at_capacity + 10)
            ],
        }

    def _passport_product(
        self,
        number: int,
        product: ProductDef,
        initiator: Organization,
        partner: Organization,
        start: int,
    ) -> dict[str, object]:
        """The project's product as a row of the passport's products: made by the Belarusian
        initiator (every third project by the Russian participant), at full capacity two or
        three years after the start, enough for 0.5 to 4 bn RUB a year. A private random
        stream, so the rest of the demo is the same with or without products."""
        rng = random.Random(f"{SEED}:passport:{number}")
        maker, consumer = (partner, initiator) if number % 3 == 0 else (initiator, partner)
        value = Decimal(rng.choice((500, 1000, 2000, 4000))) * 1_000_000
        return {
            "name": _generic(product.name_ru),
            "tnved": product.tnved,
            "unit": product.unit,
            "country": maker.country_code,
            "capacity": str(max(Decimal(1), (value / product.price_rub).to_integral_value())),
            "start_year": start + rng.choice((2, 3)),
            "consumers": f"предприятия {consumer.country_code}, в том числе {consumer.name}",
        }

    def _passport_versions(self) -> None:
        """Version 1 of every demo passport, as it was reconciled or drafted."""
        for passport in self.passports:
            snap = snapshot(passport)
            self.session.add(
                PassportVersion(
                    passport_id=passport.id,
                    number=1,
                    snapshot=snap,
                    content_hash=content_hash(snap),
                    created_by="demo",
                    note="demo",
                )
            )

    # --- trade -------------------------------------------------------------------------

    def _trade(self) -> None:
        codes = sorted({p.tnved[:6] for p in PRODUCTS})
        critical = CodeList(
            code="DEMO-CRIT",
            owner="UNION",
            name="Критическая импортозамещающая продукция (демо)",
            entries=[CodeListEntry(written=code, first=code, last=code) for code in codes],
        )
        self.session.add(critical)
        self.counts.add("critical codes", len(codes))
        self._rates()
        weights = [self.rng.paretovariate(1.3) for _ in codes]
        share = [Decimal(str(w / sum(weights))) for w in weights]
        small = sorted(share)[len(share) // 3]
        for year, growth in TRADE_GROWTH.items():
            for code, part in zip(codes, share, strict=True):
                self._flows(year, code, TRADE_TOTAL_BY_2022 * growth * part, part < small)

    def _rates(self) -> None:
        for year, rates in DEMO_RATES.items():
            for currency, rate in rates.items():
                self.session.add(
                    ExchangeRate(
                        year=year,
                        currency=Currency(currency),
                        quote=Currency.BYN,
                        rate=Decimal(rate),
                        kind="среднегодовой",
                        source="демо: приближённые среднегодовые курсы",
                    )
                )

    def _flows(self, year: int, code: str, by_total: Decimal, minor: bool) -> None:
        """Both sides' records of both directions of one code in one year."""
        rng = self.rng
        usd = Decimal(DEMO_RATES[year]["USD"])
        by_export = (by_total * Decimal(str(round(rng.uniform(0.45, 0.75), 3)))).quantize(
            Decimal("0.01")
        )
        by_import = (by_total - by_export).quantize(Decimal("0.01"))
        records = (
            ("BY", "RU", FlowDirection.EXPORT, by_export, Currency.BYN),
            ("BY", "RU", FlowDirection.IMPORT, by_import, Currency.BYN),
        )
        for reporter, partner, flow, value, currency in records:
            if minor and rng.random() < 0.15:
                continue  # a minor flow the Belarusian side did not record
            self._flow(reporter, partner, year, flow, code, value, currency, "демо: Белстат")
        # Russia's records: larger (re-exports, timing, valuation); kept in USD
        for flow, by_value in (
            (FlowDirection.IMPORT, by_export),
            (FlowDirection.EXPORT, by_import),
        ):
            if rng.random() < 0.04:
                continue
            factor = Decimal(str(round(rng.uniform(1.15, 1.9), 3)))
            value = (by_value * factor / usd).quantize(Decimal("0.01"))
            self._flow("RU", "BY", year, flow, code, value, Currency.USD, "демо: ФТС России")

    def _flow(
        self,
        reporter: str,
        partner: str,
        year: int,
        flow: FlowDirection,
        code: str,
        value: Decimal,
        currency: Currency,
        source: str,
    ) -> None:
        self.session.add(
            TradeFlow(
                reporter_code=reporter,
                partner_code=partner,
                year=year,
                flow=flow,
                tnved_code=code,
                value_amount=value,
                value_currency=currency,
                source=source,
            )
        )
        self.counts.add("trade records")
