from oms.settings.base import *  # noqa: F403

WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
