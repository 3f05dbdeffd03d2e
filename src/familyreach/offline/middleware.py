"""Signing out wipes what the offline app keeps on the device.

`Clear-Site-Data: "storage"` on the sign-out response tells the browser to delete the site's
IndexedDB, Cache Storage and service worker, whichever page the worker signed out from (the
sign-out button is on every page; the offline app's script also wipes before it submits)."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.urls import reverse


class ClearOfflineDataOnSignOutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.sign_out_path = ""

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if not self.sign_out_path:
            self.sign_out_path = reverse("accounts:logout")
        if request.method == "POST" and request.path == self.sign_out_path:
            response["Clear-Site-Data"] = '"storage"'
        return response
