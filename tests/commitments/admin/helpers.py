"""Build the POST an admin page would send, from the page itself (as a browser would)."""

from __future__ import annotations

from django import forms


def _form_values(form: forms.BaseForm, data: dict) -> None:
    for name, field in form.fields.items():
        value = form[name].value()
        key = form.add_prefix(name)
        if isinstance(field, forms.BooleanField):
            if value:
                data[key] = "on"
        elif value is None:
            data[key] = ""
        elif isinstance(value, (list, tuple)):
            data[key] = [str(item) for item in value]
        else:
            data[key] = str(value)


def changeform_post_data(response) -> dict:
    """The add or change form on `response`, with its inlines, as the browser would post it."""
    data: dict = {}
    _form_values(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _form_values(formset.management_form, data)
        for form in formset.forms:
            _form_values(form, data)
    return data


def inline_prefix(response, verbose_name_plural: str) -> str:
    """The form prefix of the inline with this heading (two inlines of one model differ)."""
    for inline in response.context["inline_admin_formsets"]:
        if str(inline.opts.verbose_name_plural) == verbose_name_plural:
            return inline.formset.prefix
    raise LookupError(verbose_name_plural)


def form_errors(response) -> dict[str, list[str]]:
    """Field errors and non-field errors ('__all__') of the page's main form."""
    context_form = response.context.get("adminform")
    form = context_form.form if context_form is not None else response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}
