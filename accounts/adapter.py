from allauth.account.adapter import DefaultAccountAdapter


class AccountAdapter(DefaultAccountAdapter):
    """allauth hooks for our user model: sign-up also stores the name and time zone."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        data = getattr(form, "cleaned_data", {})
        user.name = data.get("name", "") or user.name
        if data.get("timezone"):
            user.timezone = data["timezone"]
        if commit:
            user.save()
        return user
