from oms.settings.base import *  # noqa: F403
