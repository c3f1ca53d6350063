"""Home: the batches at this station (in progress, on hold, completed) and the approved recipes."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from .viewmodels.home import HomeVM, status_label
from .viewmodels.text import fmt
from .widgets import button, hbox, label


class HomePage(QWidget):
    open_batch = Signal(str)
    start_batch = Signal()
    logout = Signal()
    reload = Signal()
    users = Signal()  # the users page (a supervisor unlocks accounts)

    def __init__(self, vm: HomeVM) -> None:
        super().__init__()
        self.setObjectName("home")
        self.vm = vm
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        self.batches_title = label("", "title")
        self.recipes_title = label("", "title")
        self.batches = QListWidget()
        self.batches.setObjectName("home_batches")
        self.batches.setWordWrap(True)
        self.batches.itemSelectionChanged.connect(self._selection)
        self.batches.itemDoubleClicked.connect(lambda _i: self._open())
        self.recipes = QListWidget()
        self.recipes.setObjectName("home_recipes")
        self.recipes.setWordWrap(True)
        self.recipes.currentRowChanged.connect(self._recipe)
        self.open_button = button("", "", name="home_open")
        self.open_button.clicked.connect(self._open)
        self.start_button = button("", "ok", name="home_start")
        self.start_button.clicked.connect(self.start_batch.emit)
        self.reload_button = button("", "plain", name="home_reload")
        self.reload_button.clicked.connect(self.reload.emit)
        self.logout_button = button("", "plain", name="home_logout")
        self.logout_button.clicked.connect(self.logout.emit)
        self.users_button = button("", "plain", name="home_users")
        self.users_button.clicked.connect(self.users.emit)
        self.users_button.setVisible(False)  # for supervisors and administrators (HomeController)
        self.message = label("", "message", name="home_message")
        left = QVBoxLayout()
        left.addWidget(self.batches_title)
        left.addWidget(self.batches, 1)
        left.addWidget(self.open_button)
        right = QVBoxLayout()
        right.addWidget(self.recipes_title)
        right.addWidget(self.recipes, 1)
        right.addWidget(self.start_button)
        cols = hbox(spacing=16)
        cols.addLayout(left, 3)
        cols.addLayout(right, 2)
        lay.addLayout(cols, 1)
        lay.addWidget(self.message)
        lay.addLayout(hbox(self.reload_button, self.users_button, None, self.logout_button))
        self.retranslate()

    def retranslate(self) -> None:
        self.batches_title.setText(self.tr("Batches at this station"))
        self.recipes_title.setText(self.tr("Approved recipes"))
        self.open_button.setText(self.tr("OPEN THE BATCH"))
        self.start_button.setText(self.tr("START A NEW BATCH"))
        self.reload_button.setText(self.tr("REFRESH"))
        self.users_button.setText(self.tr("USER ACCOUNTS"))
        self.logout_button.setText(self.tr("LOG OUT"))

    def refresh(self) -> None:
        vm = self.vm
        selected = self._selected_batch()
        self.batches.clear()
        for status, rows in vm.grouped():
            head = QListWidgetItem(f"{status_label(status)} ({len(rows)})")
            head.setFlags(Qt.ItemFlag.NoItemFlags)
            f = head.font()
            f.setBold(True)
            head.setFont(f)
            self.batches.addItem(head)
            for b in rows:
                item = QListWidgetItem(vm.describe(b))
                item.setData(Qt.ItemDataRole.UserRole, b.batch_id)
                self.batches.addItem(item)
                if b.batch_id == selected:
                    item.setSelected(True)
                    self.batches.setCurrentItem(item)
        self.recipes.blockSignals(True)
        self.recipes.clear()
        for r in vm.recipes:
            self.recipes.addItem(f"{r.code} v{r.version}\n{r.title}\n{fmt(r.batch_size)} {r.unit}")
        if vm.selected_recipe is not None:
            self.recipes.setCurrentRow(vm.selected_recipe)
        self.recipes.blockSignals(False)
        self.start_button.setEnabled(vm.recipe is not None)
        self.message.setText(vm.message)
        self._selection()

    def _selected_batch(self) -> str | None:
        items = self.batches.selectedItems()
        return items[0].data(Qt.ItemDataRole.UserRole) if items else None

    def _selection(self) -> None:
        self.open_button.setEnabled(self._selected_batch() is not None)

    def _recipe(self, row: int) -> None:
        if 0 <= row < len(self.vm.recipes):
            self.vm.select_recipe(row)

    def _open(self) -> None:
        bid = self._selected_batch()
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
