# Varnish in front of the archive (Varnish 7, with varnish-modules for xkey).
#
# * Readers' pages are kept for an hour and purged by surrogate key when a save changes what
#   they show: the app names each page's keys in its `xkey` header and sends
#   `PURGE /` with `xkey-purge: <keys>` after a save (HTTP_CACHE_PURGE_URLS).
# * PURGE is accepted only from the app servers (acl purgers).
# * Grace: a page kept here is served, stale, for six hours while the app does not answer
#   (the health probe below reads /ping), instead of an error.
# * Signed-in people (a session cookie), the admin, share previews and /healthz are never
#   cached; an answer that sets a cookie or says private/no-store is never kept (Varnish's
#   built-in rules, which run after these).
#
# The backend is the app server (gunicorn) on 127.0.0.1:8001; edit it, and the acl, for
# your servers (docs/deploy.md). `make serve-cached` runs this file as it is.
vcl 4.1;

import std;
import xkey;

backend app {
    .host = "127.0.0.1";
    .port = "8001";
    .connect_timeout = 2s;
    .first_byte_timeout = 15s;
    # Sick after 3 of 5 probes unanswered within 5 s: an app server that is merely busy
    # (its queue a second or two deep) is not taken for a dead one. Healthy from the start.
    .probe = {
        .url = "/ping";
        .interval = 5s;
        .timeout = 5s;
        .window = 5;
        .threshold = 3;
        .initial = 3;
    }
}

acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Purging is for the app servers."));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "Name the keys to purge in the xkey-purge header."));
        }
        set req.http.x-purged = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Purged " + req.http.x-purged + " objects."));
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|preview)/" || req.url ~ "^/healthz") {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);  # a signed-in editor: never from the cache, never into it
    }
    unset req.http.Cookie;  # no other cookie changes what a reader's page shows
    return (hash);
}

sub vcl_backend_response {
    if (beresp.http.xkey && beresp.status == 200 && !beresp.http.Set-Cookie
            && beresp.http.Cache-Control ~ "public") {
        set beresp.ttl = 1h;
        set beresp.grace = 6h;
    }
}

sub vcl_deliver {
    if (obj.hits > 0) {
        set resp.http.X-HTTP-Cache = "hit";
    } else {
        set resp.http.X-HTTP-Cache = "miss";
    }
    unset resp.http.xkey;
    unset resp.http.Surrogate-Key;
    unset resp.http.Cache-Tag;
}
