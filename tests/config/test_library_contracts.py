"""What our code relies on in libraries' private or undocumented APIs, one test per use.

A library may rename or reshape such a name in any release without a deprecation. Each test
here fails with a message naming the library, the name, and the file of ours that depends on
it, so that an upgrade which breaks one of them says so here rather than as a wrong schema, an
uncounted throttle or a lost admin refusal somewhere else.
"""

from __future__ import annotations

import inspect
from types import SimpleNamespace

import pytest


def require(owner, name: str, *, library: str, params: tuple[str, ...] = (), used_by: str):
    """`owner.name`, callable and taking `params`; otherwise a failure that names the library,
    the name and where we depend on it."""
    label = f"{owner.__name__}.{name}({', '.join(params)})"
    function = getattr(owner, name, None)
    assert callable(function), (
        f"{library} no longer has {label}: {used_by}; adapt it to the new version before upgrading."
    )
    missing = [p for p in params if p not in inspect.signature(function).parameters]
    assert not missing, (
        f"{library}'s {label} no longer takes {', '.join(missing)}: {used_by}; adapt it to "
        "the new version before upgrading."
    )
    return function


def require_call(caller, callee: str, *, library: str, used_by: str) -> None:
    """`caller` still calls `callee`: overriding the callee is what changes the caller."""
    assert f"{callee}(" in inspect.getsource(caller), (
        f"{library}'s {caller.__qualname__} no longer calls {callee}(): {used_by}, which "
        "now has no effect; adapt it to the new version before upgrading."
    )


# --- drf-spectacular (config/api/schema.py) ------------------------------------------------


def test_drf_spectacular_autoschema_get_response_bodies():
    from drf_spectacular.openapi import AutoSchema

    used_by = "config/api/schema.py overrides it to add the problem responses"
    require(
        AutoSchema,
        "_get_response_bodies",
        library="drf-spectacular",
        params=("direction",),
        used_by=used_by,
    )
    require_call(
        AutoSchema.get_operation,
        "self._get_response_bodies",
        library="drf-spectacular",
        used_by=used_by,
    )


def test_drf_spectacular_autoschema_map_basic_serializer():
    from drf_spectacular.openapi import AutoSchema

    used_by = "config/api/schema.py overrides it to mark strict request bodies"
    require(
        AutoSchema,
        "_map_basic_serializer",
        library="drf-spectacular",
        params=("serializer", "direction"),
        used_by=used_by,
    )
    require_call(
        AutoSchema._map_serializer,
        "self._map_basic_serializer",
        library="drf-spectacular",
        used_by=used_by,
    )


def test_drf_spectacular_autoschema_hooks_and_filter_extension():
    from drf_spectacular import plumbing
    from drf_spectacular.contrib.django_filters import DjangoFilterExtension
    from drf_spectacular.openapi import AutoSchema

    used_by = "config/api/schema.py (ApiAutoSchema) overrides or calls it"
    for name in ("get_filter_backends", "get_auth", "get_operation_id", "get_tags"):
        require(AutoSchema, name, library="drf-spectacular", used_by=used_by)
    # The default of GET_LIB_DOC_EXCLUDES, which config.api.schema.doc_excludes extends.
    require(
        plumbing, "get_lib_doc_excludes", library="drf-spectacular", used_by="config/api/schema.py"
    )
    require(
        AutoSchema,
        "resolve_serializer",
        library="drf-spectacular",
        params=("serializer", "direction"),
        used_by=used_by,
    )
    used_by = "config/api/schema.py (ApiDjangoFilterExtension) overrides it"
    require(
        DjangoFilterExtension,
        "resolve_filter_field",
        library="drf-spectacular",
        params=("auto_schema", "model", "filterset_class", "field_name", "filter_field"),
        used_by=used_by,
    )
    require_call(
        DjangoFilterExtension.get_schema_operation_parameters,
        "self.resolve_filter_field",
        library="drf-spectacular",
        used_by=used_by,
    )


# --- Django's RedisCache and redis-py (config/api/throttling.py, tests/conftest.py) ---------


def test_django_redis_cache_client_answers_ping():
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCacheClient

    used_by = (
        "config/api/throttling.py counts requests on the client of cache._cache, and "
        "tests/conftest.py deletes keys through it"
    )
    require(
        RedisCacheClient,
        "get_client",
        library="Django",
        params=("key", "write"),
        used_by=used_by,
    )
    assert hasattr(cache, "_cache"), f"Django's RedisCache no longer has _cache: {used_by}."
    key = cache.make_and_validate_key("contract")
    assert cache._cache.get_client(key, write=True).ping(), (
        f"Django's cache._cache.get_client(key, write=True) is not a Redis client: {used_by}."
    )
    assert cache._cache.get_client(write=True).ping()


def test_django_redis_cache_client_built_once_per_pool():
    from django.core.cache import caches
    from django.core.cache.backends.redis import RedisCache, RedisCacheClient

    from config.cache import SharedClientRedisCache

    used_by = "config/cache.py keeps one redis.Redis per connection pool"
    require(
        RedisCacheClient,
        "_get_connection_pool",
        library="Django",
        params=("write",),
        used_by=used_by,
    )
    assert "self._class(" in inspect.getsource(RedisCache._cache.func), (
        f"Django's RedisCache no longer builds its client from self._class: {used_by}."
    )
    cache = caches["default"]
    assert isinstance(cache, SharedClientRedisCache), "settings.CACHES uses config/cache.py"
    first, second = cache._cache.get_client(write=True), cache._cache.get_client(write=True)
    assert first is second, f"a new Redis client per call again: {used_by}."
    cache.set("contract:shared-client", "value", 5)
    assert cache.get("contract:shared-client") == "value"


def test_redis_py_script_runs_on_a_client_given_per_call():
    from redis.commands.core import Script

    from config.api.throttling import _window_count_incr

    used_by = (
        "config/api/throttling.py makes Script(None, source) once and passes the cache's "
        "client to each call"
    )
    require(
        Script,
        "__init__",
        library="redis-py",
        params=("registered_client", "script"),
        used_by=used_by,
    )
    require(
        Script, "__call__", library="redis-py", params=("keys", "args", "client"), used_by=used_by
    )
    counts = [_window_count_incr("contract:script", ttl=5) for _ in range(2)]
    assert counts == [1, 2], f"redis-py's Script no longer counts as {used_by}: {counts}"


# --- Django's PostgreSQL backend and psycopg (config/db/base.py) ----------------------------


@pytest.mark.django_db
def test_django_postgresql_is_usable_is_the_health_check():
    from django.db import connections
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.db.backends.postgresql.base import DatabaseWrapper
    from psycopg.pq import TransactionStatus

    from config.db.base import DatabaseWrapper as OurDatabaseWrapper

    used_by = "config/db/base.py overrides it with a poll of the socket"
    require(DatabaseWrapper, "is_usable", library="Django", used_by=used_by)
    require_call(
        BaseDatabaseWrapper.close_if_health_check_failed,
        "self.is_usable",
        library="Django",
        used_by=used_by,
    )
    connection = connections["default"]
    assert isinstance(connection, OurDatabaseWrapper), "DATABASES ENGINE is not config.db"

    connection.ensure_connection()
    raw = connection.connection
    for name in ("closed", "broken", "info", "fileno"):
        assert hasattr(raw, name), (
            f"psycopg's Connection no longer has {name}: config/db/base.py reads it."
        )
    assert isinstance(raw.fileno(), int)
    assert isinstance(raw.info.transaction_status, TransactionStatus)
    assert hasattr(TransactionStatus, "IDLE"), "psycopg has no TransactionStatus.IDLE"


# --- Django's admin and forms, django-simple-history (common/admin.py, commitments/admin.py) -


def test_django_modeladmin_changeform_view_saves_in_a_transaction():
    from django.contrib.admin import ModelAdmin

    used_by = (
        "common/admin.py (ServiceAdmin) raises out of it to roll a refused save back and "
        "calls it again to show the refusal"
    )
    require(
        ModelAdmin,
        "changeform_view",
        library="Django",
        params=("request", "object_id", "form_url", "extra_context"),
        used_by=used_by,
    )
    require_call(
        ModelAdmin.changeform_view, "transaction.atomic", library="Django", used_by=used_by
    )
    require(
        ModelAdmin,
        "_get_obj_does_not_exist_redirect",
        library="Django",
        params=("request", "opts", "object_id"),
        used_by="commitments/admin.py calls it for an evidence page of an unknown commitment",
    )


@pytest.mark.django_db
def test_django_modelform_post_clean_and_formset_change_lists():
    from django.contrib.admin.utils import construct_change_message
    from django.contrib.auth.models import Group
    from django.forms import BaseForm, modelform_factory
    from django.forms.models import BaseModelForm

    used_by = "common/admin.py adds a service's refusal to the form there"
    require(BaseModelForm, "_post_clean", library="Django", used_by=used_by)
    require_call(BaseForm.full_clean, "self._post_clean", library="Django", used_by=used_by)

    class Form(modelform_factory(Group, fields=["name"])):
        def _post_clean(self):
            super()._post_clean()
            self.add_error(None, "refused")

    form = Form(data={"name": "x"})
    assert not form.is_valid() and form.non_field_errors() == ["refused"], (
        f"Django's ModelForm._post_clean override is not applied: {used_by}."
    )
    assert Group()._state.adding is True, (
        "Django's Model._state.adding is gone: common/admin.py sets it on the saved instance."
    )
    for name in ("new_objects", "changed_objects", "deleted_objects"):
        assert f"formset.{name}" in inspect.getsource(construct_change_message), (
            f"Django's admin no longer reads formset.{name}: common/admin.py sets it."
        )


def test_django_simple_history_user_change_reason_and_revert():
    from simple_history.admin import SimpleHistoryAdmin
    from simple_history.models import HistoricalRecords
    from simple_history.utils import get_change_reason_from_object

    instance = SimpleNamespace(_history_user="someone", _change_reason="why")
    assert HistoricalRecords().get_history_user(instance) == "someone", (
        "django-simple-history no longer reads instance._history_user: the services of "
        "commitments and sources set it to record who made a change."
    )
    assert get_change_reason_from_object(instance) == "why", (
        "django-simple-history no longer reads instance._change_reason: "
        "commitments/services.py sets it."
    )
    used_by = "common/admin.py (HistoryAdmin) overrides it to keep the history read-only"
    require(
        SimpleHistoryAdmin,
        "revert_disabled",
        library="django-simple-history",
        params=("request", "obj"),
        used_by=used_by,
    )
    require(
        SimpleHistoryAdmin,
        "history_form_view",
        library="django-simple-history",
        params=("request", "object_id", "version_id", "extra_context"),
        used_by=used_by,
    )
    require_call(
        SimpleHistoryAdmin.history_form_view,
        "self.revert_disabled",
        library="django-simple-history",
        used_by=used_by,
    )


# --- DRF and django-filter (config/api/negotiation.py, filters) -----------------------------


def test_drf_content_negotiation_filter_renderers():
    from rest_framework.negotiation import DefaultContentNegotiation

    used_by = "config/api/negotiation.py overrides it to answer an unknown ?format= with a 400"
    require(
        DefaultContentNegotiation,
        "filter_renderers",
        library="Django REST framework",
        params=("renderers", "format"),
        used_by=used_by,
    )
    require_call(
        DefaultContentNegotiation.select_renderer,
        "self.filter_renderers",
        library="Django REST framework",
        used_by=used_by,
    )


def test_django_filter_extra_reaches_the_form_field():
    import django_filters

    used_by = (
        "commitments/filters.py sets extra['queryset'] per request, and config/api/schema.py "
        "reads extra['help_text']"
    )
    filter_ = django_filters.CharFilter(help_text="declared")
    assert filter_.extra.get("help_text") == "declared", (
        f"django-filter's Filter.extra no longer holds the field's arguments: {used_by}."
    )
    filter_.extra["help_text"] = "per request"
    assert filter_.field.help_text == "per request", (
        f"django-filter no longer builds the field from Filter.extra: {used_by}."
    )


def test_django_filter_and_forms_copy_per_instance_through_deepcopy():
    import django_filters
    from django import forms
    from django.http import QueryDict

    from config.api.filters import FilterSet

    used_by = (
        "config/api/filters.py makes the per-instance copies of filters and form fields "
        "shallow by giving deepcopy a cheaper __deepcopy__"
    )
    require_call(
        django_filters.filterset.BaseFilterSet.__init__,
        "copy.deepcopy",
        library="django-filter",
        used_by=used_by,
    )
    require_call(forms.BaseForm.__init__, "copy.deepcopy", library="Django", used_by=used_by)

    class Numbers(FilterSet):
        even = django_filters.BooleanFilter(method="filter_even")

        class Meta:
            model = __import__("django.contrib.auth.models").contrib.auth.models.User
            fields = ["username"]

        def filter_even(self, queryset, name, value):
            return (self, value)

    one, two = Numbers(QueryDict("even=true")), Numbers(QueryDict("even=false"))
    declared = Numbers.base_filters["even"]
    assert one.filters["even"] is not declared and one.filters["even"] is not two.filters["even"]
    assert one.filters["even"].parent is one and two.filters["even"].parent is two
    assert one.filters["username"].extra is not declared.extra
    # A method filter calls its own FilterSet's method, not the first one's.
    assert one.filters["even"].filter(None, True)[0] is one
    assert two.filters["even"].filter(None, True)[0] is two
    assert one.is_valid() and two.is_valid()
    assert one.form.cleaned_data["even"] is True and two.form.cleaned_data["even"] is False
    assert one.form.fields["even"] is not two.form.fields["even"]
