from django.urls import path

from archive.api.views import CaptureWarcView, SourceCapturesView

urlpatterns = [
    path(
        "sources/<int:source_id>/captures/",
        SourceCapturesView.as_view(),
        name="source-captures",
    ),
    path(
        "sources/<int:source_id>/captures/<int:capture_id>/warc/",
        CaptureWarcView.as_view(),
        name="source-capture-warc",
    ),
]
