"""Imports every mapped class, so the metadata is complete for Alembic and create_all."""

from unionsync.catalog.models import (
    Capability,
    Organization,
    Program,
    ProgramItem,
    ProgramItemDemand,
)
from unionsync.core.meta import DemoMatchTruth, MetaEntry
from unionsync.db.base import Base
from unionsync.passports.models import Passport, PassportParticipant
from unionsync.reference.models import Country, Industry
from unionsync.trade.models import CriticalProduct, ExchangeRate, TradeFlow

__all__ = [
    "Base",
    "Capability",
    "Country",
    "CriticalProduct",
    "DemoMatchTruth",
    "ExchangeRate",
    "Industry",
    "MetaEntry",
    "Organization",
    "Passport",
    "PassportParticipant",
    "Program",
    "ProgramItem",
    "ProgramItemDemand",
    "TradeFlow",
]
