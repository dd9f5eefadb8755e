from django import template

register = template.Library()


@register.filter
def pct(value):
    return "—" if value is None else f"{value * 100:.2f}%"


@register.filter
def num(value):
    return "—" if value is None else f"{value:.2f}"
