"""The public webhook endpoint: the platform's own request, unchanged, answered within milliseconds."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from channels.intake import webhook_receive

MAX_BODY = 5 * 1024 * 1024


@csrf_exempt
@require_POST
def channel_webhook(request, kind: str, token: str):
    if len(request.body) > MAX_BODY:
        return JsonResponse(
            {"error": {"code": "too_large", "message": "body over 5 MB", "fields": {}}}, status=413
        )
    answer = webhook_receive(
        kind=kind,
        token=token,
        headers=dict(request.headers),
        body=request.body,
        content_type=request.content_type or "",
    )
    return JsonResponse(answer.body, status=answer.status, json_dumps_params={"ensure_ascii": False})
