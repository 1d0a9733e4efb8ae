"""TreatyWatch's addresses (the public contract is in docs and product.md)."""

from django.urls import path

from provisions.views import coverage, public

app_name = "provisions"

urlpatterns = [
    path("", public.home, name="home"),
    path("convention/", public.toc, name="toc"),
    path("convention/articles/<int:number>/", public.article, name="article"),
    path("concerns/", public.concern_list, name="concerns"),
    path("concerns/<slug:slug>/", public.concern_detail, name="concern"),
    path("safeguards/", public.safeguard_list, name="safeguards"),
    path("safeguards/<slug:slug>/", public.safeguard_detail, name="safeguard"),
    path("about/", public.about, name="about"),
    path("coverage/", coverage.coverage, name="coverage"),
]
