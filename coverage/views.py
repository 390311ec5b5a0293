"""The home page: each practice, whether it is open now, and its coverage plan."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, current_app, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from coverage.auth import UserRefused, admin_required, make_user, signed_in_user
from coverage.errors import page_language, refuse
from coverage.flask import snapshots, store
from coverage.plan import coverage_plan
from coverage.schedule import resolve_coverage
from coverage.security import check_csrf
from coverage.store import StoreUnavailable, alerts, users
from coverage.store.outbox import recent
from coverage.wording.dates import format_entry_dates, format_moment
from coverage.wording.labels import label
from coverage.wording.numbers import format_phone

blueprint = Blueprint("coverage", __name__, template_folder="templates")

PLAN_DAYS = 42


@blueprint.get("/health")
def health() -> tuple[dict[str, object], int]:
    """For load balancers and container health checks: whether this process can answer calls,
    with counts only (no patient data, no sign-in). 200 when it knows its practices (from the
    database, or its copy on disk while the database is down), 503 before the worker's first read."""
    found = snapshots()
    directory = found.directory(peek=True)
    spool = current_app.extensions["releve.contact_log"].health
    body: dict[str, object] = {
        "practices": len(directory.practices),
        "generation": directory.generation,
        "database": "unavailable" if (spool.database_error or directory.is_from_disk) else "ok",
        "events_waiting": spool.pending,
    }
    return body, 200 if directory.practices else 503


@blueprint.get("/")
@admin_required
def home() -> str:
    """Every practice: open or closed now (or at ?at=), who covers, and the weeks ahead."""
    found = snapshots()
    now = current_app.config["RELEVE_CLOCK"]()
    at_text = request.args.get("at", "").strip()
    if at_text:
        try:
            now = datetime.fromisoformat(at_text)
        except ValueError:
            refuse(400, "bad_at", at=at_text)
    practices = []
    for state in found.views():
        practice = state.practice
        instant = now.replace(tzinfo=practice.timezone) if now.tzinfo is None else now.astimezone(practice.timezone)
        practices.append({
            "state": state,
            "at": instant,
            "answer": resolve_coverage(state.schedule, instant),
            "plan": coverage_plan(state.schedule, instant, instant + timedelta(days=PLAN_DAYS)),
        })
    try:
        with store().begin() as connection:
            outbox, database_error = recent(connection, 20), None
            open_alerts = alerts.open_alerts(connection)
    except StoreUnavailable as exc:
        outbox, database_error, open_alerts = [], str(exc), []
    return render_template(
        "home.html",
        outbox=outbox,
        alerts=open_alerts,
        database_error=database_error,
        spool=current_app.extensions["releve.contact_log"].health,
        practices=practices,
        directory=found.directory(),
        calendars_read_at=found.calendars_read_at(),
        plan_days=PLAN_DAYS,
        label=label,
        format_moment=format_moment,
        format_entry_dates=format_entry_dates,
        format_phone=format_phone,
    )


@blueprint.get("/admin/users")
@admin_required
def users_page(problem: str | None = None) -> tuple[str, int]:
    """Every practice's users: the administrator adds and removes them."""
    with store().begin() as connection:
        found = users.of_practice(connection)
    return render_template("users.html", users=found, practices=snapshots().directory().practices,
                           problem=problem), 400 if problem else 200


@blueprint.post("/admin/users")
@admin_required
def add_user() -> tuple[str, int] | Response:
    check_csrf()
    password = request.form.get("password", "") or None
    try:
        make_user(request.form.get("email", "").strip(), request.form.get("practice", ""),
                  request.form.get("name", "").strip(), password, signed_in_user() or "administrator")
    except UserRefused as exc:
        return users_page(problem=exc.said(page_language()))
    return redirect(url_for("coverage.users_page"), code=303)


@blueprint.post("/admin/users/<int:user_id>/remove")
@admin_required
def remove_user(user_id: int) -> Response:
    check_csrf()
    with store().begin() as connection:
        users.disable(connection, user_id, current_app.config["RELEVE_CLOCK"]())
    return redirect(url_for("coverage.users_page"), code=303)
