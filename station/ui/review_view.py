"""QA review by exception: the list of completed batches, and the review screen of one batch
(header, the exceptions first with their context, the step-by-step record, the verdict)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from .viewmodels.review_queue import Line, ReviewQueueVM
from .widgets import button, card, hbox, label, set_level

if TYPE_CHECKING:  # the record's model loads with the first review, on the engine thread
    from .viewmodels.review import ReviewVM


def lines_html(lines: list[Line] | tuple[Line, ...]) -> str:
    """Caption and value rows as a table (rich text wraps long values inside the label)."""
    rows = "".join(
        f"<tr><td style='padding:2px 12px 2px 0px; white-space:nowrap;'><b>{escape(c)}</b></td>"
        f"<td style='padding:2px 0px;'>{escape(v)}</td></tr>"
        for c, v in lines
    )
    return f"<table cellspacing='0'>{rows}</table>"


def header_html(lines: list[Line], chain_ok: bool) -> str:
    """The batch header as two caption/value pairs a row; the audit chain's verdict in colour."""
    cells = []
    for i, (c, v) in enumerate(lines):
        value = escape(v)
        if i == len(lines) - 1:  # the audit chain: green when verified, red otherwise
            value = f"<b style='color:{'#0A6E28' if chain_ok else '#B00020'};'>{value}</b>"
        cells.append(
            f"<td style='padding:1px 10px 1px 0px; white-space:nowrap;'><b>{escape(c)}</b></td>"
            f"<td style='padding:1px 24px 1px 0px;'>{value}</td>"
        )
    rows = "".join("<tr>" + "".join(cells[i : i + 2]) + "</tr>" for i in range(0, len(cells), 2))
    return f"<table cellspacing='0'>{rows}</table>"


def scrolled(widget: QWidget, name: str) -> QScrollArea:
    area = QScrollArea()
    area.setObjectName(name)
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(widget)
    return area


class ReviewListPage(QWidget):
    """A QA user's home: completed batches awaiting review, and the reviewed ones with their verdict."""

    open_batch = Signal(str)
    logout = Signal()
    reload = Signal()
    site_trail = Signal()  # QA's page of the site's audit trail

    def __init__(self, vm: ReviewQueueVM) -> None:
        super().__init__()
        self.setObjectName("reviews")
        self.vm = vm
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        self.title = label("", "title", name="reviews_title")
        self.info = label("", "small", name="reviews_info")
        self.batches = QListWidget()
        self.batches.setObjectName("reviews_batches")
        self.batches.setWordWrap(True)
        self.batches.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.batches.itemSelectionChanged.connect(self._selection)
        self.batches.itemDoubleClicked.connect(lambda _i: self._open())
        self.open_button = button("", "", name="reviews_open")
        self.open_button.clicked.connect(self._open)
        self.reload_button = button("", "plain", name="reviews_reload")
        self.reload_button.clicked.connect(self.reload.emit)
        self.logout_button = button("", "plain", name="reviews_logout")
        self.logout_button.clicked.connect(self.logout.emit)
        self.trail_button = button("", "plain", name="reviews_site_trail")
        self.trail_button.clicked.connect(self.site_trail.emit)
        self.message = label("", "message", name="reviews_message")
        lay.addWidget(self.title)
        lay.addWidget(self.info)
        lay.addWidget(self.batches, 1)
        lay.addWidget(self.message)
        bottom = hbox(self.reload_button, self.trail_button, None, self.logout_button, spacing=12)
        bottom.addWidget(self.open_button, 2)
        lay.addLayout(bottom)
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Batch records for QA review"))
        self.info.setText(
            self.tr(
                "Completed batches at this station. Open one to review its exceptions and sign the verdict."
            )
        )
        self.open_button.setText(self.tr("REVIEW THE BATCH"))
        self.trail_button.setText(self.tr("AUDIT TRAIL"))
        self.reload_button.setText(self.tr("REFRESH"))
        self.logout_button.setText(self.tr("LOG OUT"))

    def refresh(self) -> None:
        selected = self.selected()
        self.batches.clear()
        for title, rows in self.vm.grouped():
            head = QListWidgetItem(f"{title} ({len(rows)})")
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            f = head.font()
            f.setBold(True)
            head.setFont(f)
            self.batches.addItem(head)
            for item in rows:
                row = QListWidgetItem(self.vm.describe(item))
                row.setData(Qt.ItemDataRole.UserRole, item.batch_id)
                self.batches.addItem(row)
                if item.batch_id == selected:
                    row.setSelected(True)
                    self.batches.setCurrentItem(row)
        self.message.setText(self.vm.message)
        self.message.setVisible(bool(self.vm.message))
        self._selection()

    def selected(self) -> str | None:
        items = self.batches.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _selection(self) -> None:
        self.open_button.setEnabled(self.selected() is not None)

    def _open(self) -> None:
        bid = self.selected()
        if bid:
            self.open_batch.emit(bid)

    def select_batch(self, batch_id: str) -> bool:
        for i in range(self.batches.count()):
            item = self.batches.item(i)
            if item.data(Qt.ItemDataRole.UserRole) == batch_id:
                self.batches.setCurrentItem(item)
                item.setSelected(True)
                return True
        return False


class ReviewPage(QWidget):
    """One batch under review: header, exceptions (each opened with its context), the record
    step by step, and APPROVE / REJECT (an e-signature)."""

    approve = Signal()
    reject = Signal()
    back = Signal()

    def __init__(self) -> None:
        super().__init__()
        self.setObjectName("review")
        self.vm: ReviewVM | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 8, 16, 8)
        lay.setSpacing(6)

        self.header_card = card()
        head = QVBoxLayout(self.header_card)
        head.setContentsMargins(12, 6, 12, 6)
        self.header_text = label("", "small", name="review_header")
        self.header_text.setTextFormat(Qt.TextFormat.RichText)
        head.addWidget(self.header_text)
        lay.addWidget(self.header_card)

        self.exceptions_button = button("", "plain", name="review_exceptions")
        self.exceptions_button.setCheckable(True)
        self.exceptions_button.setAutoExclusive(True)
        self.exceptions_button.clicked.connect(lambda: self._mode("exceptions"))
        self.record_button = button("", "plain", name="review_record")
        self.record_button.setCheckable(True)
        self.record_button.setAutoExclusive(True)
        self.record_button.clicked.connect(lambda: self._mode("record"))
        lay.addLayout(hbox(self.exceptions_button, self.record_button, spacing=12))

        self.body = QStackedWidget()
        # exceptions: the list on the left, the opened one's context on the right
        ex = QWidget()
        ex_lay = hbox(spacing=12)
        ex.setLayout(ex_lay)
        self.exceptions = QListWidget()
        self.exceptions.setObjectName("review_exception_list")
        self.exceptions.setWordWrap(True)
        self.exceptions.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.exceptions.currentRowChanged.connect(self._select)
        self.none_label = label("", "big", name="review_none")
        self.none_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        left = QVBoxLayout()
        left.addWidget(self.exceptions, 1)
        left.addWidget(self.none_label, 1)
        self.context = label("", "", name="review_context")
        self.context.setTextFormat(Qt.TextFormat.RichText)
        self.context.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.context.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ctx_card = card()
        ctx_lay = QVBoxLayout(ctx_card)
        ctx_lay.setContentsMargins(10, 8, 10, 8)
        ctx_lay.addWidget(self.context)
        ctx_lay.addStretch(1)
        self.context_area = scrolled(ctx_card, "review_context_area")
        ex_lay.addLayout(left, 2)
        ex_lay.addWidget(self.context_area, 3)
        self.body.addWidget(ex)
        # the record, one step a page
        rec = QWidget()
        rec_lay = QVBoxLayout(rec)
        rec_lay.setContentsMargins(0, 0, 0, 0)
        rec_lay.setSpacing(6)
        self.step_text = label("", "", name="review_step")
        self.step_text.setTextFormat(Qt.TextFormat.RichText)
        self.step_text.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        step_card = card()
        step_lay = QVBoxLayout(step_card)
        step_lay.setContentsMargins(10, 8, 10, 8)
        step_lay.addWidget(self.step_text)
        step_lay.addStretch(1)
        rec_lay.addWidget(scrolled(step_card, "review_step_area"), 1)
        self.prev_button = button("", "plain", name="review_prev")
        self.prev_button.clicked.connect(lambda: self._turn(-1))
        self.next_button = button("", "plain", name="review_next")
        self.next_button.clicked.connect(lambda: self._turn(1))
        self.page_label = label("", "", wrap=False, name="review_page")
        self.page_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        rec_lay.addLayout(hbox(self.prev_button, self.page_label, self.next_button, spacing=12))
        self.body.addWidget(rec)
        lay.addWidget(self.body, 1)

        self.verdict = label("", "", name="review_verdict")
        lay.addWidget(self.verdict)
        self.back_button = button("", "plain", name="review_back")
        self.back_button.clicked.connect(self.back.emit)
        self.reject_button = button("", "bad", name="review_reject")
        self.reject_button.clicked.connect(self.reject.emit)
        self.approve_button = button("", "ok", name="review_approve")
        self.approve_button.clicked.connect(self.approve.emit)
        lay.addLayout(hbox(self.back_button, self.reject_button, self.approve_button, spacing=12))
        self.retranslate()

    def retranslate(self) -> None:
        self.record_button.setText(self.tr("FULL RECORD"))
        self.prev_button.setText(self.tr("◀ PREVIOUS STEP"))
        self.next_button.setText(self.tr("NEXT STEP ▶"))
        self.none_label.setText(self.tr("No exceptions"))
        self.back_button.setText(self.tr("BACK"))
        self.reject_button.setText(self.tr("REJECT"))
        self.approve_button.setText(self.tr("APPROVE"))
        self.refresh()

    def bind(self, vm: ReviewVM) -> None:
        self.vm = vm
        self.exceptions.blockSignals(True)
        self.exceptions.clear()
        for item in vm.exceptions:
            self.exceptions.addItem(vm.describe(item))
        self.exceptions.blockSignals(False)
        if vm.exceptions and vm.selected is None:
            vm.select(0)
        if vm.selected is not None:
            self.exceptions.setCurrentRow(vm.selected)
        self.refresh()

    def refresh(self) -> None:
        vm = self.vm
        if vm is None:
            return
        self.header_text.setText(header_html(vm.header_lines, vm.chain_ok))
        self.exceptions_button.setText(self.tr("EXCEPTIONS (%1)").replace("%1", str(len(vm.exceptions))))
        self.exceptions_button.setChecked(vm.mode == "exceptions")
        self.record_button.setChecked(vm.mode == "record")
        self.body.setCurrentIndex(0 if vm.mode == "exceptions" else 1)
        self.exceptions.setVisible(not vm.no_exceptions)
        self.none_label.setVisible(vm.no_exceptions)
        self.context_area.setVisible(not vm.no_exceptions)
        item = vm.context
        if item is not None:
            self.context.setText(f"<p><b>{escape(vm.describe(item))}</b></p>" + lines_html(item.context))
        else:
            self.context.setText("")
        page = vm.step_page
        if page is not None:
            self.step_text.setText(
                f"<p><b>{escape(page.title)}</b><br>{escape(page.operation)}</p>" + lines_html(page.lines)
            )
        self.page_label.setText(vm.page_text)
        self.prev_button.setEnabled(vm.can_back)
        self.next_button.setEnabled(vm.can_forward)
        self.verdict.setText(vm.verdict_text)
        self.verdict.setVisible(vm.signed is not None)
        if vm.signed is not None:
            set_level(self.verdict, "ok" if vm.signed.approved else "bad")
        self.approve_button.setVisible(vm.can_review)
        self.reject_button.setVisible(vm.can_review)

    def _select(self, row: int) -> None:
        if self.vm is not None:
            self.vm.select(row if row >= 0 else None)
            self.refresh()

    def _mode(self, mode: str) -> None:
        if self.vm is not None:
            self.vm.mode = mode
            self.refresh()

    def _turn(self, delta: int) -> None:
        if self.vm is not None:
            self.vm.turn(delta)
            self.refresh()
