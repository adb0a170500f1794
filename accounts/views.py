from allauth.account.views import SignupView as AllauthSignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST
from django.views.i18n import set_language as i18n_set_language

from core.errors import InvalidInput
from mentorship.selectors import program_vocabulary

from .forms import ProfileForm, UseTimezoneForm
from .models import PROFILE_FIELDS, profile_of
from .services import is_interface_language, update_profile, user_set_language, user_set_timezone


def _profile_form(request, data=None) -> ProfileForm:
    """The profile form, bound to `data` or filled with what is saved, with the tags of the
    person's programs as suggestions."""
    vocabulary = program_vocabulary(request.viewer)
    if data is not None:
        return ProfileForm(data, vocabulary=vocabulary)
    user = request.user
    saved = profile_of(user)
    initial = {name: getattr(saved, name) for name in PROFILE_FIELDS}
    return ProfileForm(
        initial={
            "name": user.name,
            "timezone": user.timezone,
            "language": user.language,
            **initial,
        },
        vocabulary=vocabulary,
    )


def _render_profile(request, form, status: int = 200):
    return render(request, "accounts/profile.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    """The person's own profile: name, time zone and what the people they meet in their
    programs see (mentorship.policy.profile_visible)."""
    if request.method != "POST":
        return _render_profile(request, _profile_form(request))
    form = _profile_form(request, request.POST)
    if form.is_valid():
        try:
            update_profile(
                user=request.user,
                name=form.cleaned_data["name"],
                timezone=form.cleaned_data["timezone"],
                language=form.cleaned_data["language"],
                **form.profile_values(),
            )
        except InvalidInput as error:
            for name, problems in error.errors.items():
                for problem in problems:
                    form.add_error(name if name in form.fields else None, problem)
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    return _render_profile(request, form)


@login_required
@require_POST
def use_timezone(request):
    """The profile page's offer to take the browser's zone: set it and go back. A zone we do
    not know changes nothing (400, the page again with the reason)."""
    form = UseTimezoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("That is not a time zone we know; your time zone is unchanged."))
        return _render_profile(request, _profile_form(request), status=400)
    zone = form.cleaned_data["timezone"]
    user_set_timezone(user=request.user, timezone=zone)
    messages.success(request, _("Your time zone is now %(zone)s.") % {"zone": zone})
    return redirect("accounts:profile")


@require_POST
def set_language(request):
    """The language switcher at the foot of every page: Django's own set_language (the cookie,
    and back to a safe `next`), and for a signed-in person the choice saved on their account,
    so their e-mails follow it too. A language the site does not speak changes nothing."""
    language = request.POST.get("language", "")
    if not is_interface_language(language):
        messages.error(request, _("Pick a language from the list."))
        return HttpResponseRedirect(_safe_next(request))
    response = i18n_set_language(request)
    if request.user.is_authenticated and request.user.language != language:
        user_set_language(user=request.user, language=language)
    return response


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.headers.get("referer") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


class SignupView(AllauthSignupView):
    """allauth's sign-up, with the name filled in from the link too (an invitation's link
    carries the name the admin typed, as it carries the address)."""

    def get_initial(self) -> dict:
        initial = super().get_initial()
        name = " ".join(self.request.GET.get("name", "").split())[:150]
        if name:
            initial["name"] = name
        return initial


signup = SignupView.as_view()
