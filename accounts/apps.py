from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from core import nav

        from . import nav as account_nav

        nav.register("end", 90, account_nav.account_menu)
