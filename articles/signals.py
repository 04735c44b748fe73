"""The archive's own signals, for what the models' signals cannot say."""

from django.dispatch import Signal

# Articles (or what they show) were written in bulk, without ``save()``: an import's batch,
# bodies rendered again after an image or a glossary term changed. Whatever readers see may
# have changed; the readers' cache listens (``articles.readers.signal_handlers``).
content_changed = Signal()
