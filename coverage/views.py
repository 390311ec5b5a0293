"""The home page: each practice, whether it is open now, and its coverage plan."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import Blueprint, abort, current_app, render_template, request

from coverage.flask import get_registry
from coverage.plan import coverage_plan
from coverage.wording import format_entry_dates, format_moment, format_phone, label
from routing.outbound import recent

blueprint = Blueprint("coverage", __name__, template_folder="templates")

PLAN_DAYS = 42


@blueprint.get("/")
def home() -> str:
    """Every practice: open or closed now (or at ?at=), who covers, and the weeks ahead."""
    registry = get_registry()
    now = current_app.config["RELEVE_CLOCK"]()
    at_text = request.args.get("at", "").strip()
    if at_text:
        try:
            now = datetime.fromisoformat(at_text)
        except ValueError:
            abort(400, description=f'"{at_text}" is not a date-time: write ?at=2026-12-28T10:00')
    practices = []
    for state in registry.states():
        practice = state.practice
        instant = now.replace(tzinfo=practice.timezone) if now.tzinfo is None else now.astimezone(practice.timezone)
        practices.append({
            "state": state,
            "at": instant,
            "answer": registry.answer(practice.id, instant),
            "plan": coverage_plan(state.schedule, instant, instant + timedelta(days=PLAN_DAYS)),
        })
    with current_app.extensions["releve.db"].begin() as connection:
        outbox = recent(connection, 20)
    return render_template(
        "home.html",
        outbox=outbox,
        practices=practices,
        settings=registry.settings,
        config_problems=registry.config_problems,
        plan_days=PLAN_DAYS,
        label=label,
        format_moment=format_moment,
        format_entry_dates=format_entry_dates,
        format_phone=format_phone,
    )
