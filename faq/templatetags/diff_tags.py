from django import template

from faq.diffing import word_diff as make_word_diff

register = template.Library()


@register.simple_tag
def word_diff(old: str, new: str):
    return make_word_diff(old, new)
