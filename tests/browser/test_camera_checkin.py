"""Check-in with the phone's camera, without a network: Chromium's fake camera shows a
participant's QR code (a y4m video made here from the QR image)."""

import io

import pytest
import segno
from PIL import Image

from registrations.attendance import services, signing
from registrations.attendance.queries import session_days
from registrations.extensions import db
from registrations.models import AttendanceStatus
from tests.browser.conftest import CHROMIUM_ARGS, assert_accessible, log_in
from tests.conftest import TEST_PASSWORD

PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "fr-FR"}


def write_y4m(text: str, path, frames: int = 30, size=(640, 480)) -> None:
    """A still YUV4MPEG2 (4:2:0) video of a QR code of `text` on white."""
    buffer = io.BytesIO()
    segno.make_qr(text, error="m").save(buffer, kind="png", scale=10, border=4)
    qr = Image.open(io.BytesIO(buffer.getvalue())).convert("RGB")
    frame = Image.new("RGB", size, "white")
    frame.paste(qr, ((size[0] - qr.width) // 2, (size[1] - qr.height) // 2))
    y, cb, cr = frame.convert("YCbCr").split()
    half = (size[0] // 2, size[1] // 2)
    planes = y.tobytes() + cb.resize(half).tobytes() + cr.resize(half).tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{size[0]} H{size[1]} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + planes)


def _until(page, script: str, seconds: float = 15) -> None:
    """Wait until an async script of the page answers true (polled: wait_for_function does not
    wait for a promise)."""
    for _ in range(int(seconds * 10)):
        if page.evaluate(script):
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"never true: {script}")


@pytest.fixture
def running_today(app, make_session, make_participant, make_registration, organiser_user):
    today = services.local_today()
    session = make_session(days=2, start=today, title_fr="Protection des mineurs")
    people = [make_participant(name_latin="Srey Pich", name_native="ស្រី ពេជ្រ", locale="km"),
              make_participant(name_latin="Keo Sophea")]
    registrations = [make_registration(session, person, personal_code=code)
                     for person, code in zip(people, ["P4W9TZ", "H6J2WD"], strict=True)]
    return {"session": session, "today": session_days(session.id)[0], "registrations": registrations}


def test_an_organiser_checks_someone_in_by_camera_without_a_network(live_server, playwright_instance, chromium_path,
                                                                   running_today, tmp_path):
    session, day = running_today["session"], running_today["today"]
    person = running_today["registrations"][0]
    video = tmp_path / "qr.y4m"
    write_y4m(signing.sign(session.id, "P4W9TZ"), video)
    browser = playwright_instance.chromium.launch(
        executable_path=chromium_path, headless=True,
        args=CHROMIUM_ARGS + ["--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream",
                              f"--use-file-for-fake-video-capture={video}"])
    context = browser.new_context(**PHONE)
    context.grant_permissions(["camera"], origin=live_server)
    page = context.new_page()
    try:
        log_in(page, live_server, "organiser@example.test", TEST_PASSWORD)
        url = f"{live_server}/manage/sessions/{session.id}/checkin"
        page.goto(url)
        page.evaluate("() => navigator.serviceWorker.ready")
        page.goto(url)
        _until(page, "async () => !!(await AttendanceOffline.snapshot())")
        context.set_offline(True)
        page.reload()
        page.get_by_role("button", name="Scanner avec la caméra").click()
        result = page.locator("#checkin-result [data-outcome=done]")
        result.wait_for(timeout=15000)
        assert "Srey Pich" in result.inner_text() and "ស្រី ពេជ្រ" in result.inner_text()
        assert "en attente d’envoi" in result.inner_text()
        page.get_by_role("button", name="Scanner avec la caméra").click()  # stop the camera
        page.screenshot(path=str(tmp_path / "camera-checkin.png"), full_page=True)
        assert_accessible(page)
        # The same code again: already checked in; a forged one and another session's are refused.
        page.get_by_label("Code personnel").fill("P4W9TZ")
        page.get_by_label("Code personnel").press("Enter")
        page.locator("#checkin-result [data-outcome=already]").wait_for()
        forged = signing.sign(session.id, "H6J2WD")[:-3] + "AAA"
        page.get_by_label("Code personnel").fill(forged)
        page.get_by_label("Code personnel").press("Enter")
        page.locator("#checkin-result [data-outcome=error]").get_by_text("n’a pas été délivré").wait_for()
        page.get_by_label("Code personnel").fill(signing.sign(session.id + 1000, "H6J2WD"))
        page.get_by_label("Code personnel").press("Enter")
        page.locator("#checkin-result [data-outcome=error]").get_by_text("une autre session").wait_for()
        db.session.rollback()
        assert services.day_marks(day.id) == {}
        # Back online: the check-in reaches the server.
        context.set_offline(False)
        _until(page, "async () => (await AttendanceOffline.pending()).length === 0")
        db.session.rollback()
        assert services.day_marks(day.id) == {person.id: AttendanceStatus.PRESENT}
    finally:
        context.close()
        browser.close()
