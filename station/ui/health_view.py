"""The administrator's screen: the station's health, the checks of `mes-station doctor`."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from .viewmodels.health import HealthVM
from .widgets import button, hbox, label


class HealthPage(QWidget):
    logout = Signal()
    reload = Signal()
    users = Signal()  # the users page: unlock, reset, deactivate

    def __init__(self, vm: HealthVM) -> None:
        super().__init__()
        self.setObjectName("health")
        self.vm = vm
        lay = QVBoxLayout(self)
        lay.setContentsMargins(16, 10, 16, 10)
        lay.setSpacing(8)
        self.title = label("", "title", name="health_title")
        self.info = label("", "small", name="health_info")
        self.checks = QListWidget()
        self.checks.setObjectName("health_checks")
        self.checks.setWordWrap(True)
        self.checks.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.message = label("", "message", name="health_message")
        self.reload_button = button("", "plain", name="health_reload")
        self.reload_button.clicked.connect(self.reload.emit)
        self.logout_button = button("", "plain", name="health_logout")
        self.logout_button.clicked.connect(self.logout.emit)
        self.users_button = button("", "", name="health_users")
        self.users_button.clicked.connect(self.users.emit)
        lay.addWidget(self.title)
        lay.addWidget(self.info)
        lay.addWidget(self.checks, 1)
        lay.addWidget(self.message)
        lay.addLayout(hbox(self.reload_button, self.users_button, None, self.logout_button, spacing=12))
        self.retranslate()

    def retranslate(self) -> None:
        self.title.setText(self.tr("Station health"))
        self.info.setText(
            self.tr("What `mes-station doctor` checks; the devices are shown in the header above.")
        )
        self.reload_button.setText(self.tr("CHECK AGAIN"))
        self.users_button.setText(self.tr("USER ACCOUNTS"))
        self.logout_button.setText(self.tr("LOG OUT"))

    def refresh(self) -> None:
        self.checks.clear()
        for line in self.vm.lines:
            self.checks.addItem(QListWidgetItem(line))
        self.message.setText(self.vm.summary)
