from allauth.account.views import SignupView as AllauthSignupView
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from .forms import ProfileForm
from .services import user_update_profile


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            user_update_profile(
                user=request.user,
                name=form.cleaned_data["name"],
                timezone=form.cleaned_data["timezone"],
            )
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile")
    else:
        form = ProfileForm(initial={"name": request.user.name, "timezone": request.user.timezone})
    return render(request, "accounts/profile.html", {"form": form})


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
