from django.utils.translation import gettext as _
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    """Pages of 50 by default; `?page_size=` from 1 to 200. A page size that is not such a
    number (or is given twice) is a 400 naming it, not silently the default."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values or values == [""]:
            return self.page_size
        value = values[-1].strip()
        if len(values) > 1 or not value.isascii() or not value.isdigit():
            raise ValidationError({self.page_size_query_param: [_("Give one whole number.")]})
        if not 1 <= int(value) <= self.max_page_size:
            raise ValidationError(
                {
                    self.page_size_query_param: [
                        _("Give a number from 1 to %(max)d.") % {"max": self.max_page_size}
                    ]
                }
            )
        return int(value)
