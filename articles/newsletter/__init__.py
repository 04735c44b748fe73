"""The email newsletter: readers subscribe (double opt-in), choose daily or weekly and
optionally sources or topics, and get a digest of what was published since the last one.

* ``models``: subscribers, digests (one per edition) and deliveries (one per subscriber and
  digest: the record that makes sending idempotent);
* ``views`` and ``forms``: subscribing, confirming, changing one's choices, unsubscribing
  (one click, RFC 8058) — each by a link that needs no login;
* ``digests``: what an edition holds and the message (HTML and plain text);
* ``sending``: preparing an edition and sending its deliveries, throttled, never twice;
* ``tasks``: the same as background work on Procrastinate's PostgreSQL queue, run by
  ``manage.py procrastinate worker`` (docs/deploy.md);
* ``admin``: editors see subscribers and editions, preview the next one, send a test.

Procrastinate rather than the database backend of Django's tasks backport: it retries a
failed job with a back-off, schedules periodic jobs (the editions) without cron, waits on
LISTEN/NOTIFY instead of polling, and its jobs survive a worker that dies. Addresses are
personal data: they appear in the admin only (never in a page, feed, the API or an export).
"""
