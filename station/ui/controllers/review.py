"""QA review by exception: the queue of completed batches (a QA user's home), one batch's review,
and the verdict's e-signature. The record is read and the verdict signed on the engine thread."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal

from ..forms import FormPage
from ..review_view import ReviewListPage, ReviewPage
from ..style import repolish
from ..viewmodels.review_queue import ReviewQueueVM, ReviewSignVM, review_title
from ..viewmodels.scan import ScanReading
from ..worker import Failed, ReviewQueue
from .base import Controller, FormController, Router, Session

if TYPE_CHECKING:  # the record's model loads with the first review, on the engine thread
    from ..review_calls import Refused
    from ..viewmodels.review import ReviewVM


class ReviewQueueController(Controller):
    view: ReviewListPage
    opened = Signal(object)  # the ReviewVM of the batch opened

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = ReviewQueueVM()
        self.view = ReviewListPage(self.vm)
        self.view.open_batch.connect(self.open_batch)
        self.view.reload.connect(self.load)
        self.view.logout.connect(lambda: self.router.logout())

    def header_text(self) -> str:
        return review_title()

    def open(self) -> None:
        self.vm.message = ""
        self.router.show_screen(self)
        self.load()

    def load(self) -> None:
        self.session.client.load_review_queue(self._loaded)

    def _loaded(self, queue: ReviewQueue | Failed) -> None:
        if isinstance(queue, Failed):
            self.vm.message = queue.error
        else:
            self.vm.timezone = queue.timezone
            self.vm.set_items(list(queue.items))
            self.vm.message = ""
        if self.view.isVisible():
            self.view.refresh()

    def open_batch(self, batch_id: str) -> None:
        if not self.session.client.busy:
            self.session.client.open_review(batch_id, self._review_loaded)

    def _review_loaded(self, review: ReviewVM | Failed) -> None:
        if isinstance(review, Failed):
            self.vm.message = review.error
            self.router.refresh()
        else:
            self.opened.emit(review)

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()

    def clear(self) -> None:
        self.vm.items = []


class ReviewController(Controller):
    """One batch under review: its exceptions, its record, APPROVE and REJECT."""

    view: ReviewPage
    sign_requested = Signal(object, bool)  # the ReviewVM, approve

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm: ReviewVM | None = None
        self.view = ReviewPage()
        self.view.back.connect(self.router.go_home)
        self.view.approve.connect(lambda: self._sign(True))
        self.view.reject.connect(lambda: self._sign(False))

    def header_text(self) -> str:
        return review_title(self.vm.batch_id if self.vm is not None else "")

    def show_review(self, vm: ReviewVM) -> None:
        self.vm = vm
        self.view.bind(vm)
        self.router.show_screen(self)

    def _sign(self, approve: bool) -> None:
        if self.vm is not None and self.vm.can_review:
            self.sign_requested.emit(self.vm, approve)

    def refresh(self) -> None:
        self.view.refresh()

    def retranslate(self, language: str) -> None:
        self.view.retranslate()

    def clear(self) -> None:
        self.vm = None


class ReviewSignController(FormController):
    """The reviewer's e-signature of the verdict: user id or badge, password, a comment."""

    follows_engine = True
    signed = Signal(object)  # the ReviewVM as reloaded after signing
    cancelled = Signal()

    def __init__(self, session: Session, router: Router) -> None:
        super().__init__(session, router)
        self.vm = vm = ReviewSignVM()
        page = FormPage("review_sign", fields_per_row=3)
        self.view = page
        page.grid.setColumnStretch(0, 1)
        page.grid.setColumnStretch(1, 1)
        page.grid.setColumnStretch(2, 2)
        page.add_field(lambda: self.tr("User id or badge"), lambda: vm.user, "review_user")
        page.add_field(lambda: self.tr("Password"), lambda: vm.password, "review_password")
        page.add_field(lambda: self.tr("Comment (mandatory)"), lambda: vm.comment, "review_comment")
        page.problem_getter = lambda: vm.problem
        page.message_getter = lambda: vm.message
        page.enabled_getter = lambda: vm.can_submit and not self.session.client.busy
        page.edited = lambda: setattr(vm, "message", "")
        page.submitted.connect(self.submit)
        page.cancelled.connect(self.cancelled.emit)

    def header_text(self) -> str:
        return review_title(self.vm.batch_id)

    def retranslate(self, language: str) -> None:
        super().retranslate(language)
        self._title()
        self.view.cancel_button.setText(self.tr("CANCEL"))

    def _title(self) -> None:
        vm, page = self.vm, self.view
        page.title.setText(vm.title)
        page.info.setText(vm.info)
        page.submit_button.setText(vm.submit_label)
        page.submit_button.setProperty("kind", "ok" if vm.approve else "bad")
        repolish(page.submit_button)

    def clear(self) -> None:
        self.vm.reset("", True)

    def open(self, review: ReviewVM, approve: bool) -> None:
        self.vm.reset(review.batch_id, approve)
        self._title()
        self.router.show_screen(self)

    def scan(self, raw: str, reading: ScanReading) -> None:
        self.vm.scan_badge(reading.plain)
        self.view.fields.activate(self.view.fields.fields[1])
        self.view.refresh()

    def submit(self) -> None:
        vm = self.vm
        if not vm.can_submit or self.session.client.busy:
            return
        self.session.client.sign_review(vm.batch_id, vm.request(), self._answered)
        self.view.refresh()

    def _answered(self, result: ReviewVM | Refused | Failed) -> None:
        from ..review_calls import Refused  # loaded with the review, on the engine thread

        if isinstance(result, Failed):
            self.vm.refused(result.error)
        elif isinstance(result, Refused):
            self.vm.refused(result.message)
        else:
            self.vm.signed()
            self.signed.emit(result)
            return
        self.router.refresh()
