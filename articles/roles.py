"""The two editorial roles, as groups with permissions (created by a migration; see
``manage.py create_staff_user`` to add people).

Translator: writes articles and edits their own until they are published; submits them for
review; uploads images; cannot publish, schedule or unpublish, nor edit sources, topics,
stories and people (they may pick them). Editor: everything in the archive, including publishing,
the site's identity and its pages.
"""

TRANSLATOR = "Translator"
EDITOR = "Editor"

TRANSLATOR_PERMISSIONS = [
    "add_article",
    "change_article",
    "view_article",
    "add_relatedstory",
    "change_relatedstory",
    "delete_relatedstory",
    "view_relatedstory",
    "view_source",
    "view_topic",
    "view_thread",
    "view_person",
    "add_previewlink",
    "view_previewlink",
    "view_revision",
    "add_image",
    "change_image",
    "view_image",
]

EDITOR_MODELS = [
    "article",
    "source",
    "topic",
    "thread",
    "glossaryterm",
    "image",
    "person",
    "relatedstory",
    "slugredirect",
    "legacyaddress",
    "originalupdate",
    "correction",
    "previewlink",
    "revision",
    "page",
    "pagerevision",
    "siteidentity",
]
EDITOR_PERMISSIONS = [
    f"{action}_{model}" for model in EDITOR_MODELS for action in ("add", "change", "delete", "view")
] + ["publish_article"]


def create_roles(apps, schema_editor=None):
    """Create or update both groups (safe to run again)."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    # A migration sees the models as they were then: roles cover the models that exist.
    existing = {model._meta.model_name for model in apps.get_app_config("articles").get_models()}
    for name, codenames in ((TRANSLATOR, TRANSLATOR_PERMISSIONS), (EDITOR, EDITOR_PERMISSIONS)):
        codenames = [
            codename
            for codename in codenames
            if codename == "publish_article" or codename.split("_", 1)[1] in existing
        ]
        group, _ = Group.objects.get_or_create(name=name)
        permissions = Permission.objects.filter(
            content_type__app_label="articles", codename__in=codenames
        )
        missing = set(codenames) - set(permissions.values_list("codename", flat=True))
        if missing:
            raise RuntimeError(f"permissions not found: {sorted(missing)}")
        group.permissions.set(permissions)
