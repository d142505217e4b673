"""The job queue without a broker: tasks inline, the hand-off that never fails a request, the jobs.

The real broker and worker are in tests/reliability/test_queue_reliability.py.
"""

from __future__ import annotations

import json
import logging
from io import StringIO

import pytest
from celery.schedules import crontab
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from kombu.exceptions import OperationalError

from ginnel import jobs
from ginnel.celery import app, beat_schedule
from ginnel.notifications import dispatch, queue, services, tasks
from ginnel.notifications.models import Delivery, DeliveryStatus, Notification
from ginnel.testing.queued_kind import QUEUED


@pytest.fixture
def sent_ids(monkeypatch):
    """The delivery ids the dispatcher was asked to send, in order of asking."""
    asked: list[list[int]] = []
    monkeypatch.setattr(dispatch, "send_deliveries", lambda ids: asked.append(list(ids)))
    return asked


@pytest.fixture
def through_the_queue():
    """notify() hands deliveries to the job queue's sender, as with a broker configured."""
    queue.use_sender(tasks.queue_sender)
    yield
    queue.use_sender(queue._inline)


def test_without_a_broker_tasks_run_inline_and_the_sender_is_not_replaced(settings):
    assert settings.CELERY_BROKER_URL == ""
    assert app.conf.task_always_eager is True
    assert tasks.install_sender() is False
    assert queue._sender[0] is queue._inline


def test_a_late_acknowledged_queue_that_takes_one_task_at_a_time():
    # What makes a killed worker lose nothing: the task stays on the broker until done.
    assert app.conf.task_acks_late is True
    assert app.conf.task_reject_on_worker_lost is True
    assert app.conf.worker_prefetch_multiplier == 1
    assert app.conf.broker_transport_options["visibility_timeout"] == 3600


@pytest.mark.django_db
def test_the_task_sends_the_deliveries_it_is_given(sent_ids):
    tasks.send_deliveries_task.delay([3, 5])
    assert sent_ids == [[3, 5]]


@pytest.mark.django_db(transaction=True)
def test_notify_hands_its_deliveries_to_the_queue_after_commit(
    community, member, coordinator, sent_ids, through_the_queue
):
    with transaction.atomic():
        services.notify(community=community, kind=QUEUED.code, recipients=[member, coordinator])
        assert sent_ids == []  # nothing leaves before the change is committed
    ids = set(Delivery.objects.values_list("pk", flat=True))
    assert len(ids) == 2
    assert [set(batch) for batch in sent_ids] == [ids]


@pytest.mark.django_db(transaction=True)
def test_a_broker_that_is_down_never_fails_the_request_and_the_rows_wait(
    community, member, monkeypatch, caplog, sent_ids, through_the_queue
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.send_deliveries_task, "delay", broker_down)
    with (
        caplog.at_level(logging.WARNING, logger="ginnel.notifications.tasks"),
        transaction.atomic(),
    ):
        services.notify(community=community, kind=QUEUED.code, recipients=[member])
    assert Notification.objects.filter(recipient=member).count() == 1
    assert list(Delivery.objects.values_list("status", flat=True)) == [DeliveryStatus.PENDING]
    assert "the sweep will send them" in caplog.text
    assert sent_ids == []


@pytest.mark.django_db
def test_the_sweep_task_runs_the_dispatchers_sweep(monkeypatch):
    monkeypatch.setattr(dispatch, "send_due", lambda limit=500: 4)
    assert tasks.send_due_task.delay().get() == 4


def test_every_job_is_on_the_beat_schedule_and_the_sweep_follows_its_setting(settings):
    settings.GINNEL_SWEEP_SECONDS = 7
    entries = beat_schedule()
    assert set(entries) == {job.name for job in jobs.all_jobs()}
    sweep = entries[jobs.SEND_DUE]
    assert sweep["task"] == "ginnel.notifications.tasks.send_due_task"
    assert sweep["schedule"].run_every.total_seconds() == 7
    # A sweep that waited past the next one is dropped rather than piling up.
    assert sweep["options"] == {"expires": 7.0}
    reminders = entries["timebank.remind_listings"]
    assert reminders["task"] == "ginnel.notifications.tasks.run_job_task"
    assert reminders["args"] == ("timebank.remind_listings",)
    assert reminders["schedule"] == crontab(minute=0, hour=9)


def test_a_weekly_job_on_mondays_is_a_monday_for_celery():
    weekly = beat_schedule()["notifications.weekly_digests"]["schedule"]
    # Celery counts Sunday as 0: Monday is 1.
    assert weekly.day_of_week == {1}
    assert weekly.hour == {7}


def test_the_reminders_run_the_apps_own_functions():
    from ginnel.directory.services.editing import reviews_remind
    from ginnel.timebank.services import listings_remind_expiring

    assert jobs.resolve(jobs.get("timebank.remind_listings")) is listings_remind_expiring
    assert jobs.resolve(jobs.get("directory.remind_reviews")) is reviews_remind


@pytest.mark.parametrize("name", [job.name for job in jobs.all_jobs()])
def test_every_scheduled_job_finds_its_function(name):
    # A job whose app moved its function would otherwise be skipped, with only a warning.
    assert callable(jobs.resolve(jobs.get(name)))


def test_a_job_named_twice_differently_is_refused():
    job = jobs.get("timebank.remind_listings")
    assert jobs.register(job) is job
    with pytest.raises(ValueError, match="registered twice"):
        jobs.register(jobs.Job(job.name, job.target, jobs.Daily(hour=3), job.help))


def test_a_job_whose_app_is_not_there_is_skipped_with_a_warning(caplog):
    job = jobs.register(
        jobs.Job("tests.missing", "ginnel.no_such_app.jobs:run", jobs.Daily(hour=1), "Nothing.")
    )
    try:
        with caplog.at_level(logging.WARNING, logger="ginnel.jobs"):
            assert tasks.run_job_task.delay(job.name).get() is None
        assert "tests.missing skipped" in caplog.text
        with pytest.raises(CommandError, match="not available"):
            call_command("jobs", "run", job.name)
    finally:
        jobs._jobs.pop(job.name)


@pytest.mark.django_db
def test_jobs_run_runs_one_job_inline(community, member):
    out = StringIO()
    call_command("jobs", "run", "timebank.remind_listings", stdout=out)
    # No listing ends soon in a new community: no reminder is sent.
    assert out.getvalue().strip() == "timebank.remind_listings: done (0)."


def test_jobs_run_names_the_jobs_when_asked_for_one_that_does_not_exist():
    with pytest.raises(CommandError, match=r"no job 'nightly'.*timebank\.remind_listings"):
        call_command("jobs", "run", "nightly")


def test_jobs_list_says_when_each_runs():
    out = StringIO()
    call_command("jobs", "list", stdout=out)
    assert "timebank.remind_listings  (daily at 09:00)" in out.getvalue()
    assert "notifications.weekly_digests  (Mondays at 07:00)" in out.getvalue()


@pytest.mark.parametrize("command", ["worker", "beat"])
def test_worker_and_beat_refuse_to_start_without_a_broker(command):
    with pytest.raises(CommandError, match="GINNEL_BROKER_URL"):
        call_command(command)


@pytest.mark.django_db
def test_network_snapshots_write_each_communitys_measures(
    community, other_community, member, settings, tmp_path
):
    import datetime

    settings.DATA_DIR = tmp_path
    assert jobs.network_snapshots(today=datetime.date(2026, 12, 1)) == 2
    written = json.loads((tmp_path / "metrics" / community.slug / "2026-12-01.json").read_text())
    assert written["community"] == community.slug
    assert written["to"] == "2026-12-01"
    assert written["from"] == "2026-09-02"  # 90 days before
    assert (tmp_path / "metrics" / other_community.slug / "2026-12-01.json").exists()
