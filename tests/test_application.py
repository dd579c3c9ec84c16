"""The application class: Flask, remembering which of its views and hooks are plain functions."""

import asyncio

import pytest

from app import Application


def test_a_plain_function_is_given_back_as_it_is_and_remembered(app):
    def hook():
        return "plain"

    assert app.ensure_sync(hook) is hook and app.ensure_sync(hook) is hook
    assert hook in app._plain_functions
    assert app.ensure_sync(app.preprocess_request) == app.preprocess_request  # a bound method too


def test_an_async_function_goes_on_to_flask_and_is_never_remembered(app):
    async def view():
        await asyncio.sleep(0)

    # Flask wraps it to run it (and, without its "async" extra, which this project does not
    # use, says so): it is never given back as a plain function.
    with pytest.raises(RuntimeError, match="async"):
        app.ensure_sync(view)
    assert view not in app._plain_functions


def test_what_cannot_be_remembered_is_asked_each_time_and_the_memory_is_bounded(app, monkeypatch):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "called"

    thing = Unhashable()
    assert app.ensure_sync(thing) is thing
    monkeypatch.setattr(Application, "PLAIN_FUNCTIONS_KEPT", 5)
    for _ in range(20):
        app.ensure_sync(lambda: None)
    assert len(app._plain_functions) <= 5


def test_every_page_still_answers_through_the_remembered_hooks(client):
    for url in ("/", "/sessions", "/healthz", "/login"):
        assert client.get(url).status_code == 200
