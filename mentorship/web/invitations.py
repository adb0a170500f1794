"""The page an invitation link opens: join (or decline) with the account of the invited
address, or sign up with it; and the list of invitations waiting for the signed-in person,
answered from there without the link."""

from allauth.account.adapter import get_adapter
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from core.access import require_found

from .. import policy, selectors, services
from ..models import Role

# The invitation whose "create your account and join" was chosen, in the session: the
# sign-up brings the person back to the link, which then joins them without another click.
JOINING_KEY = "mentorship_invitation_joining"


def _invalid(request, reason: str, status: int, message: str = ""):
    return render(
        request,
        "mentorship/invitation_invalid.html",
        {"reason": reason, "message": message},
        status=status,
    )


def _unusable_reason(invitation) -> str | None:
    if invitation.accepted_at is not None:
        return "used"
    if invitation.declined_at is not None:
        return "declined"
    if invitation.revoked_at is not None:
        return "revoked"
    if invitation.is_expired:
        return "expired"
    return None


@require_http_methods(["GET", "POST"])
def invitation_accept(request, token):
    """1. An unknown (altered, made-up) token: a 404 page that says so.
    2. A used, withdrawn or expired invitation: a 410 page that says which.
    3. Anonymous: sign up and join (the address counts as verified: the link reached it;
       back at the link after the sign-up, the person joins) or log in.
    4. Signed in with the invited address verified: join the program in the invitation's
       role, or decline it.
    5. Signed in with another account: a 403 page that says so; nothing changes."""
    invitation = services.invitation_find(token=token)
    if invitation is None:
        return _invalid(request, "unknown", 404)
    reason = _unusable_reason(invitation)
    if reason:
        return _invalid(request, reason, 410)
    here = reverse("mentorship:invitation_accept", args=[token])
    if not request.user.is_authenticated:
        if request.method == "POST":
            return redirect_to_login(here)
        query = {"email": invitation.email, "next": here}
        if invitation.name:
            query["name"] = invitation.name
        signup_url = reverse("account_signup") + "?" + urlencode(query)
        if request.GET.get("signup"):
            # The invitation reached this address, so a sign-up with it needs no second
            # confirmation e-mail (allauth's documented hook for invitations). Stashed only
            # when the person chooses to sign up, not on every look at the page. The button
            # said "create your account and join": back here once signed up, they join.
            get_adapter(request).stash_verified_email(request, invitation.email)
            request.session[JOINING_KEY] = str(invitation.uuid)
            return redirect(signup_url)
        has_account = selectors.account_exists(invitation.email)
        return render(
            request,
            "mentorship/invitation_accept.html",
            {
                "invitation": invitation,
                "role_label": Role(invitation.role).label,
                "has_account": has_account,
                "signup_url": here + "?signup=1",
                "login_url": reverse("account_login") + "?" + urlencode({"next": here}),
            },
        )
    context = {"invitation": invitation, "role_label": Role(invitation.role).label}
    if not policy.invitation_bound_to(request.viewer, invitation):
        return render(
            request,
            "mentorship/invitation_accept.html",
            {**context, "other_address": True, "is_admin_role": invitation.role == Role.ADMIN},
            status=403,
        )
    joining = request.session.pop(JOINING_KEY, None) == str(invitation.uuid)
    if request.method == "POST" or joining:
        decline = request.method == "POST" and request.POST.get("answer") == "decline"
        try:
            return _answer(request, invitation, decline=decline)
        except services.MentorshipError as error:
            return _invalid(request, "other", 410, error.message)
    return render(request, "mentorship/invitation_accept.html", context)


def _answer(request, invitation, decline: bool):
    """Accept or decline `invitation` as the signed-in person, and say so."""
    if decline:
        services.invitation_decline(invitation=invitation, user=request.user)
        messages.info(
            request,
            _("You declined the invitation to %(program)s.") % {"program": invitation.program.name},
        )
        return redirect("mentorship:my_invitations")
    services.invitation_accept(invitation=invitation, user=request.user)
    messages.success(
        request,
        _("Welcome to %(program)s. You joined as %(role)s.")
        % {"program": invitation.program.name, "role": Role(invitation.role).label},
    )
    if invitation.role == Role.ADMIN:
        return redirect("mentorship:program_dashboard", invitation.program.uuid)
    return redirect("mentorship:my_pairings")


@login_required
@require_GET
def my_invitations(request):
    """The invitations sent to the signed-in person's verified addresses, still open."""
    invitations = [
        (invitation, Role(invitation.role).label)
        for invitation in selectors.invitations_waiting_for(request.viewer)
    ]
    return render(request, "mentorship/my_invitations.html", {"invitations": invitations})


@login_required
@require_POST
def invitation_answer(request, invitation_uuid):
    """Accept or decline one of one's own open invitations; anyone else's is a 404."""
    invitation = (
        selectors.invitations_waiting_for(request.viewer).filter(uuid=invitation_uuid).first()
    )
    require_found(invitation is not None)
    return _answer(request, invitation, decline=request.POST.get("answer") == "decline")
