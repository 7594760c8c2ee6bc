"""The ASGI application: JSON API and web pages over one library core."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from fastapi import Depends, FastAPI
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from starlette.exceptions import HTTPException as StarletteHTTPException
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from unionsync import __version__
from unionsync.access import admin as access_admin
from unionsync.access import api as access_api
from unionsync.access import views as access_views
from unionsync.access.audit import use_audit_keys
from unionsync.access.deps import signed_in
from unionsync.access.service import SignInLimiter
from unionsync.analytics import views as analytics_views
from unionsync.api.problems import document_problems
from unionsync.catalog import api as catalog_api
from unionsync.catalog import views as catalog_views
from unionsync.config import Settings, get_settings
from unionsync.core.errors import UnionSyncError
from unionsync.core.shared import ON_CHANGE
from unionsync.coverage import api as coverage_api
from unionsync.coverage import views as coverage_views
from unionsync.dashboard import api as dashboard_api
from unionsync.dashboard import views as dashboard_views
from unionsync.db.session import make_engine, make_session_factory
from unionsync.finance import api as finance_api
from unionsync.finance import views as finance_views
from unionsync.jobs import Jobs
from unionsync.matching import api as matching_api
from unionsync.matching import views as matching_views
from unionsync.nomenclature import api as nomenclature_api
from unionsync.nomenclature import lists_api
from unionsync.nomenclature import views as nomenclature_views
from unionsync.passports import api as passports_api
from unionsync.passports import views as passports_views
from unionsync.roadmap import api as roadmap_api
from unionsync.roadmap import views as roadmap_views
from unionsync.selection import api as selection_api
from unionsync.selection import views as selection_views
from unionsync.trade import api as trade_api
from unionsync.trade import views as trade_views
from unionsync.web import views as web_views
from unionsync.web.csrf import verify_csrf
from unionsync.web.headers import SecurityHeaders
from unionsync.web.pages import RequestLanguage
from unionsync.web.templating import PACKAGE_DIR, make_environment

API_DESCRIPTION = """UnionSync JSON API: programs, items, enterprises' capabilities, passports and
mutual trade of Belarus and Russia. Errors are RFC 9457 problem details."""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Background jobs start with the server (queued and interrupted ones resume) and stop
    with it; the shared results are brought up to date at once, so that the first visitor
    after a restart or an upgrade does not find them missing."""
    jobs: Jobs = app.state.jobs
    if app.state.shared.max_stale > 0:
        jobs.enqueue_refresh()
    if app.state.settings.jobs_in_process:
        jobs.recover()
        jobs.start()
    yield
    jobs.stop()


def create_app(
    settings: Settings | None = None, session_factory: sessionmaker[Session] | None = None
) -> FastAPI:
    """An application bound to `settings` (or the environment) and its database."""
    settings = settings or get_settings()
    use_audit_keys(settings.data_dir)
    if session_factory is None:
        session_factory = make_session_factory(make_engine(settings.resolved_database_url()))
    app = FastAPI(
        title="UnionSync",
        version=__version__,
        description=API_DESCRIPTION,
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.secret_key = settings.resolved_secret_key()  # generated and kept on first run
    app.state.session_factory = session_factory
    app.state.jobs = Jobs(settings, session_factory)
    # the overview's and synchronisation's results, shared by workers; refreshed by a job
    # queued after every commit that changes what they are computed from
    app.state.shared = app.state.jobs.shared
    ON_CHANGE[str(app.state.jobs.shared.engine.url)] = app.state.jobs.enqueue_refresh
    # what the job computes, pages never compute: they answer "being computed" meanwhile
    app.state.shared.on_missing = app.state.jobs.enqueue_refresh
    app.state.templates = make_environment()
    app.state.sign_in_limiter = SignInLimiter(
        per_pair=settings.sign_in_failures_per_account_and_address,
        per_address=settings.sign_in_failures_per_address,
        per_account=settings.sign_in_failures_per_account,
        window=timedelta(minutes=settings.sign_in_window_minutes),
    )
    app.add_exception_handler(UnionSyncError, web_views.domain_error_page)
    app.add_exception_handler(StarletteHTTPException, web_views.http_error_page)
    app.add_exception_handler(RequestValidationError, web_views.validation_error_page)
    app.add_exception_handler(IntegrityError, web_views.integrity_error_page)
    app.add_exception_handler(PoolTimeoutError, web_views.busy_page)
    app.add_exception_handler(OperationalError, web_views.operational_error_page)
    app.add_middleware(RequestLanguage)
    app.add_middleware(SecurityHeaders, error_page=web_views.last_resort_page)
    if settings.trusted_proxies:  # outermost: the client address is settled before anything
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxies)
    signed = [Depends(signed_in)]
    pages = [Depends(signed_in), Depends(verify_csrf)]
    for router in (
        catalog_api.router,
        passports_api.router,
        trade_api.router,
        dashboard_api.router,
        access_api.router,
        nomenclature_api.router,
        lists_api.router,
        matching_api.router,
        coverage_api.router,
        selection_api.router,
        finance_api.router,
        roadmap_api.router,
    ):
        app.include_router(router, dependencies=signed)
    for router in (
        catalog_views.router,
        passports_views.router,
        trade_views.router,
        nomenclature_views.router,
        lists_api.pages,
        matching_views.router,
        selection_views.router,
        finance_views.router,
        roadmap_views.router,
        coverage_views.router,
        analytics_views.router,
        access_admin.router,
    ):
        app.include_router(router, dependencies=pages)
    app.include_router(
        catalog_views.upload_router,
        dependencies=[Depends(signed_in), Depends(catalog_views.may_import), Depends(verify_csrf)],
    )
    # open to everyone: sign-in, language, assets, health, API docs; the overview decides itself
    for router in (
        access_views.router,
        access_views.audit_router,
        web_views.router,
        dashboard_views.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=PACKAGE_DIR / "web" / "static"), name="static")
    app.openapi = lambda: _openapi(app)  # type: ignore[method-assign]
    return app


def _openapi(app: FastAPI) -> dict[str, Any]:
    """The OpenAPI document, built once, with the problem+json error answers documented."""
    if app.openapi_schema is None:
        app.openapi_schema = document_problems(
            get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
        )
    return app.openapi_schema
