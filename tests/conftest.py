"""Suite-wide settings. Qt runs offscreen everywhere; packages keep their fixtures in their own folders."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
