"""The users page (unlock, reset, deactivate) and the QA page of the site's audit trail."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from .viewmodels.admin import TASKS, UsersVM, task_label
from .viewmodels.site_trail import KINDS, PERIODS, SiteTrailVM, kind_label, period_label
from .widgets import button, hbox, label

# How a locked account or a refused event stands out in a list (the style's "bad" red).
ALERT = QColor("#b00020")


class UsersPage(QWidget):
    task_requested = Signal(str)  # unlock | reset | deactivate, for the selected account
    back = Signal()
    logout = Signal()
    reload = Signal()

    def __init__(self, vm: UsersVM) -> None:
        super().__init__()
        self.setObjectName("users")
        self.vm = vm
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        self.title = label("", "title", name="users_title")
        self.info = label("", "small", name="users_info")
        self.accounts = QListWidget()
        self.accounts.setObjectName("users_list")
        self.accounts.setWordWrap(True)
        self.accounts.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.accounts.itemSelectionChanged.connect(self._selection)
        self.message = label("", "message", name="users_message")
        self.temporary = label("", "title", name="users_temporary")
        self.temporary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.task_buttons: dict[str, QPushButton] = {}
        tasks = hbox(spacing=12)
        for task in TASKS:
            b = button("", "bad" if task == "deactivate" else "", name=f"users_{task}")
            b.clicked.connect(lambda _=False, task=task: self.task_requested.emit(task))
            tasks.addWidget(b, 1)
            self.task_buttons[task] = b
        self.reload_button = button("", "plain", name="users_reload")
        self.reload_button.clicked.connect(self.reload.emit)
        self.back_button = button("", "plain", name="users_back")
        self.back_button.clicked.connect(self.back.emit)
        self.logout_button = button("", "plain", name="users_logout")
        self.logout_button.clicked.connect(self.logout.emit)
        lay.addWidget(self.title)
        lay.addWidget(self.info)
        lay.addWidget(self.accounts, 1)
        lay.addWidget(self.message)
        lay.addWidget(self.temporary)
        lay.addLayout(tasks)
        lay.addLayout(hbox(self.back_button, self.reload_button, None, self.logout_button, spacing=12))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("User accounts"))
        self.info.setText(
            self.tr(
                "Choose an account, then what to do; you sign it with your password and a reason. "
                "Supervisors unlock; administrators also reset passwords and deactivate."
            )
        )
        for task, b in self.task_buttons.items():
            b.setText(task_label(task))
        self.reload_button.setText(self.tr("REFRESH"))
        self.back_button.setText(self.tr("BACK"))
        self.logout_button.setText(self.tr("LOG OUT"))
        self.refresh()

    def refresh(self) -> None:
        vm = self.vm
        self.accounts.blockSignals(True)
        self.accounts.clear()
        for row in vm.rows:
            item = QListWidgetItem(vm.describe(row))
            item.setData(Qt.ItemDataRole.UserRole, row.id)
            if row.state == "locked":
                item.setForeground(QBrush(ALERT))
            elif row.state == "deactivated":
                item.setForeground(QBrush(QColor("#777777")))
            self.accounts.addItem(item)
            if row.id == vm.selected:
                item.setSelected(True)
                self.accounts.setCurrentItem(item)
        self.accounts.blockSignals(False)
        self.message.setText(vm.message)
        self.temporary.setText(
            self.tr("Temporary password: %1").replace("%1", vm.temporary) if vm.temporary else ""
        )
        self.temporary.setVisible(bool(vm.temporary))
        for task, b in self.task_buttons.items():
            b.setVisible(bool(vm.my_roles & {"admin"}) or task == "unlock")
            b.setEnabled(vm.allowed(task))

    def _selection(self) -> None:
        items = self.accounts.selectedItems()
        self.vm.select(items[0].data(Qt.ItemDataRole.UserRole) if items else None)
        for task, b in self.task_buttons.items():
            b.setEnabled(self.vm.allowed(task))


class SiteTrailPage(QWidget):
    """QA's view of the site stream: filter choices as big buttons, the events newest first."""

    filters_changed = Signal()
    older = Signal()
    newer = Signal()
    back = Signal()
    logout = Signal()

    def __init__(self, vm: SiteTrailVM) -> None:
        super().__init__()
        self.setObjectName("site_trail")
        self.vm = vm
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(6)
        self.title = label("", "title", wrap=False, name="site_trail_title")
        self.kind_buttons = self._choices(list(KINDS), "site_trail_kind", self._kind)
        self.period_buttons = self._choices(list(PERIODS), "site_trail_period", self._period)
        self.person = QComboBox()
        self.person.setObjectName("site_trail_user")
        self.person.activated.connect(self._person)
        self.position = label("", "small", wrap=False, name="site_trail_position")
        self.events = QListWidget()
        self.events.setObjectName("site_trail_events")
        self.events.setWordWrap(True)
        self.events.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.events.setSelectionMode(QListWidget.SelectionMode.NoSelection)
        self.message = label("", "message", name="site_trail_message")
        self.newer_button = button("", "plain", name="site_trail_newer")
        self.newer_button.clicked.connect(self.newer.emit)
        self.older_button = button("", "plain", name="site_trail_older")
        self.older_button.clicked.connect(self.older.emit)
        self.back_button = button("", "plain", name="site_trail_back")
        self.back_button.clicked.connect(self.back.emit)
        self.logout_button = button("", "plain", name="site_trail_logout")
        self.logout_button.clicked.connect(self.logout.emit)
        kinds = QGridLayout()
        kinds.setSpacing(6)
        for i, b in enumerate(self.kind_buttons.values()):
            kinds.addWidget(b, 0, i)
        periods = hbox(spacing=6)
        for b in self.period_buttons.values():
            periods.addWidget(b, 1)
        periods.addWidget(self.person, 2)
        lay.addLayout(hbox(self.title, None, self.position, spacing=12))
        lay.addLayout(kinds)
        lay.addLayout(periods)
        lay.addWidget(self.events, 1)
        lay.addWidget(self.message)
        lay.addLayout(
            hbox(self.back_button, None, self.newer_button, self.older_button, self.logout_button, spacing=12)
        )
        self.retranslate()

    def _choices(self, keys: list[str], prefix: str, chosen: object) -> dict[str, QPushButton]:
        out: dict[str, QPushButton] = {}
        for key in keys:
            b = button("", "plain", name=f"{prefix}_{key}")
            b.setCheckable(True)
            b.clicked.connect(lambda _=False, key=key: chosen(key))  # type: ignore[operator]
            out[key] = b
        return out

    def _kind(self, kind: str) -> None:
        self.vm.set_filters(kind=kind)
        self.filters_changed.emit()

    def _period(self, period: str) -> None:
        self.vm.set_filters(period=period)
        self.filters_changed.emit()

    def _person(self, index: int) -> None:
        self.vm.set_filters(user=str(self.person.itemData(index) or ""))
        self.filters_changed.emit()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Site audit trail"))
        for key, b in self.kind_buttons.items():
            b.setText(kind_label(key))
        for key, b in self.period_buttons.items():
            b.setText(period_label(key))
        self.newer_button.setText(self.tr("◀ NEWER"))
        self.older_button.setText(self.tr("OLDER ▶"))
        self.back_button.setText(self.tr("BACK"))
        self.logout_button.setText(self.tr("LOG OUT"))
        self.refresh()

    def refresh(self) -> None:
        vm = self.vm
        for key, b in self.kind_buttons.items():
            b.setChecked(key == vm.kind)
        for key, b in self.period_buttons.items():
            b.setChecked(key == vm.period)
        self.person.blockSignals(True)
        self.person.clear()
        for uid, text in vm.user_choices():
            self.person.addItem(text, uid)
        self.person.setCurrentIndex(max(0, self.person.findData(vm.user or "")))
        self.person.blockSignals(False)
        self.position.setText(vm.position)
        self.events.clear()
        for line in vm.lines:
            item = QListWidgetItem(vm.describe(line))
            if vm.refused(line):
                item.setForeground(QBrush(ALERT))
            self.events.addItem(item)
        self.message.setText(vm.message)
        self.newer_button.setEnabled(vm.has_newer and not vm.loading)
        self.older_button.setEnabled(vm.has_older and not vm.loading)
